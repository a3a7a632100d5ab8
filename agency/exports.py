"""CSV exports: one writer for every CSV the product hands out.

`csv_line_writer()` returns a writer whose `writerow` returns the line instead of writing it, so a view can
stream a file row by row (`StreamingHttpResponse`) without building it in memory, and every text cell goes
through `neutralise_cell` first: a spreadsheet program opening the file must never run a formula that came
from a buyer's message, a rule name or any other text someone typed (CSV formula injection).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

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
