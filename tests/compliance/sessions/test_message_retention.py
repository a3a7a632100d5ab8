"""Message retention: months older than MESSAGE_RETENTION_MONTHS go whole. On PostgreSQL each such month's
partition is dropped (no row-by-row delete); elsewhere its rows are deleted. The hits of those messages and the
sessions that started before the first kept month go with them (a session that ran over the month boundary
goes whole); kept months, other figures and a second run are untouched."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from compliance.sessions.models import ChatMessage, ChatSession, Hit
from compliance.sessions.services import partitions
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.retention import messages_retention_first_kept_month
from compliance.sessions.services.scanning import shops_scan
from compliance.sessions.sessionfile import SHANGHAI
from compliance.sessions.tasks import messages_retention
from tests.conftest import require_service

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 10, 0, tzinfo=SHANGHAI)


def _session(shop, session_id: str, started: datetime, minutes: int = 5) -> None:
    line = {"session_id": session_id, "buyer": f"buyer-{session_id}", "messages": [
        {"id": f"{session_id}-1", "sender": "buyer", "sent_at": started.isoformat(), "text": "在吗"},
        {"id": f"{session_id}-2", "sender": "agent", "agent": "a01",
         "sent_at": (started + timedelta(minutes=minutes)).isoformat(), "text": "亲，加微信吧"},
    ]}
    sessions_import_file(shop=shop, data=(json.dumps(line) + "\n").encode(), fmt="jsonl", scan=False)


@pytest.fixture
def months(tenants, library):
    one, two = tenants
    _session(one.shop, "november", datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI))
    _session(two.shop, "december", datetime(2026, 12, 5, 9, 0, tzinfo=SHANGHAI))
    # Starts before the first kept month and ends in it: the session goes whole, its January message too.
    _session(one.shop, "new-year", datetime(2026, 12, 31, 23, 58, tzinfo=SHANGHAI), minutes=5)
    _session(one.shop, "january", datetime(2027, 1, 1, 0, 30, tzinfo=SHANGHAI))
    _session(two.shop, "march", datetime(2027, 3, 2, 9, 0, tzinfo=SHANGHAI))
    shops_scan(shops=[one.shop, two.shop])
    return one.shop, two.shop


def _left() -> dict:
    return {
        "sessions": sorted(ChatSession.objects.values_list("external_id", flat=True)),
        "messages": ChatMessage.objects.count(),
        "hit_sessions": sorted(set(Hit.objects.values_list("message__session__external_id", flat=True))),
    }


def test_the_first_kept_month_counts_whole_months_back():
    assert str(messages_retention_first_kept_month(now=NOW, months=2)) == "2027-01-01"
    assert str(messages_retention_first_kept_month(now=NOW, months=14)) == "2026-01-01"
    assert messages_retention_first_kept_month(now=NOW, months=0) is None


def test_months_before_the_retention_period_go_whole_with_their_sessions_and_hits(months, settings):
    settings.MESSAGE_RETENTION_MONTHS = 2
    assert _left()["messages"] == 10 and len(_left()["hit_sessions"]) == 5
    with time_machine.travel(NOW, tick=False):
        result = messages_retention()
    assert result["kept_from"] == "2027-01"
    assert _left() == {"sessions": ["january", "march"], "messages": 4, "hit_sessions": ["january", "march"]}
    # Hits of the dropped months' messages (2); the new-year session's hit lies in January and went with it.
    assert result["hits"] == 2 and result["sessions"] == 3
    with time_machine.travel(NOW, tick=False):
        again = messages_retention()
    assert (again["months_dropped"], again["messages"], again["hits"], again["sessions"]) == ([], 0, 0, 0)
    assert _left()["messages"] == 4


def test_on_postgresql_the_old_months_partitions_are_dropped(months, settings):
    require_service(connection.vendor == "postgresql", "message partitions are PostgreSQL's")
    settings.MESSAGE_RETENTION_MONTHS = 2
    names = {p.name for p in partitions.messages_partitions()}
    assert {"compliance_chatmessage_p2026_11", "compliance_chatmessage_p2026_12"} <= names
    with time_machine.travel(NOW, tick=False):
        result = messages_retention()
    assert result["months_dropped"] == ["2026-11", "2026-12"]
    assert result["messages"] == 0  # nothing deleted row by row: the months went with their partitions
    names = {p.name for p in partitions.messages_partitions()}
    assert "compliance_chatmessage_p2026_11" not in names and "compliance_chatmessage_p2026_12" not in names
    assert {"compliance_chatmessage_p2027_01", "compliance_chatmessage_p2027_03"} <= names
    assert ChatMessage.objects.filter(sent_at__lt=datetime(2027, 1, 1, tzinfo=SHANGHAI)).count() == 0


def test_zero_months_keeps_everything_and_the_command_says_so(months, settings, capsys):
    settings.MESSAGE_RETENTION_MONTHS = 0
    with time_machine.travel(NOW, tick=False):
        assert messages_retention() is None
        call_command("messages_retention")
    assert "nothing removed" in capsys.readouterr().out
    assert _left()["messages"] == 10
    with time_machine.travel(NOW, tick=False):
        call_command("messages_retention", "--months", "2")
    assert "kept from 2027-01" in capsys.readouterr().out
    assert _left()["sessions"] == ["january", "march"]
