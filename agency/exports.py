"""Streamed CSV exports: one writer whose `writerow` returns the line instead of writing it, so a view can
stream a file row by row (`StreamingHttpResponse`) without building it in memory."""

from __future__ import annotations

import csv
from typing import Any


class _Echo:
    """A file-like object that hands back what is written to it."""

    def write(self, value: str) -> str:
        return value


def csv_line_writer() -> Any:
    """A `csv.writer` whose `writerow(row)` returns the row as one CSV line."""
    return csv.writer(_Echo())
