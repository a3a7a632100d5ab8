"""The pure adherence engine (contracts §10) against the hand-computed cases in `crafted.py`."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from compliance.adherence.engine import InputError, ShopLog, adherence, parse_roster, parse_session_line, shift_bounds
from tests.compliance.adherence import crafted


def _log() -> ShopLog:
    log = ShopLog()
    for session_id, shop, messages in crafted.SESSIONS:
        parsed_shop, lines = parse_session_line(json.dumps({"session_id": session_id, "messages": messages}), shop)
        log.add_session(parsed_shop, lines)
    return log


def test_crafted_cases_by_hand():
    slot_minutes, shifts = parse_roster({"slot_minutes": 30, "shift_templates": crafted.TEMPLATES,
                                         "assignments": crafted.ASSIGNMENTS})
    rows = [r.as_contract() for r in adherence(shifts, _log(), slot_minutes=slot_minutes, grace_minutes=10)]
    assert rows == crafted.EXPECTED


def test_grace_zero_and_bigger_slots():
    _, shifts = parse_roster({"shift_templates": crafted.TEMPLATES, "assignments": crafted.ASSIGNMENTS[:1]})
    # No grace: a01 answered 20 min after the start while a buyer waited.
    (row,) = adherence(shifts, _log(), grace_minutes=0)
    assert row.late_minutes == 20
    # Hour slots: demand in 08, 09, 10, 12 (10:00 and 10:59 share the 10-11 hour) = 4; active 08, 09 = 2.
    (row,) = adherence(shifts, _log(), slot_minutes=60, grace_minutes=10)
    assert (row.demand_slots, row.active_demand_slots) == (4, 2)


def test_shift_past_midnight_and_odd_length():
    starts, ends = shift_bounds(date(2026, 12, 31), time(22, 0), time(2, 0))
    assert (starts.isoformat(), ends.isoformat()) == ("2026-12-31T22:00:00+08:00", "2027-01-01T02:00:00+08:00")
    # A shift of 45 minutes has two slots: 30 min and a last one of 15.
    log = ShopLog()
    _, lines = parse_session_line(json.dumps({"session_id": "x", "messages": [
        crafted.msg("buyer", "2026-12-01T08:40:00+08:00"),
        crafted.msg("buyer", "2026-12-01T08:46:00+08:00"),  # after the end: no slot
    ]}), "A")
    log.add_session("A", lines)
    _, shifts = parse_roster({"slot_minutes": 30, "shift_templates": [{"code": "S", "start": "08:00", "end": "08:45"}],
                              "assignments": [{"agent": "a", "date": "2026-12-01", "shift": "S", "shop": "A"}]})
    (row,) = adherence(shifts, log)
    assert row.demand_slots == 1 and row.no_show and row.idle_waits == 1


@pytest.mark.parametrize(("data", "where"), [
    ([], ""),
    ({"slot_minutes": 0, "shift_templates": crafted.TEMPLATES, "assignments": []}, "slot_minutes"),
    ({"shift_templates": [{"code": "E", "start": "8am", "end": "16:00"}], "assignments": []}, "shift_templates[0].start"),
    ({"shift_templates": crafted.TEMPLATES, "assignments": [{"agent": "a", "date": "2026-12-01", "shift": "X", "shop": "A"}]},
     "assignments[0].shift"),
    ({"shift_templates": crafted.TEMPLATES, "assignments": [{"agent": "a", "date": "1.12.", "shift": "E", "shop": "A"}]},
     "assignments[0].date"),
])
def test_roster_errors_name_the_field(data, where):
    with pytest.raises(InputError) as caught:
        parse_roster(data)
    assert caught.value.where == where


def test_session_line_shop_wins_and_errors():
    shop, _ = parse_session_line('{"session_id": "s", "shop": "B", "messages": [{"sender": "buyer", "sent_at": "2026-12-01T08:00:00"}]}', "A")
    assert shop == "B"
    with pytest.raises(InputError) as caught:
        parse_session_line('{"session_id": "s", "messages": [{"sender": "buyer", "sent_at": "2026-12-01T08:00:00"}]}', None)
    assert caught.value.where == "shop"
    with pytest.raises(InputError) as caught:
        parse_session_line('{"session_id": "s", "messages": [{"sender": "boss", "sent_at": "2026-12-01T08:00:00"}]}', "A")
    assert caught.value.where == "messages[0].sender"
