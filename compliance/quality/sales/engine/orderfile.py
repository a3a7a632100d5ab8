"""Reading a shop's order export (contracts §8) into validated rows. No Django import.

Formats: CSV (UTF-8 with or without a BOM, GBK, GB18030), XLSX (first sheet, header in row 1) and JSON
lines (one order object per line), with the columns `order_id, buyer, created_at, paid_at, amount,
refund_amount`. Column names may come in any order and case; extra columns are ignored.

Every problem is collected with its line (the header is line 1) and field, so a person fixes a file in one
go; a file with any problem is not to be imported at all. Checks: `order_id` and `buyer` required, at most
128 characters, an order id at most once per file; `created_at` an ISO 8601 time (no offset: Asia/Shanghai);
`paid_at` empty or such a time, not before `created_at`; `amount` a non-negative number of yuan with at
most 2 decimals; `refund_amount` empty (0) or the same, not larger than `amount`, and only on a paid order.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from compliance.sessions.sessionfile import FileFormatError, RowError, decode_bytes, parse_time

COLUMNS = ("order_id", "buyer", "created_at", "paid_at", "amount", "refund_amount")
REQUIRED_COLUMNS = ("order_id", "buyer", "created_at", "paid_at", "amount")
FORMATS = ("csv", "xlsx", "jsonl")
MAX_ID = 128
MAX_AMOUNT = Decimal("9999999999.99")
CENT = Decimal("0.01")

__all__ = ["COLUMNS", "FORMATS", "FileFormatError", "OrderRow", "ParsedOrders", "RowError", "guess_format",
           "parse_orders"]


@dataclass(frozen=True, slots=True)
class OrderRow:
    line: int
    order_id: str
    buyer: str
    created_at: datetime
    paid_at: datetime | None
    amount: Decimal
    refund_amount: Decimal


@dataclass
class ParsedOrders:
    rows: list[OrderRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def guess_format(filename: str) -> str | None:
    lowered = filename.lower()
    for ext, fmt in ((".jsonl", "jsonl"), (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".xlsx", "xlsx")):
        if lowered.endswith(ext):
            return fmt
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Checker:
    def __init__(self) -> None:
        self.result = ParsedOrders()
        self._lines: dict[str, int] = {}

    def error(self, line: int, name: str, message: str) -> None:
        self.result.errors.append(RowError(line, name, message))

    def _ident(self, line: int, name: str, value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
            self.error(line, name, f"must be text, got {type(value).__name__}")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = "" if value is None else str(value).strip()
        if not text:
            self.error(line, name, "is required")
        elif len(text) > MAX_ID:
            self.error(line, name, f"longer than {MAX_ID} characters")
        return text

    def _time(self, line: int, name: str, value: Any, required: bool) -> datetime | None:
        if _blank(value):
            if required:
                self.error(line, name, "is required")
            return None
        try:
            return parse_time(value)
        except (ValueError, TypeError):
            self.error(line, name, f"not an ISO 8601 time: {value!r}")
            return None

    def _money(self, line: int, name: str, value: Any, required: bool) -> Decimal | None:
        if _blank(value):
            if required:
                self.error(line, name, "is required")
                return None
            return Decimal("0.00")
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.error(line, name, f"must be a number of yuan, got {type(value).__name__}")
            return None
        text = value.strip() if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            self.error(line, name, f"not a number of yuan: {value!r}")
            return None
        if not amount.is_finite():
            self.error(line, name, f"not a number of yuan: {value!r}")
            return None
        if amount < 0:
            self.error(line, name, f"must not be negative (got {text})")
            return None
        if amount != amount.quantize(CENT):
            self.error(line, name, f"at most 2 decimals (got {text})")
            return None
        if amount > MAX_AMOUNT:
            self.error(line, name, f"larger than {MAX_AMOUNT}")
            return None
        return amount.quantize(CENT)

    def add(self, line: int, values: dict[str, Any]) -> None:
        before = len(self.result.errors)
        order_id = self._ident(line, "order_id", values.get("order_id"))
        buyer = self._ident(line, "buyer", values.get("buyer"))
        created_at = self._time(line, "created_at", values.get("created_at"), required=True)
        paid_at = self._time(line, "paid_at", values.get("paid_at"), required=False)
        amount = self._money(line, "amount", values.get("amount"), required=True)
        refund = self._money(line, "refund_amount", values.get("refund_amount"), required=False)
        if created_at is not None and paid_at is not None and paid_at < created_at:
            self.error(line, "paid_at", f"before created_at ({paid_at.isoformat()} < {created_at.isoformat()})")
        if amount is not None and refund is not None and refund > amount:
            self.error(line, "refund_amount", f"larger than amount ({refund} > {amount})")
        if refund and _blank(values.get("paid_at")):
            self.error(line, "refund_amount", "a refund on an order that was never paid")
        if order_id:
            first = self._lines.get(order_id)
            if first is not None:
                self.error(line, "order_id", f"order id {order_id!r} repeats line {first}")
            else:
                self._lines[order_id] = line
        if len(self.result.errors) == before and created_at is not None and amount is not None and refund is not None:
            self.result.rows.append(OrderRow(line, order_id, buyer, created_at, paid_at, amount, refund))


def _header(header: Sequence[Any]) -> dict[str, int]:
    names = [str(h).strip().lstrip("\ufeff").lower() if h is not None else "" for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise FileFormatError(f"line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    return {c: names.index(c) for c in COLUMNS if c in names}


def _rows_into(checker: _Checker, rows: Iterable[tuple[int, Sequence[Any]]]) -> None:
    iterator = iter(rows)
    try:
        _line, header = next(iterator)
    except StopIteration:
        raise FileFormatError("the file is empty; expected a header row") from None
    index = _header(header)
    for line, row in iterator:
        if not row or all(_blank(v) for v in row):
            continue
        checker.add(line, {name: row[i] if i < len(row) else None for name, i in index.items()})


def parse_csv(text: str) -> ParsedOrders:
    checker = _Checker()
    reader = csv.reader(io.StringIO(text, newline=""))

    def numbered() -> Iterator[tuple[int, list[str]]]:
        start = 1
        for row in reader:
            yield start, row
            start = reader.line_num + 1

    try:
        _rows_into(checker, numbered())
    except csv.Error as exc:
        checker.error(reader.line_num, "", f"CSV error: {exc}")
    return checker.result


def parse_jsonl(text: str) -> ParsedOrders:
    checker = _Checker()
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            checker.error(number, "", f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            checker.error(number, "", "must be a JSON object (one order per line)")
            continue
        checker.add(number, {key: obj.get(key) for key in COLUMNS})
    return checker.result


def parse_xlsx(stream: IO[bytes]) -> ParsedOrders:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileFormatError(f"not an XLSX workbook ({exc.__class__.__name__})") from None
    try:
        checker = _Checker()
        _rows_into(checker, enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1))
        return checker.result
    finally:
        workbook.close()


def parse_orders(data: bytes, fmt: str) -> ParsedOrders:
    """Parse a whole order file; raises FileFormatError when the file cannot be read at all."""
    if fmt == "xlsx":
        return parse_xlsx(io.BytesIO(data))
    text = decode_bytes(data)
    if fmt == "jsonl":
        return parse_jsonl(text)
    if fmt == "csv":
        return parse_csv(text)
    raise FileFormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
