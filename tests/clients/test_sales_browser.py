"""A manager takes a consultation to a signed contract in the browser; the merchant accepts and signs in theirs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.models import Contract, Engagement, Quote
from tests.clients.factories import price_book
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_consultation_to_signed_contract(browser, live_server, tenants, manager):
    t1, _ = tenants
    price_book()
    staff = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    merchant = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    for page in (staff, merchant):
        page.set_default_timeout(20_000)

    # Manager: a new consultation
    _sign_in(staff, manager.username)
    staff.goto("/clients/engagements/new/")
    staff.select_option("select[name=merchant]", label=t1.merchant.name)
    staff.fill("input[name=title]", "浏览器测试项目")
    staff.check(f"input[name=shops][value='{t1.shop.pk}']")
    staff.fill("input[name=daily_volume]", "1200")
    staff.fill("input[name=next_step]", "发送报价")
    staff.fill("input[name=next_step_due]", "2030-01-15")
    staff.click("#consultation-form button[type=submit]")
    expect(staff.locator("h1")).to_contain_text("浏览器测试项目")
    engagement = Engagement.objects.get(title="浏览器测试项目")

    # Manager: quote it (the derivation is on the page) and send it
    staff.click("#quote-create button[type=submit]")
    expect(staff.locator("h1")).to_contain_text("报价单")
    expect(staff.get_by_text("席位如何得出")).to_be_visible()
    quote = Quote.objects.get(engagement=engagement)
    expect(staff.locator("[data-testid=seats]")).to_have_text(str(quote.revisions.get().seats))
    staff.get_by_role("button", name=re.compile("发送第 1 版给商家")).click()
    expect(staff.locator("[data-testid=quote-status]")).to_have_text("已发送")

    # Merchant: accept in the portal
    _sign_in(merchant, t1.user.username)
    merchant.goto("/clients/quotes/")
    merchant.get_by_role("link", name=quote.number).click()
    merchant.click("#accept-form button[type=submit]")
    expect(merchant.locator("[data-testid=quote-status]")).to_have_text("已接受")

    # Manager: contract from the accepted revision, send, sign
    staff.reload()
    staff.click("#contract-create button[type=submit]")
    expect(staff.locator("[data-testid=contract-status]")).to_have_text("草稿")
    staff.get_by_role("button", name="定稿并发送签署").click()
    expect(staff.locator("[data-testid=contract-status]")).to_have_text("待签署")
    contract = Contract.objects.get(engagement=engagement)
    expect(staff.locator("[data-testid=pdf-sha256]")).to_have_text(contract.pdf_sha256)
    staff.fill("#sign-form input[name=signer_name]", "周经理")
    staff.fill("#sign-form input[name=signer_title]", "运营总监")
    staff.check("#sign-form input[name=confirm]")
    staff.click("#sign-form button[type=submit]")
    expect(staff.locator("tr[data-party=agency]")).to_contain_text("周经理")

    # Merchant: sign in the portal; the contract is then active
    merchant.goto("/clients/contracts/")
    merchant.get_by_role("link", name=contract.number).click()
    merchant.fill("#sign-form input[name=signer_name]", "租户代表")
    merchant.fill("#sign-form input[name=signer_title]", "店长")
    merchant.check("#sign-form input[name=confirm]")
    merchant.click("#sign-form button[type=submit]")
    expect(merchant.locator("[data-testid=contract-status]")).to_have_text("生效中")
    expect(merchant.locator("tr[data-party=merchant]")).to_contain_text(contract.pdf_sha256)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.HANDOVER

    # Signing again through the page is refused with the reason
    merchant.goto(f"/clients/portal/contracts/{contract.pk}/")
    assert merchant.locator("#sign-form").count() == 0
    for page in (staff, merchant):
        page.context.close()
