"""Contracts: from an accepted revision, frozen PDF and hash when sent, both parties sign, amendments."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.models import Contract, ContractAmendment, ContractSignature, Engagement, ImmutableRecord
from clients.sales import documents, services
from clients.sales.errors import BusinessRuleError
from clients.sales.selectors import contract_sla_for_shop
from tests.clients.factories import price_book, sent_contract, sent_quote
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def book():
    return price_book()


def test_a_contract_needs_an_accepted_quote(tenants, manager):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager)
    with pytest.raises(BusinessRuleError, match="尚未被商家接受"):
        services.contract_create(quote=quote, by=manager, start_date=timezone.localdate())
    assert not Contract.objects.exists()


def test_contract_takes_price_term_and_seats_from_the_accepted_revision(tenants, manager):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager, term_months=6)
    services.quote_accept(quote=quote, revision=1, by=t1.user)
    start = timezone.localdate()
    contract = services.contract_create(quote=quote, by=manager, start_date=start, sla_reply_rate=Decimal("0.9"))
    revision = quote.revisions.get()
    assert (contract.seats, contract.monthly_price) == (revision.seats, revision.monthly_total)
    assert contract.end_date > start + timedelta(days=180) - timedelta(days=5)
    assert contract.sla_first_response_seconds == 180  # the pdd response target
    assert "保密" in contract.confidentiality
    with pytest.raises(BusinessRuleError, match="已生成合同"):
        services.contract_create(quote=quote, by=manager, start_date=start)


def test_both_parties_sign_the_exact_pdf_and_the_contract_becomes_active(tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    assert contract.pdf_sha256 == hashlib.sha256(bytes(contract.pdf)).hexdigest()
    services.contract_sign(contract=contract, by=manager, signer_name="周经理", document_sha256=contract.pdf_sha256)
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.SENT
    services.contract_sign(contract=contract, by=t1.user, signer_name="租户一", document_sha256=contract.pdf_sha256)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE and contract.activated_at
    assert set(contract.signatures.values_list("party", "pdf_sha256")) == {
        ("agency", contract.pdf_sha256), ("merchant", contract.pdf_sha256)}
    assert contract.engagement.stage == Engagement.Stage.HANDOVER


def test_signing_twice_is_refused(tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    services.contract_sign(contract=contract, by=t1.user, signer_name="租户一", document_sha256=contract.pdf_sha256)
    with pytest.raises(BusinessRuleError, match="已由 租户一 于 .* 签署，不能重复签署"):
        services.contract_sign(contract=contract, by=t1.user, signer_name="租户一", document_sha256=contract.pdf_sha256)
    assert ContractSignature.objects.count() == 1


def test_signing_a_different_document_is_refused(tenants, manager):
    t1, t2 = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    with pytest.raises(BusinessRuleError, match="摘要"):
        services.contract_sign(contract=contract, by=t1.user, signer_name="租户一", document_sha256="0" * 64)
    with pytest.raises(BusinessRuleError, match="只有该商家"):
        services.contract_sign(contract=contract, by=t2.user, signer_name="别人", document_sha256=contract.pdf_sha256)
    assert not ContractSignature.objects.exists()


def test_a_sent_contract_cannot_be_sent_again_and_signatures_are_immutable(tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    digest = contract.pdf_sha256
    with pytest.raises(BusinessRuleError, match="不能再改变"):
        services.contract_send(contract=contract, by=manager)
    assert Contract.objects.get(pk=contract.pk).pdf_sha256 == digest
    signature = services.contract_sign(contract=contract, by=manager, signer_name="周经理", document_sha256=digest)
    signature.signer_name = "别人"
    with pytest.raises(ImmutableRecord):
        signature.save()
    with pytest.raises(ImmutableRecord):
        ContractSignature.objects.update(signer_name="别人")


def _active(tenant, manager) -> Contract:
    contract = sent_contract(tenant=tenant, manager=manager)
    for user, name in ((manager, "周经理"), (tenant.user, "商家")):
        services.contract_sign(contract=contract, by=user, signer_name=name, document_sha256=contract.pdf_sha256)
    return Contract.objects.get(pk=contract.pk)


def test_amendments_add_seats_without_editing_the_contract(tenants, manager):
    t1, _ = tenants
    contract = _active(t1, manager)
    seats, digest = contract.seats, contract.pdf_sha256
    start = contract.start_date + timedelta(days=10)
    amendment = services.contract_amend(contract=contract, by=manager, description="双11加席", extra_seats=5,
                                        effective_from=start, effective_until=start + timedelta(days=11),
                                        price_change=Decimal("5000"))
    assert amendment.number == 1 and amendment.pdf_sha256 == hashlib.sha256(bytes(amendment.pdf)).hexdigest()
    contract.refresh_from_db()
    assert (contract.seats, contract.pdf_sha256) == (seats, digest)
    with pytest.raises(BusinessRuleError, match="合同期"):
        services.contract_amend(contract=contract, by=manager, description="超出", extra_seats=1,
                                effective_from=contract.end_date, effective_until=contract.end_date + timedelta(days=3),
                                price_change=Decimal(0))
    with pytest.raises(ImmutableRecord):
        ContractAmendment.objects.filter(pk=amendment.pk).update(extra_seats=50)
    assert ContractAmendment.objects.count() == 1


def test_amending_a_contract_that_is_not_active_is_refused(tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    with pytest.raises(BusinessRuleError, match="未生效"):
        services.contract_amend(contract=contract, by=manager, description="x", extra_seats=1,
                                effective_from=contract.start_date, effective_until=contract.start_date,
                                price_change=Decimal(0))


def test_contract_sla_for_shop(tenants, manager):
    t1, t2 = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    today = timezone.localdate()
    assert contract_sla_for_shop(shop=t1.shop, on=today) is None  # signed by nobody yet
    for user, name in ((manager, "周经理"), (t1.user, "商家")):
        services.contract_sign(contract=contract, by=user, signer_name=name, document_sha256=contract.pdf_sha256)
    assert contract_sla_for_shop(shop=t1.shop, on=today) == {
        "reply_rate": 0.95, "first_response_seconds": 180, "qa_score": 90.0}
    assert contract_sla_for_shop(shop=t1.shop, on=contract.end_date + timedelta(days=1)) is None
    assert contract_sla_for_shop(shop=t2.shop, on=today) is None


def _render_first_page(pdf: bytes, tmp_path) -> bytes:
    require_service(shutil.which("pdftoppm") is not None, "pdftoppm (poppler-utils) is not installed")
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
                   check=True)
    return next(tmp_path.glob("page*.png")).read_bytes()


def _dark_pixel_share(png: bytes) -> float:
    import zlib

    # Decode the PNG's IDAT stream (8-bit RGB, filter bytes included): enough to count ink.
    chunks, pos, width = [], 8, 0
    while pos < len(png):
        length = int.from_bytes(png[pos:pos + 4], "big")
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width = int.from_bytes(body[:4], "big")
        if kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * 3 + 1
    dark = total = 0
    previous = bytearray(stride - 1)
    for row_start in range(0, len(raw), stride):
        kind, row = raw[row_start], bytearray(raw[row_start + 1:row_start + stride])
        for i in range(len(row)):  # undo PNG filters (None, Sub, Up, Average, Paeth)
            left = row[i - 3] if i >= 3 else 0
            up = previous[i]
            up_left = previous[i - 3] if i >= 3 else 0
            if kind == 1:
                row[i] = (row[i] + left) & 0xFF
            elif kind == 2:
                row[i] = (row[i] + up) & 0xFF
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                row[i] = (row[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
        for i in range(0, len(row), 3):
            total += 1
            dark += sum(row[i:i + 3]) < 300
        previous = row
    return dark / total


@pytest.mark.parametrize("kind", ["quote", "contract"])
def test_pdf_renders_chinese_with_the_font_embedded(tenants, manager, tmp_path, kind):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    pdf = bytes(contract.pdf) if kind == "contract" else documents.quote_pdf(contract.revision)
    source = tmp_path / "fonts.pdf"
    source.write_bytes(pdf)
    require_service(shutil.which("pdffonts") is not None, "pdffonts (poppler-utils) is not installed")
    fonts = subprocess.run(["pdffonts", str(source)], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "WenQuanYi" in line or "Micro" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk), fonts  # embedded
    require_service(shutil.which("pdftotext") is not None, "pdftotext is not installed")
    text = subprocess.run(["pdftotext", str(source), "-"], capture_output=True, text=True, check=True).stdout
    assert ("客服外包服务报价单" if kind == "quote" else "电商客服外包服务合同") in text
    assert t1.merchant.name in text
    share = _dark_pixel_share(_render_first_page(pdf, tmp_path))
    assert 0.005 < share < 0.5, share  # ink on the page, not a blank or black page
