"""In the browser: the manager draws a signature on the canvas, the merchant types theirs, and the signed
PDF's text shows both signatures, their titles, times, the document hash and the certificate page."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from clients.models import Contract
from tests.clients.factories import price_book, sent_contract
from tests.conftest import require_service
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_both_parties_sign_and_the_signed_pdf_shows_both_signatures(browser, live_server, tenants, manager, tmp_path):
    require_service(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    t1, _ = tenants
    price_book()
    contract = sent_contract(tenant=t1, manager=manager)
    staff = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    merchant = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    for page in (staff, merchant):
        page.set_default_timeout(20_000)

    # Manager: name, title, company, and a signature drawn on the canvas
    _sign_in(staff, manager.username)
    staff.goto(f"/clients/contracts/{contract.pk}/")
    staff.fill("#sign-form input[name=signer_name]", "周经理")
    staff.fill("#sign-form input[name=signer_title]", "运营总监")
    canvas = staff.locator("canvas[data-signature-pad]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    staff.mouse.move(box["x"] + 30, box["y"] + 110)
    staff.mouse.down()
    for x, y in ((90, 40), (150, 120), (220, 50), (300, 100), (380, 60)):
        staff.mouse.move(box["x"] + x, box["y"] + y, steps=5)
    staff.mouse.up()
    expect(staff.locator("#sign-form input[name=method][value=drawn]")).to_be_checked()
    assert staff.locator("#sign-form input[name=signature_png]").input_value().startswith("data:image/png;base64,")
    staff.check("#sign-form input[name=confirm]")
    staff.click("#sign-form button[type=submit]")
    expect(staff.locator("tr[data-party=agency]")).to_contain_text("运营总监")
    expect(staff.locator("tr[data-party=agency]")).to_contain_text("手写签名")

    # Merchant: a typed signature in the portal; the contract is then active
    _sign_in(merchant, t1.user.username)
    merchant.goto(f"/clients/portal/contracts/{contract.pk}/")
    merchant.fill("#sign-form input[name=signer_name]", "租户代表")
    merchant.fill("#sign-form input[name=signer_title]", "电商负责人")
    expect(merchant.locator("#sign-form input[name=signer_company]")).to_have_value(t1.merchant.name)
    merchant.check("#sign-form input[name=confirm]")
    merchant.click("#sign-form button[type=submit]")
    expect(merchant.locator("[data-testid=contract-status]")).to_have_text("生效中")

    # The signed PDF, fetched as the merchant sees it
    link = merchant.locator("#signed-pdf")
    expect(link).to_be_visible()
    response = merchant.request.get(link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    source = tmp_path / "signed.pdf"
    source.write_bytes(response.body())
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True, check=True).stdout
    contract = Contract.objects.get(pk=contract.pk)
    for expected in ("周经理", "运营总监", "租户代表", "电商负责人", t1.merchant.name, "电子签署证书",
                     contract.pdf_sha256, "手写签名", "输入姓名"):
        assert expected in text, expected
    assert text.count("签署时间：20") == 2  # both parties' times in the signature block
    images = subprocess.run(["pdfimages", "-list", str(source)], capture_output=True, text=True, check=True).stdout
    kinds = [line.split()[2] for line in images.strip().splitlines()[2:]]
    assert kinds.count("image") == 1  # the manager's drawn signature, as an image
    for page in (staff, merchant):
        page.context.close()
