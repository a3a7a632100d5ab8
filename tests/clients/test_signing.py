"""Signing like a document tool: a signature block with both parties' name, title and company; a drawn
(PNG) or typed signature; the signed PDF carries both, their times, the document hash and a certificate."""

from __future__ import annotations

import base64
import shutil
import subprocess
from io import BytesIO

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw

from clients.models import ContractSignature
from clients.sales import documents, services
from clients.sales.errors import BusinessRuleError
from tests.clients.factories import price_book, sent_contract
from tests.conftest import require_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def book():
    return price_book()


def _png(width: int = 300, height: int = 100) -> bytes:
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (280, 30)], fill=(17, 24, 39, 255), width=4)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _pdf_text(pdf: bytes, tmp_path) -> str:
    require_service(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    source = tmp_path / "signed.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True, check=True).stdout


def test_the_sent_contract_has_an_empty_signature_block_naming_both_companies(tenants, manager, tmp_path, settings):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    text = _pdf_text(bytes(contract.pdf), tmp_path)
    assert "签署栏" in text and "甲方（委托方）" in text and "乙方（服务方）" in text
    assert t1.merchant.name in text and settings.AGENCY_COMPANY_NAME in text


def test_the_signed_pdf_shows_both_signatures_times_hash_and_certificate(tenants, manager, tmp_path):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    services.contract_sign(contract=contract, by=manager, signer_name="周经理", signer_title="运营总监",
                           signer_company="", document_sha256=contract.pdf_sha256, signature_png=_png(),
                           ip_address="10.1.2.3", user_agent="Chromium test")
    services.contract_sign(contract=contract, by=t1.user, signer_name="租户代表", signer_title="电商负责人",
                           signer_company="", document_sha256=contract.pdf_sha256, ip_address="203.0.113.7")
    signatures = list(contract.signatures.select_related("signed_by"))
    agency, merchant = (next(s for s in signatures if s.party == p) for p in ("agency", "merchant"))
    assert agency.method == "drawn" and bytes(agency.image).startswith(b"\x89PNG")
    assert merchant.method == "typed" and merchant.image is None
    assert merchant.signer_company == t1.merchant.name  # the company defaults to the party's own

    contract.refresh_from_db()
    pdf = documents.signed_contract_pdf(contract, signatures)
    text = _pdf_text(pdf, tmp_path)
    for expected in ("周经理", "运营总监", "租户代表", "电商负责人", "电子签署证书", contract.pdf_sha256,
                     "203.0.113.7", "10.1.2.3", "手写签名", "输入姓名"):
        assert expected in text, expected
    for sig in signatures:
        from django.utils import timezone

        assert f"{timezone.localtime(sig.signed_at):%Y-%m-%d %H:%M:%S}" in text
    require_service(shutil.which("pdfimages") is not None, "pdfimages (poppler-utils) is not installed")
    (tmp_path / "s.pdf").write_bytes(pdf)
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "s.pdf")], capture_output=True, text=True,
                            check=True).stdout.strip().splitlines()[2:]
    assert [line.split()[2] for line in images] == ["image", "smask"]  # the drawn signature (with its alpha)


def test_a_bad_drawn_signature_is_refused_and_nothing_is_signed(tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    for bad in (b"GIF89a....", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, _png(5000, 20)):
        with pytest.raises(BusinessRuleError):
            services.contract_sign(contract=contract, by=manager, signer_name="周经理", signer_title="总监",
                                   document_sha256=contract.pdf_sha256, signature_png=bad)
    assert not ContractSignature.objects.exists()


def test_the_sign_form_names_what_is_missing_and_the_signed_pdf_is_the_callers_only(client, tenants, manager):
    t1, t2 = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    client.force_login(manager)
    url = reverse("clients:contract-sign", args=[contract.pk])
    base = {"signer_name": "周经理", "signer_title": "", "signer_company": "机构", "method": "drawn",
            "signature_png": "", "document_sha256": contract.pdf_sha256, "confirm": "on"}
    page = client.post(url, base, follow=True)
    html = page.content.decode()
    assert page.status_code == 200 and "职务" in html and "请在签名框内手写签名" in html
    assert not ContractSignature.objects.exists()
    drawn = "data:image/png;base64," + base64.b64encode(_png()).decode()
    client.post(url, {**base, "signer_title": "运营总监", "signature_png": drawn})
    signature = ContractSignature.objects.get()
    assert signature.method == "drawn" and signature.ip_address == "127.0.0.1"
    signed = client.get(reverse("clients:contract-signed-pdf", args=[contract.pk]))
    assert signed.status_code == 200 and signed["Content-Type"] == "application/pdf"
    client.force_login(t2.user)
    assert client.get(reverse("clients:contract-signed-pdf", args=[contract.pk])).status_code == 404
