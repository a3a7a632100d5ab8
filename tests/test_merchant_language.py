"""Documents addressed to a merchant are written in the merchant's document language (`Merchant.language`),
whoever downloads them, and in business terms: the quote (PDF and API) never carries the agency's staffing
derivation for a merchant."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pytest
from django.urls import reverse

from clients.statements import services as statement_services
from tests.clients.factories import price_book, sent_quote
from tests.clients.statement_setup import NOW, live_contract, november_service
from tests.factories import AgentFactory
from tests.language import CJK

pytestmark = pytest.mark.django_db
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def english(merchant) -> None:
    merchant.language = "en"
    merchant.save(update_fields=["language"])


@needs_poppler
def test_the_quote_pdf_is_in_the_merchants_language_whoever_reads_the_page(client, tenants, manager, tmp_path):
    price_book()
    quote = sent_quote(tenant=tenants[0], manager=manager)
    client.force_login(manager)
    url = reverse("clients:quote-pdf", args=[quote.pk, 1])
    chinese = pdf_text(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content, tmp_path)
    assert "客服外包服务报价单" in chinese and "月费合计" in chinese
    english(tenants[0].merchant)
    text = pdf_text(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content, tmp_path)
    assert "Customer-service outsourcing quote" in text and "2. Monthly fees" in text
    assert "Erlang" not in text
    # Names of shops, the merchant and the project are data; the document's own words are English.
    data = {tenants[0].merchant.name, quote.engagement.title, *(s.name for s in quote.engagement.shops.all())}
    stray = [run for run in CJK.findall(text) if not any(run in d for d in data)]
    assert not stray, stray


def test_the_quote_api_gives_a_merchant_business_terms_only(tenants, manager, api_client_for):
    price_book()
    quote = sent_quote(tenant=tenants[0], manager=manager)
    url = f"/api/quotes/{quote.pk}/"
    staff = api_client_for(manager).get(url).json()["revisions"][0]
    assert staff["derivation"] and "aht_seconds" in staff["inputs"]
    mine = api_client_for(tenants[0].user).get(url).json()["revisions"][0]
    assert mine["derivation"] == {}
    assert "aht_seconds" not in mine["inputs"] and "concurrency" not in mine["inputs"]
    assert mine["inputs"]["daily_volume"] == staff["inputs"]["daily_volume"] and mine["seats"] == staff["seats"]
    assert api_client_for(tenants[1].user).get(url).status_code == 404


@pytest.fixture
def live(tenants, manager, time_machine):
    time_machine.move_to(NOW, tick=False)
    AgentFactory(code="a01")
    contract = live_contract(tenant=tenants[0], manager=manager)
    november_service(shop=tenants[0].shop)
    return contract


@needs_poppler
def test_a_statement_is_issued_in_the_merchants_language(live, manager, tenants, tmp_path):
    from openpyxl import load_workbook

    english(tenants[0].merchant)
    statement = statement_services.statement_issue(
        statement=statement_services.statement_generate(contract=live, month=date(2026, 11, 1), by=manager),
        by=manager)
    text = pdf_text(bytes(statement.pdf), tmp_path)
    assert "1. Charges" in text and "Sales commission" in text and "Reply rate" in text
    assert not [run for run in CJK.findall(text) if run not in tenants[0].merchant.name]
    book = load_workbook(io.BytesIO(bytes(statement.xlsx)))
    assert book.sheetnames == ["Charges", "Service targets", "Evidence"]
    cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None]
    assert "Per-session fees" in cells and not [c for c in cells if CJK.search(c)]


@needs_poppler
def test_the_monthly_report_is_in_the_merchants_language(client, tenants, manager, tmp_path):
    english(tenants[0].merchant)
    client.force_login(manager)
    response = client.get(reverse("quality:shop-report", args=[tenants[0].shop.code, "2026-11"]),
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert not [run for run in CJK.findall(text) if run not in tenants[0].shop.name + tenants[0].merchant.name]


@needs_poppler
def test_a_contract_is_sent_in_the_merchants_language_and_its_signed_copy_stays_in_it(tenants, manager, tmp_path):
    from clients.sales import documents
    from clients.sales import services as sales_services
    from tests.clients.factories import sent_contract

    price_book()
    english(tenants[0].merchant)
    contract = sent_contract(tenant=tenants[0], manager=manager)
    assert contract.language == "en"
    text = pdf_text(bytes(contract.pdf), tmp_path)
    assert "Article 3 Service levels (SLA) and service credits" in text and "Party A (client)" in text
    assert "第三条" not in text
    for by in (manager, tenants[0].user):
        sales_services.contract_sign(contract=contract, by=by, signer_name="Lee", document_sha256=contract.pdf_sha256)
    contract.refresh_from_db()
    tenants[0].merchant.language = "zh-hans"  # changed afterwards: what was signed stays as it was
    tenants[0].merchant.save(update_fields=["language"])
    contract.merchant.refresh_from_db()
    signed = pdf_text(documents.signed_contract_pdf(contract, list(contract.signatures.all())), tmp_path)
    assert "Electronic signing certificate" in signed and "电子签署证书" not in signed
