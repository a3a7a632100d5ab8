"""contracts §7 on crafted sessions, through the pure module and the `session_metrics` command."""

from __future__ import annotations

import io
import json
from datetime import time

import pytest
from django.core.management import call_command

from compliance.quality.metrics.definitions import DEFAULT_SLA, Message, Sla, constant_sla, session_metrics
from compliance.quality.models import SlaProfile
from tests.quality.factories import (
    EDGES,
    EDGES_EXPECTED,
    HOLIDAY,
    HOLIDAY_EXPECTED_DEFAULT,
    HOLIDAY_EXPECTED_WITH_HOLIDAY_WINDOW,
    MIDNIGHT,
    MIDNIGHT_EXPECTED,
    as_jsonl,
    at,
)


def figures(script, sla=DEFAULT_SLA["pdd"]):
    messages = [Message(sender=s, sent_at=at(t), agent="a01" if s == "agent" else None) for s, t in script]
    result = session_metrics(messages, constant_sla(sla)).as_contract("x")
    result.pop("session_id")
    return result


def test_window_edges_bot_and_system_messages():
    assert figures(EDGES) == EDGES_EXPECTED


def test_session_across_midnight():
    assert figures(MIDNIGHT) == MIDNIGHT_EXPECTED


def test_jd_target_is_thirty_seconds_from_nine():
    script = [("buyer", "2026-11-03 08:59:00"), ("agent", "2026-11-03 08:59:20"),
              ("buyer", "2026-11-03 09:00:00"), ("agent", "2026-11-03 09:00:30"),
              ("buyer", "2026-11-03 09:10:00"), ("agent", "2026-11-03 09:10:31")]
    result = figures(script, DEFAULT_SLA["jd"])
    assert result["counted_turns"] == 2 and result["answered_within_target"] == 1
    assert result["first_response_seconds"] == 30.0 and result["avg_response_seconds"] == 30.5


def test_nothing_counted_gives_nulls():
    result = figures([("buyer", "2026-11-03 03:00:00"), ("agent", "2026-11-03 03:20:00")])
    assert result == {
        "counted_turns": 0, "answered_within_target": 0, "reply_rate": None, "first_response_seconds": None,
        "avg_response_seconds": None, "five_minute_nonreply": False, "unserved": False,
    }


def test_first_counted_turn_unanswered_gives_null_first_response():
    result = figures([("buyer", "2026-11-03 10:00:00"), ("bot", "2026-11-03 10:00:01")])
    assert result["first_response_seconds"] is None and result["unserved"] is True
    assert result["avg_response_seconds"] is None and result["reply_rate"] == 0.0


def test_window_that_wraps_midnight():
    night = Sla(time(20), time(2), 180.0)
    result = figures([("buyer", "2026-11-03 01:00:00"), ("agent", "2026-11-03 01:01:00"),
                      ("buyer", "2026-11-03 03:00:00"), ("agent", "2026-11-03 03:01:00")], night)
    assert result["counted_turns"] == 1


def run_command(stdin_text: str, platform: str, monkeypatch) -> tuple[list[dict], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin_text))
    out, err = io.StringIO(), io.StringIO()
    call_command("session_metrics", platform=platform, stdout=out, stderr=err)
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


@pytest.mark.django_db
def test_command_prints_one_object_per_session_in_order(monkeypatch):
    text = "\n".join([as_jsonl("s1", EDGES), as_jsonl("s2", MIDNIGHT), as_jsonl("s3", HOLIDAY)]) + "\n"
    rows, _ = run_command(text, "pdd", monkeypatch)
    assert [r["session_id"] for r in rows] == ["s1", "s2", "s3"]
    assert {k: v for k, v in rows[0].items() if k != "session_id"} == EDGES_EXPECTED
    assert {k: v for k, v in rows[1].items() if k != "session_id"} == MIDNIGHT_EXPECTED
    assert {k: v for k, v in rows[2].items() if k != "session_id"} == HOLIDAY_EXPECTED_DEFAULT


@pytest.mark.django_db
def test_command_uses_the_profiles_holiday_window(monkeypatch):
    SlaProfile.objects.update_or_create(
        platform="pdd", defaults={"holiday_window_start": time(10), "holiday_window_end": time(18)}
    )
    rows, _ = run_command(as_jsonl("h", HOLIDAY) + "\n", "pdd", monkeypatch)
    assert {k: v for k, v in rows[0].items() if k != "session_id"} == HOLIDAY_EXPECTED_WITH_HOLIDAY_WINDOW
    # an ordinary Tuesday keeps the ordinary window
    rows, _ = run_command(as_jsonl("e", EDGES) + "\n", "pdd", monkeypatch)
    assert rows[0]["counted_turns"] == 3


@pytest.mark.django_db
def test_command_bad_line_names_the_line_and_exits_2(monkeypatch):
    text = as_jsonl("ok", EDGES) + "\n" + '{"session_id": "bad", "messages": [{"sender": "buyer"}]}\n' + "nonsense\n"
    with pytest.raises(SystemExit) as exit_info:
        run_command(text, "pdd", monkeypatch)
    assert exit_info.value.code == 2


@pytest.mark.django_db
def test_command_bad_line_message(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(as_jsonl("ok", EDGES) + "\n{\"session_id\": \"x\"}\n"))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit):
        call_command("session_metrics", platform="jd", stdout=out, stderr=err)
    assert "line 2" in err.getvalue() and "messages" in err.getvalue()
    assert out.getvalue() == ""  # nothing half-written
