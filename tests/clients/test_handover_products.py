"""The product-file reader: encodings, formats, headers and every bad row reported."""

from __future__ import annotations

import io
from decimal import Decimal

from openpyxl import Workbook

from clients.handover.products import parse_product_file

CSV_TEXT = "商品编码,商品名称,价格,规格\nLX-001,北欧实木餐桌,1299,1.4米\nLX-002,记忆棉枕头,89.9,\n"


def test_utf8_csv_with_chinese_headers():
    result = parse_product_file(CSV_TEXT.encode("utf-8"), "p.csv")
    assert result.ok and result.encoding == "utf-8"
    assert [(r.sku, r.name, r.price) for r in result.rows] == [
        ("LX-001", "北欧实木餐桌", Decimal("1299.00")), ("LX-002", "记忆棉枕头", Decimal("89.90"))
    ]
    assert result.rows[0].details == {"spec": "1.4米"}
    assert result.rows[0].row == 2


def test_utf8_bom_csv():
    result = parse_product_file(b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"), "p.csv")
    assert result.ok and result.encoding == "utf-8-sig" and len(result.rows) == 2


def test_gbk_csv_is_detected():
    data = CSV_TEXT.encode("gbk")
    result = parse_product_file(data, "p.csv")
    assert result.ok and result.encoding == "gb18030"
    assert result.rows[1].name == "记忆棉枕头"


def test_xlsx_with_english_headers():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["SKU", "Name", "Price", "Selling_Points"])
    sheet.append(["QS-1", "户外帐篷", 599, "防水 3000mm"])
    sheet.append([None, None, None, None])
    sheet.append([1002, "登山杖", 129.5, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse_product_file(buffer.getvalue(), "products.xlsx")
    assert result.ok, result.errors
    assert [(r.row, r.sku, r.price) for r in result.rows] == [
        (2, "QS-1", Decimal("599.00")), (4, "1002", Decimal("129.50"))
    ]
    assert result.rows[0].details == {"selling_points": "防水 3000mm"}


def test_every_bad_row_is_reported_and_no_row_is_returned():
    text = (
        "sku,name,price\n"
        "A1,好商品,10\n"
        ",缺编码,10\n"          # row 3: sku required
        "A2,,abc\n"             # row 4: name required, price bad
        "A1,重复,5\n"           # row 5: duplicate of row 2
        "A3,负价,-1\n"          # row 6: negative
        "A4,三位小数,1.234\n"   # row 7: too many decimals
    )
    result = parse_product_file(text.encode("utf-8"), "p.csv")
    assert not result.ok and result.rows == []
    found = {(e.row, e.field, e.code) for e in result.errors}
    assert found == {
        (3, "sku", "required"), (4, "name", "required"), (4, "price", "bad_price"),
        (5, "sku", "duplicate_sku"), (6, "price", "negative_price"), (7, "price", "too_many_decimals"),
    }


def test_missing_required_column_names_it():
    result = parse_product_file("sku,名称\nA1,x\n".encode(), "p.csv")
    assert [(e.row, e.field, e.code) for e in result.errors] == [(1, "price", "missing_column")]


def test_unknown_format_and_empty_and_broken_files():
    assert parse_product_file(b"whatever", "p.pdf").errors[0].code == "unknown_format"
    assert parse_product_file(b"", "p.csv").errors[0].code == "empty_file"
    assert parse_product_file(b"sku,name,price\n", "p.csv").errors[0].code == "empty_file"
    assert parse_product_file(b"PK\x03\x04broken", "p.xlsx").errors[0].code == "unreadable"
    assert parse_product_file(b"\xff\xfe\x00\x81\x30", "p.csv").errors[0].code == "bad_encoding"
