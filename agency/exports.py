"""CSV exports: one writer for every CSV the product hands out.

`csv_line_writer()` returns a writer whose `writerow` returns the line instead of writing it, so a view can
stream a file row by row (`StreamingHttpResponse`) without building it in memory, and every text cell goes
through `neutralise_cell` first: a spreadsheet program opening the file must never run a formula that came
from a buyer's message, a rule name or any other text someone typed (CSV formula injection).

Exports too big to hold a web worker for (more than EXPORT_STREAM_MAX_ROWS rows) write the same lines to a
file in a job (`export_write`), with progress, downloaded from the job's page.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from agency.services import job_finish, job_progress_reporter

# What a spreadsheet program reads as the start of a formula or a command (OWASP's list): =, +, -, @, and a
# tab or carriage return in front of one of them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A plain number ("-2", "+3.5", "-1e5") is data, not a formula: it stays a number in the spreadsheet.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: Any) -> Any:
    """The cell as a spreadsheet program may safely open it: text that would start a formula gets a leading
    apostrophe (shown as text, never evaluated); numbers, dates and plain signed numbers stay as they are."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


class _Echo:
    """A file-like object that hands back what is written to it."""

    def write(self, value: str) -> str:
        return value


class _NeutralisingWriter:
    """`csv.writer` over `_Echo` with every cell neutralised."""

    def __init__(self) -> None:
        self._writer = csv.writer(_Echo())

    def writerow(self, row: Iterable[Any]) -> str:
        return self._writer.writerow([neutralise_cell(cell) for cell in row])


def csv_line_writer() -> Any:
    """A CSV writer whose `writerow(row)` returns the row as one CSV line, formula cells neutralised."""
    return _NeutralisingWriter()


def export_write(*, job_id: int, lines: Iterable[str], filename: str, total: int | None = None) -> dict[str, Any]:
    """Write an export's lines to a file under MEDIA_ROOT/exports/ (a temporary name, renamed when whole),
    reporting progress per line against `total`, and finish the job with the file to download
    (`agency.views.job_download`): {"file", "filename", "rows"}. Running it again writes a fresh file."""
    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{Path(filename).suffix[:8]}"
    partial = folder / f".{name}.part"
    report = job_progress_reporter(job_id=job_id)
    rows = 0
    with partial.open("w", encoding="utf-8", newline="") as out:
        for line in lines:
            out.write(line)
            rows += 1
            if report is not None and total and rows % 500 == 0:
                report(min(rows, total), total + 1)
    partial.rename(folder / name)
    result = {"file": name, "filename": filename, "rows": max(rows - 1, 0)}
    job_finish(job_id=job_id, result=result, message=_("已导出 %(rows)s 行") % {"rows": result["rows"]})
    return result


def export_too_big(*, rows: int) -> bool:
    """Exports up to EXPORT_STREAM_MAX_ROWS rows stream in the request; bigger ones run as a job."""
    return rows > settings.EXPORT_STREAM_MAX_ROWS
