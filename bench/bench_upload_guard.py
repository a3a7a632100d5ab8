"""Benchmark: a dimension-bomb XLSX (a header row and one cell at XFD1048576, about 1.7 KB zipped) against
the upload guard, beside the session reader as it was before the guard (openpyxl trusting the claimed
dimension, every padded row checked): what a web worker did before.

    .venv/bin/python bench/bench_upload_guard.py [--cap 30]

Target: refused in under a second. The baseline is stopped after `--cap` seconds (it reads on for
minutes); the printed figure is then a lower bound.
"""

from __future__ import annotations

import argparse
import io
import signal
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from compliance.sessions.sessionfile import FileFormatError, _Checker, _rows_into, check_upload

PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:XFD1048576"/><sheetData>'
        '<row r="1">' + "".join(
            f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
            for col, name in zip("ABCDEFG", ["session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text"], strict=True)
        ) + "</row>"
        '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        "</sheetData></worksheet>"
    ),
}


def bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
    return out.getvalue()


class Stop(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cap", type=int, default=30)
    args = parser.parse_args()
    data = bomb()

    started = time.perf_counter()
    try:
        check_upload(io.BytesIO(data), size=len(data), fmt="xlsx")
        verdict = "accepted (!)"
    except FileFormatError as exc:
        verdict = f"refused: {exc}"
    guard = time.perf_counter() - started

    from openpyxl import load_workbook

    def stop(*_args: object) -> None:
        raise Stop

    signal.signal(signal.SIGALRM, stop)
    signal.alarm(args.cap)
    rows = [0]
    started = time.perf_counter()
    try:  # the reader as it was before the guard: openpyxl trusting the dimension, every row checked
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)

        def counted():
            for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), start=1):
                rows[0] = number
                yield number, row

        _rows_into(_Checker(), counted())
        capped = False
    except Stop:
        capped = True
    finally:
        signal.alarm(0)
    baseline = time.perf_counter() - started

    print(f"dimension bomb: {len(data):,} bytes, claims A1:XFD1048576")
    print(f"{'':36}{'seconds':>12}")
    print(f"{'upload guard (check_upload)':36}{guard:12.4f}   {verdict}")
    print(f"{'baseline: the reader before the guard':36}{baseline:12.2f}{'+' if capped else ' '}  "
          f"{rows[0]:,} of 1,048,576 rows read{' before the cap' if capped else ''}")
    print(f"target: the guard under 1 s: {'met' if guard < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
