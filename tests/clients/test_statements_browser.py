"""In the browser: a manager imports a shop's orders, issues the month's statement; the merchant disputes a
line; the manager answers with a revised version; the merchant confirms it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clients.statements.models import Statement
from compliance.quality.sales.models import Order
from compliance.sessions.services.importing import sessions_import_file
from tests.clients.statement_setup import HEADER, live_contract
from tests.factories import PASSWORD, AgentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_orders_to_a_disputed_revised_and_confirmed_statement(browser, live_server, tenants, manager, tmp_path):
    t1, _ = tenants
    # No frozen clock (the browser keeps real time for its cookies): everything is placed in last month.
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    AgentFactory(code="a01")
    live_contract(tenant=t1, manager=manager, start=month)
    day = month + timedelta(days=4)
    sessions = [{"session_id": f"s{n}", "buyer": f"buyer-{n}", "messages": [
        {"id": f"m{n}", "sender": "agent", "agent": "a01", "sent_at": f"{day}T10:0{n}:00+08:00", "text": "亲"}]}
        for n in range(3)]
    sessions_import_file(shop=t1.shop, data="\n".join(json.dumps(s) for s in sessions).encode(), fmt="jsonl",
                         scan=False)
    orders = tmp_path / "orders.csv"
    orders.write_text(HEADER + f"o1,buyer-0,{day}T11:00:00+08:00,{day}T11:02:00+08:00,5000.00,\n"
                      f"o2,someone,{day}T12:00:00+08:00,{day}T12:01:00+08:00,80.00,\n", encoding="utf-8")

    staff = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    merchant = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    for page in (staff, merchant):
        page.set_default_timeout(20_000)

    # Manager: import the shop's orders; the job attributes them
    _sign_in(staff, manager.username)
    staff.goto("/quality/orders/import/")
    staff.select_option("#order-import-form select[name=shop]", t1.shop.code)
    staff.set_input_files("#order-import-form input[name=file]", str(orders))
    staff.click("#order-import-form button[type=submit]")
    expect(staff.locator("#import-job")).to_contain_text("新增 2 个订单")
    assert Order.objects.get(external_id="o1").agent_code == "a01"
    assert Order.objects.get(external_id="o2").attributed_at is None  # silent

    # Manager: generate last month's statements, open this contract's, issue it
    staff.goto("/clients/statements/")
    staff.fill("#generate-form input[name=month]", f"{month:%Y-%m}")
    staff.click("#generate-form button[type=submit]")
    staff.wait_for_load_state("networkidle")
    statement = Statement.objects.get(contract__merchant=t1.merchant)
    staff.goto(f"/clients/statements/{statement.pk}/")
    expect(staff.locator("tr[data-line=commission]")).to_contain_text("1 个客服促成订单")
    staff.click("#issue")
    expect(staff.locator("[data-status]")).to_have_text("待确认")

    # Merchant: dispute the session line with a comment
    _sign_in(merchant, t1.user.username)
    merchant.goto("/clients/statements/")
    merchant.get_by_role("link", name=statement.number).click()
    merchant.select_option("#dispute-form select[name=line]", "sessions")
    merchant.fill("#dispute-form textarea[name=comment]", "会话数多算了")
    merchant.click("#dispute-form button[type=submit]")
    expect(merchant.locator("[data-status]")).to_have_text("有异议")
    expect(merchant.locator(".dispute")).to_contain_text("会话数多算了")

    # Manager: answer with a revised version (−1.00) and issue it
    staff.reload()
    staff.fill("#revise-form textarea[name=answer]", "已核对，减免 1 元")
    staff.fill("#revise-form input[name=adjustment]", "-1.00")
    staff.click("#revise-form button[type=submit]")
    expect(staff.locator("h1")).to_contain_text("-v2")
    staff.click("#issue")
    expect(staff.locator("[data-status]")).to_have_text("待确认")

    # Merchant: the old version is kept (superseded); confirm the revised one
    revised = Statement.objects.get(previous=statement)
    merchant.goto(f"/clients/statements/{revised.pk}/")
    merchant.click("#confirm")
    expect(merchant.locator("[data-status]")).to_have_text("已确认")
    statement.refresh_from_db()
    revised.refresh_from_db()
    assert (statement.status, revised.status) == ("superseded", "confirmed")
    assert revised.total == statement.total - 1
