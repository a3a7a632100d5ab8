"""PIPL retention: after the retention period of the shop's contract, buyers' message text and ids are
pseudonymised by the daily beat task; sessions, messages, hits and their counts stay, agents' messages
stay, other shops and recent sessions are untouched, and running it again changes nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db.models import Count

from agency.models import AuditEvent
from clients.sales import services as sales
from compliance.sessions.models import ChatMessage, ChatSession, Hit, Sender
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.retention import buyer_pseudonym
from compliance.sessions.services.scanning import shops_scan
from compliance.sessions.sessionfile import SHANGHAI
from compliance.sessions.tasks import buyer_data_retention
from tests.clients.factories import sent_quote

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=SHANGHAI)
PHONE_TEXT = "我的电话13800138000，快点发货"
AGENT_TEXT = "亲，加微信吧"


def _import(shop, session_id: str, buyer: str, ended: datetime) -> None:
    line = {"session_id": session_id, "buyer": buyer, "messages": [
        {"id": f"{session_id}-1", "sender": "buyer", "sent_at": (ended - timedelta(minutes=5)).isoformat(), "text": PHONE_TEXT},
        {"id": f"{session_id}-2", "sender": "agent", "agent": "a01", "sent_at": ended.isoformat(), "text": AGENT_TEXT},
    ]}
    sessions_import_file(shop=shop, data=(json.dumps(line) + "\n").encode(), fmt="jsonl", scan=False)


@pytest.fixture
def shops(tenants, manager, shipped_library):
    one, two = tenants
    with time_machine.travel(NOW - timedelta(days=200), tick=False):
        quote = sent_quote(tenant=one, manager=manager)
        sales.quote_accept(quote=quote, revision=1, by=one.user)
        contract = sales.contract_create(quote=quote, by=manager, start_date=(NOW - timedelta(days=200)).date(),
                                         buyer_data_retention_days=30)
        sales.contract_send(contract=contract, by=manager)
    _import(one.shop, "old", "buyer-zhang", NOW - timedelta(days=40))
    _import(one.shop, "old-same-buyer", "buyer-zhang", NOW - timedelta(days=35))
    _import(one.shop, "recent", "buyer-li", NOW - timedelta(days=10))
    _import(two.shop, "other-old", "buyer-wang", NOW - timedelta(days=40))  # no contract: 180 days by default
    shops_scan(shops=[one.shop, two.shop])
    return one.shop, two.shop


def _figures(shop) -> dict:
    messages = ChatMessage.objects.filter(shop=shop)
    return {
        "sessions": ChatSession.objects.filter(shop=shop).count(),
        "messages": messages.count(),
        "buyers": ChatSession.objects.filter(shop=shop).values("buyer").distinct().count(),
        "hits": dict(Hit.objects.filter(message__shop=shop).values_list("category").annotate(n=Count("*"))),
        "text_lengths": sorted(len(t) for t in messages.values_list("text", flat=True)),
    }


def test_expired_buyer_data_is_pseudonymised_and_the_figures_keep_their_counts(shops, settings):
    settings.BUYER_DATA_RETENTION_DAYS = 180
    one, two = shops
    before = {one.code: _figures(one), two.code: _figures(two)}
    assert before[one.code]["hits"].get("contact_info") == 3  # the phone in each buyer message
    with time_machine.travel(NOW, tick=False):
        done = buyer_data_retention.delay().get()
    assert done == {one.code: {"sessions": 2, "messages": 2, "hits": 2}}
    assert {one.code: _figures(one), two.code: _figures(two)} == before  # counts, lengths, distinct buyers

    old = ChatSession.objects.get(shop=one, external_id="old")
    same = ChatSession.objects.get(shop=one, external_id="old-same-buyer")
    assert old.buyer == same.buyer == buyer_pseudonym(shop_id=one.pk, buyer="buyer-zhang") != "buyer-zhang"
    assert old.buyer_data_purged_at is not None
    buyer_message = old.messages.get(sender=Sender.BUYER)
    assert buyer_message.text == "*" * len(PHONE_TEXT)
    assert "138" not in "".join(Hit.objects.filter(message=buyer_message).values_list("matched", flat=True))
    assert old.messages.get(sender=Sender.AGENT).text == AGENT_TEXT  # the agency's own work stays
    recent = ChatSession.objects.get(shop=one, external_id="recent")
    assert recent.buyer == "buyer-li" and recent.messages.get(sender=Sender.BUYER).text == PHONE_TEXT
    other = ChatSession.objects.get(shop=two, external_id="other-old")
    assert other.buyer == "buyer-wang" and other.buyer_data_purged_at is None
    assert AuditEvent.objects.filter(verb="buyer_data.purge", object_id=str(one.pk)).count() == 1

    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert buyer_data_retention.delay().get() == {}  # nothing more is due: idempotent


def test_the_default_period_applies_without_a_contract(shops, settings):
    settings.BUYER_DATA_RETENTION_DAYS = 20
    _one, two = shops
    with time_machine.travel(NOW, tick=False):
        done = buyer_data_retention.delay().get()
    assert done[two.code] == {"sessions": 1, "messages": 1, "hits": 1}


def test_the_retention_page_shows_what_is_kept_and_until_when(shops, client, manager, tenants, settings):
    settings.BUYER_DATA_RETENTION_DAYS = 180
    one, two = shops
    with time_machine.travel(NOW, tick=False):
        buyer_data_retention.delay().get()
    client.force_login(manager)
    response = client.get("/compliance/retention/")
    assert response.status_code == 200
    rows = {row.shop.code: row for row in response.context["rows"]}
    assert rows[one.code].days == 30 and rows[one.code].contract_number and rows[one.code].kept_sessions == 1
    assert rows[one.code].purged_sessions == 2
    assert rows[one.code].next_purge_at == NOW - timedelta(days=10) + timedelta(days=30)
    assert rows[two.code].days == 180 and rows[two.code].contract_number is None
    assert rows[two.code].next_purge_at == NOW - timedelta(days=40) + timedelta(days=180)
    client.force_login(tenants[0].user)
    assert client.get("/compliance/retention/").status_code == 403


def test_staff_views_of_a_buyers_data_are_audited_and_merchants_own_views_are_not(
    shops, client, manager, inspector, tenants, api_client_for
):
    one, _two = shops
    session = ChatSession.objects.get(shop=one, external_id="old")
    client.force_login(inspector)
    assert client.get(f"/compliance/sessions/{session.pk}/").status_code == 200
    assert api_client_for(manager).get(f"/api/sessions/{session.pk}/").status_code == 200
    client.force_login(tenants[0].user)
    assert client.get(f"/compliance/sessions/{session.pk}/").status_code == 200
    views = AuditEvent.objects.filter(verb="buyer_data.view", object_id=str(session.pk))
    assert sorted((e.actor.username, e.data["where"]) for e in views) == sorted([
        (inspector.username, "compliance:session-detail"), (manager.username, "api:session-detail"),
    ])
    assert all(e.merchant_id == one.merchant_id for e in views)


def test_staff_lists_of_buyers_are_audited_per_merchant(shops, client, inspector, tenants, api_client_for, manager):
    one, two = shops
    client.force_login(inspector)
    assert client.get("/compliance/sessions/").status_code == 200
    lines = AuditEvent.objects.filter(verb="buyer_data.view_list", actor=inspector)
    assert {e.merchant_id: len(e.data["sessions"]) for e in lines} == {one.merchant_id: 3, two.merchant_id: 1}
    assert api_client_for(manager).get("/api/sessions/").status_code == 200
    assert AuditEvent.objects.filter(verb="buyer_data.view_list", actor=manager).count() == 2
    client.force_login(tenants[0].user)
    client.get("/compliance/sessions/")
    assert not AuditEvent.objects.filter(verb="buyer_data.view_list", actor=tenants[0].user).exists()
