"""The demo sessions load idempotently, for every demo shop, scanned, with violations in them."""

from __future__ import annotations

import pytest

from agency import demo as agency_demo
from clients.handover import demo as handover_demo
from clients.merchants import demo as merchants_demo
from clients.models import Shop
from clients.sales import demo as sales_demo
from compliance.models import ChatMessage, ChatSession
from compliance.rules import demo as rules_demo
from compliance.sessions import demo as compliance_demo
from compliance.sessions.selectors import current_hits

pytestmark = pytest.mark.django_db


def test_demo_sessions_are_idempotent_and_scanned(monkeypatch):
    monkeypatch.setattr(compliance_demo, "DAYS", 3)
    logs: list[str] = []
    agency_demo.load(password="demo-pass-123", log=logs.append)
    for clients_demo in (merchants_demo, sales_demo, handover_demo):
        clients_demo.load(password="demo-pass-123", log=logs.append)
    rules_demo.load(password="demo-pass-123", log=logs.append)  # before the sessions, as demo_data runs them
    compliance_demo.load(password="demo-pass-123", log=logs.append)
    counts = (ChatSession.objects.count(), ChatMessage.objects.count(), current_hits().count())
    assert all(ChatSession.objects.filter(shop=shop).exists() for shop in Shop.objects.all())
    assert not ChatMessage.objects.filter(scanned_ruleset__isnull=True).exists()
    assert current_hits().exclude(message__sender="buyer").exists()
    assert ChatMessage.objects.filter(sender="agent", agent__isnull=False).exists()
    compliance_demo.load(password="demo-pass-123", log=logs.append)
    assert (ChatSession.objects.count(), ChatMessage.objects.count(), current_hits().count()) == counts
