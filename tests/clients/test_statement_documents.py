"""What the issued statement's documents say: the PDF's text (read back with pdftotext) and the XLSX's cells
(read back with openpyxl) carry the same lines, targets, credit and total as the stored result."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from clients.statements import services
from tests.clients.statement_setup import NOW, live_contract, november_service
from tests.conftest import require_service
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def issued(tenants, manager, time_machine):
    time_machine.move_to(NOW, tick=False)
    t1, _t2 = tenants
    AgentFactory(code="a01")
    contract = live_contract(tenant=t1, manager=manager)
    november_service(shop=t1.shop)
    draft = services.statement_generate(contract=contract, month=NOVEMBER, by=manager)
    return services.statement_issue(statement=draft, by=manager)


def pdf_text(pdf: bytes, tmp_path) -> str:
    require_service(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    source = tmp_path / "statement.pdf"
    source.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def money(value) -> str:
    return f"{Decimal(value):,.2f}"


def test_the_pdf_shows_every_line_the_missed_target_the_credit_and_the_total(issued, tmp_path):
    text = pdf_text(bytes(issued.pdf), tmp_path)
    result = issued.result
    assert issued.number in text and issued.contract.number in text and "2026-11" in text
    for line in result["lines"]:
        assert money(line["amount"]) in text, line["code"]
    # reply_rate missed (0.85 against its target), first response met: one 未达标, one 达标 at least
    assert text.count("未达标") >= 1 and "达标" in text.replace("未达标", "")
    assert money(result["service_fees"]) in text and money(result["commission"]) in text
    assert f"（{result['credit_pct']}%" in text and "-" in text and money(result["credit"]) in text
    assert money(result["total"]) in text and money(result["total"]) == money(issued.total)


def test_the_xlsx_holds_the_same_lines_totals_targets_and_evidence(issued):
    book = load_workbook(BytesIO(bytes(issued.xlsx)))
    assert book.sheetnames[0] == "费用明细"
    rows = [tuple(r) for r in book["费用明细"].iter_rows(values_only=True)]
    amounts = {r[0]: Decimal(str(r[3])) for r in rows if r and r[0] and len(r) > 3 and r[3] is not None
               and r[0] not in ("编码",)}
    for line in issued.result["lines"]:
        assert amounts[line["code"]] == Decimal(line["amount"]), line["code"]
    totals = {r[1]: Decimal(str(r[3])) for r in rows if r and r[0] in ("", None) and r[1]}
    assert totals["应付合计"] == issued.total
    assert totals["服务抵扣"] == Decimal(issued.result["credit"]) and totals["抵扣比例(%)"] == Decimal("5")
    targets = [r for r in book["服务指标"].iter_rows(min_row=2, values_only=True)]
    assert len(targets) == len(issued.scenario["targets"]) >= 2
    assert [r[4] for r in targets].count("是") == len(issued.result["missed_targets"]) == 1  # the reply rate
    evidence = [r for r in book["依据"].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[3]) for r in evidence] == [("2026-11-21", 0.7)]
