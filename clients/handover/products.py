"""Reading a merchant's product file (CSV or XLSX) for a knowledge handover batch. No Django here.

The file has a header row and one product per row. Columns (English or Chinese header, any order,
case and surrounding spaces ignored):

| column           | Chinese header | required | rule                                          |
|------------------|----------------|----------|-----------------------------------------------|
| `sku`            | 商品编码        | yes      | up to 64 characters, unique within the file   |
| `name`           | 商品名称        | yes      | up to 200 characters                          |
| `price`          | 价格            | yes      | a number ≥ 0 with at most two decimals        |
| `category`       | 类目            | no       | up to 100 characters                          |
| `spec`           | 规格            | no       | sizes, colours, models                        |
| `selling_points` | 卖点            | no       | what agents may say to sell it                |
| `after_sale`     | 售后说明        | no       | returns, exchanges, warranty                  |
| `shipping`       | 发货说明        | no       | dispatch time, courier, regions               |

CSV may be UTF-8 (with or without BOM), GBK or GB18030; the encoding is detected. Blank rows are
skipped. Row numbers in errors are the file's own (the header is row 1). Errors carry a code and
parameters; the caller turns them into words (translations live on the Django side).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

MAX_ROWS = 20_000

COLUMNS: dict[str, tuple[str, ...]] = {
    "sku": ("sku", "商品编码", "货号", "编码"),
    "name": ("name", "商品名称", "名称", "品名"),
    "price": ("price", "价格", "售价"),
    "category": ("category", "类目", "分类"),
    "spec": ("spec", "规格"),
    "selling_points": ("selling_points", "卖点"),
    "after_sale": ("after_sale", "售后说明", "售后"),
    "shipping": ("shipping", "发货说明", "发货"),
}
REQUIRED = ("sku", "name", "price")
MAX_LENGTH = {"sku": 64, "name": 200, "category": 100, "spec": 1000, "selling_points": 2000,
              "after_sale": 2000, "shipping": 1000}
OPTIONAL = ("category", "spec", "selling_points", "after_sale", "shipping")


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based row in the file; 0 for the file as a whole
    field: str  # a column key from COLUMNS, or "" for the row/file
    code: str  # required, too_long, bad_price, negative_price, too_many_decimals, duplicate_sku,
    #            missing_column, unknown_format, bad_encoding, empty_file, too_many_rows, unreadable
    params: dict[str, object] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class ProductRow:
    row: int
    sku: str
    name: str
    price: Decimal | None  # None when the file has no price for the row
    details: dict[str, str]  # the optional columns that were filled in


@dataclass
class ParseResult:
    rows: list[ProductRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    encoding: str = ""
    file_format: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def decode_csv(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name); raises UnicodeDecodeError when no supported encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # GB18030 is a superset of GBK (and GB2312): one attempt covers all three.
    return data.decode("gb18030"), "gb18030"


def sniff_format(data: bytes, filename: str) -> str:
    name = filename.lower()
    if data[:4] == b"PK\x03\x04" or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".csv", ".txt")) or not name:
        return "csv"
    return ""


def _csv_rows(text: str) -> list[list[str]]:
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else _cell_text(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _header_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    lookup = {alias.strip().lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = lookup.get(str(title).strip().lower().lstrip("\ufeff"))
        if key and key not in positions:
            positions[key] = index
    missing = [key for key in REQUIRED if key not in positions]
    return positions, missing


def parse_price(raw: str) -> tuple[Decimal | None, str]:
    text = raw.strip().replace(",", "").replace("，", "").lstrip("¥￥")
    try:
        price = Decimal(text)
    except InvalidOperation:
        return None, "bad_price"
    if not price.is_finite():
        return None, "bad_price"
    if price < 0:
        return None, "negative_price"
    exponent = price.as_tuple().exponent  # an int for a finite number
    if isinstance(exponent, int) and exponent < -2 and price != price.quantize(Decimal("0.01")):
        return None, "too_many_decimals"
    if price >= Decimal("1e10"):
        return None, "bad_price"
    return price.quantize(Decimal("0.01")), ""


def parse_product_file(data: bytes, filename: str = "") -> ParseResult:
    """Read and validate every row; the result has either rows or a complete list of errors."""
    result = ParseResult()
    result.file_format = sniff_format(data, filename)
    if not result.file_format:
        result.errors.append(RowError(0, "", "unknown_format", {"filename": filename}))
        return result
    try:
        if result.file_format == "xlsx":
            table = _xlsx_rows(data)
            result.encoding = "xlsx"
        else:
            text, result.encoding = decode_csv(data)
            table = _csv_rows(text)
    except UnicodeDecodeError:
        result.errors.append(RowError(0, "", "bad_encoding"))
        return result
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, csv.Error) as exc:
        result.errors.append(RowError(0, "", "unreadable", {"reason": str(exc)[:200]}))
        return result

    while table and not any(str(c).strip() for c in table[-1]):
        table.pop()
    if not table:
        result.errors.append(RowError(0, "", "empty_file"))
        return result
    positions, missing = _header_map(table[0])
    for key in missing:
        result.errors.append(RowError(1, key, "missing_column"))
    if missing:
        return result
    if len(table) - 1 > MAX_ROWS:
        result.errors.append(RowError(0, "", "too_many_rows", {"max": MAX_ROWS}))
        return result

    first_row_of_sku: dict[str, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        values = {key: (str(cells[i]).strip() if i < len(cells) else "") for key, i in positions.items()}
        row_errors: list[RowError] = []
        for key in REQUIRED:
            if not values.get(key):
                row_errors.append(RowError(number, key, "required"))
        for key, limit in MAX_LENGTH.items():
            if len(values.get(key, "")) > limit:
                row_errors.append(RowError(number, key, "too_long", {"max": limit}))
        price = None
        if values.get("price"):
            price, code = parse_price(values["price"])
            if code:
                row_errors.append(RowError(number, "price", code, {"value": values["price"]}))
        sku = values.get("sku", "")
        if sku:
            if sku in first_row_of_sku:
                row_errors.append(RowError(number, "sku", "duplicate_sku", {"sku": sku, "first_row": first_row_of_sku[sku]}))
            else:
                first_row_of_sku[sku] = number
        if row_errors:
            result.errors.extend(row_errors)
            continue
        details = {key: values[key] for key in OPTIONAL if values.get(key)}
        result.rows.append(ProductRow(number, sku, values["name"], price, details))
    if not result.rows and not result.errors:
        result.errors.append(RowError(0, "", "empty_file"))
    if result.errors:
        result.rows = []
    return result
