"""A merchant's journey in a real browser: session list → viewer with highlighted, masked hits → violations."""

from __future__ import annotations

import json

import pytest

from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.scanning import shop_scan
from tests.factories import PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_merchant_reads_a_session_and_its_violations(page, login, tenants):
    one, two = tenants
    for tenant, sid in ((one, "mine-1"), (two, "theirs-1")):
        line = json.dumps({"session_id": sid, "buyer": "b-1", "messages": [
            {"id": f"{sid}-1", "sender": "buyer", "sent_at": "2026-11-05T10:00:00+08:00", "text": "我电话13812345678"},
            {"id": f"{sid}-2", "sender": "agent", "sent_at": "2026-11-05T10:00:30+08:00", "text": "亲，加我微信聊吧"},
        ]}, ensure_ascii=False)
        sessions_import_file(shop=tenant.shop, data=line.encode(), fmt="jsonl", scan=False)
        shop_scan(shop=tenant.shop)

    login(one.user.username, PASSWORD)
    page.goto("/compliance/sessions/")
    assert page.locator("tr[data-session]").count() == 1
    assert page.locator("tr[data-session=theirs-1]").count() == 0
    page.click("text=mine-1")
    page.wait_for_selector("mark.hit")
    assert "138****5678" in page.inner_text("#msg-mine-1-1")
    assert "13812345678" not in page.content()
    assert page.locator("#msg-mine-1-2 mark.hit").count() >= 1
    page.goto("/compliance/violations/")
    assert page.locator("#violations tbody tr[data-rule]").count() >= 1
