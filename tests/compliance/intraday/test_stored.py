"""The stored intraday path on the crafted day of `day_data.py` (a real database), and the command."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agency.models import AuditEvent
from compliance.intraday.models import IntradayShopDay, IntradaySuggestion
from compliance.intraday.services import intraday_compute, intraday_refresh, intraday_suggestion_accept
from tests.compliance.intraday.day_data import DAY, NOW, at, load_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_db(time_machine, tenants):
    time_machine.move_to(NOW, tick=False)
    return load_day()


def _half(row: IntradayShopDay, slot: str) -> dict:
    return next(h for h in row.half_hours if h["slot"] == slot)


def test_refresh_stores_the_reforecast_gaps_and_suggestions(day_db, manager):
    assert intraday_refresh(day=DAY) == 4  # ia, ib and the two tenants' shops
    ia = IntradayShopDay.objects.get(shop=day_db["shops"]["ia"], date=DAY)
    ib = IntradayShopDay.objects.get(shop=day_db["shops"]["ib"], date=DAY)
    assert (ia.ratio, ia.ratio_reason) == (2.0, "measured")
    assert [_half(ia, s)["actual"] for s in ("08:00", "08:30", "09:00", "09:30")] == [20, 20, 1, 0]
    assert _half(ia, "09:00") | {} == {
        "slot": "09:00", "elapsed": False, "in_window": True, "forecast": 10.0, "actual": 1, "reforecast": 20.0,
        "required": 3, "rostered": 2, "gap": 1,
    }
    assert [(_half(ia, s)["required"], _half(ia, s)["rostered"]) for s in ("09:30", "10:00", "10:30", "11:00")] == [
        (3, 2), (3, 1), (3, 1), (0, 1),
    ]
    assert (ia.short_half_hours, ia.largest_gap) == (4, 2)
    assert (ib.ratio, ib.ratio_reason) == (0.5, "measured")
    assert [(_half(ib, s)["reforecast"], _half(ib, s)["required"], _half(ib, s)["rostered"]) for s in ("09:30",)] == [
        (5.0, 2, 4),
    ]
    suggestions = list(IntradaySuggestion.objects.order_by("kind", "id"))
    agents = day_db["agents"]
    assert [(s.kind, s.agent_id, s.from_shop.code, s.to_shop.code, s.starts_at, s.ends_at, s.half_hours)
            for s in suggestions] == [
        ("move", agents["b1"].pk, "ib", "ia", at(9, 30), at(11), 3),
        ("overtime", agents["a1"].pk, "ia", "ia", at(10), at(11), 2),
    ]
    # a second run replaces the proposals rather than adding to them, and keeps the day's forecast
    taken = ia.forecast_at
    intraday_refresh(day=DAY)
    assert IntradaySuggestion.objects.count() == 2
    assert IntradayShopDay.objects.get(pk=ia.pk).forecast_at == taken


def test_accepting_applies_audits_and_re_forecasts(day_db, manager):
    intraday_refresh(day=DAY)
    move = IntradaySuggestion.objects.get(kind="move")
    intraday_suggestion_accept(suggestion=move, by=manager)
    ia = IntradayShopDay.objects.get(shop=day_db["shops"]["ia"], date=DAY)
    ib = IntradayShopDay.objects.get(shop=day_db["shops"]["ib"], date=DAY)
    assert [_half(ia, s)["rostered"] for s in ("09:00", "09:30", "10:00", "10:30", "11:00")] == [2, 3, 2, 2, 1]
    assert [_half(ib, s)["rostered"] for s in ("09:00", "09:30", "10:30", "11:00")] == [4, 3, 3, 4]
    # the published shift itself is unchanged by a move
    b1 = day_db["shifts"]["b1"]
    b1.refresh_from_db()
    assert (b1.shop.code, b1.ends_at) == ("ib", at(16))
    assert AuditEvent.objects.filter(verb="intraday.move", actor=manager, object_id=str(b1.pk)).exists()
    # the overtime is still proposed (re-made by the refresh) and now applies to a1's shift
    overtime = IntradaySuggestion.objects.get(kind="overtime", status="proposed")
    assert (overtime.starts_at, overtime.ends_at) == (at(10), at(11))
    intraday_suggestion_accept(suggestion=overtime, by=manager)
    a1 = day_db["shifts"]["a1"]
    a1.refresh_from_db()
    assert a1.ends_at == at(11)
    ia = IntradayShopDay.objects.get(shop=day_db["shops"]["ia"], date=DAY)
    assert [_half(ia, s)["gap"] for s in ("09:30", "10:00", "10:30")] == [0, 0, 0]
    assert not IntradaySuggestion.objects.filter(status="proposed").exists()
    assert IntradaySuggestion.objects.filter(status="accepted").count() == 2
    # a second accept of the same suggestion is refused
    with pytest.raises(Exception, match="已处理"):
        intraday_suggestion_accept(suggestion=overtime, by=manager)


def test_overtime_refused_when_the_shift_changed_since(day_db, manager):
    intraday_refresh(day=DAY)
    overtime = IntradaySuggestion.objects.get(kind="overtime")
    a1 = day_db["shifts"]["a1"]
    a1.ends_at = at(9, 30)
    a1.save()
    with pytest.raises(Exception, match="已改变"):
        intraday_suggestion_accept(suggestion=overtime, by=manager)
    a1.refresh_from_db()
    assert a1.ends_at == at(9, 30) and IntradaySuggestion.objects.get(pk=overtime.pk).status == "proposed"


def test_the_overtime_respects_the_weekly_hours(day_db):
    # a1 already works 43 h 30 this roster week (other days), of at most 44: only half an hour of overtime is left
    roster = day_db["roster"]
    from datetime import timedelta

    from staffing.rosters.models import ShiftAssignment
    template = day_db["shifts"]["a1"].template
    for offset, hours in ((1, 10), (2, 10), (3, 10), (4, 11.5)):
        d = DAY + timedelta(days=offset)
        ShiftAssignment.objects.create(roster=roster, agent=day_db["agents"]["a1"], shop=day_db["shops"]["ia"], date=d,
                                       template=template, starts_at=at(8, 0, d),
                                       ends_at=at(8, 0, d) + timedelta(hours=hours))
    result = intraday_compute(day=DAY)
    overtime = [s for s in result.suggestions if s.kind == "overtime"]
    assert [(s.start_minute, s.end_minute) for s in overtime] == [(600, 630)]


def test_start_of_day_and_a_shop_without_forecast(day_db, time_machine):
    result = intraday_compute(day=DAY, now=at(0))
    ia = result.results[day_db["shops"]["ia"].pk]
    assert (ia.ratio_reason, ia.actual_so_far) == ("nothing_yet", 0)
    assert [ia.half_hours[i].required for i in range(16, 22)] == [2] * 6
    # the tenants' shops have no history and no override: no forecast, nothing required, ratio 1 all day
    tenant = next(r for pk, r in result.results.items() if result.shops[pk].code == "tenant-shop-1")
    assert (tenant.has_forecast, tenant.ratio_reason) == (False, "nothing_yet")
    assert all(h.required == 0 for h in tenant.half_hours)
    later = intraday_compute(day=DAY, now=at(9, 10))
    tenant = next(r for pk, r in later.results.items() if result.shops[pk].code == "tenant-shop-1")
    assert (tenant.ratio, tenant.ratio_reason) == (1.0, "no_forecast")


def test_the_command_prints_the_shop_s_day(day_db):
    out = StringIO()
    call_command("intraday", "--shop", "ia", "--date", "2026-12-01", "--at", "09:10", stdout=out)
    data = json.loads(out.getvalue())
    assert (data["shop"], data["date"], data["ratio"], data["ratio_reason"]) == ("ia", "2026-12-01", 2.0, "measured")
    half = {h["slot"]: h for h in data["half_hours"]}
    assert (half["10:00"]["reforecast"], half["10:00"]["required"], half["10:00"]["rostered"], half["10:00"]["gap"]) == (
        20.0, 3, 1, 2,
    )
    assert [(s["kind"], s["agent"], s["from_shop"], s["to_shop"], s["start_minute"], s["end_minute"])
            for s in data["suggestions"]] == [("move", "b1", "ib", "ia", 570, 660), ("overtime", "a1", "ia", "ia", 600, 660)]
    assert not IntradayShopDay.objects.exists()  # the command writes nothing
    with pytest.raises(CommandError, match="--shop nope"):
        call_command("intraday", "--shop", "nope")
    with pytest.raises(CommandError, match="--date"):
        call_command("intraday", "--shop", "ia", "--date", "2026-02-30")
    with pytest.raises(CommandError, match="--at"):
        call_command("intraday", "--shop", "ia", "--at", "25:00")


def test_the_next_run_counts_only_new_messages_and_agrees_with_a_full_count(day_db, time_machine):
    from datetime import timedelta

    from compliance.intraday.services import _arrivals, day_bounds
    from compliance.sessions.models import ChatMessage, ChatSession
    from tests.compliance.intraday.day_data import _session

    intraday_refresh(day=DAY)
    ia = day_db["shops"]["ia"]
    first = IntradayShopDay.objects.get(shop=ia, date=DAY)
    assert first.arrivals[16:19] == [20, 20, 1] and first.message_cursor
    # imported since: a new session at 09:08; an earlier buyer message of a session of 08:30 (it now began at
    # 08:05); another buyer message of yesterday's session (still not new)
    _session(ia, "ia-late", at(9, 8))
    moved = ChatSession.objects.get(shop=ia, external_id="ia-830-0")
    ChatMessage.objects.create(session=moved, shop=ia, external_id="ia-830-0-early", sender="buyer", sent_at=at(8, 5),
                               text="在吗")
    old = ChatSession.objects.get(shop=ia, external_id="ia-yesterday")
    ChatMessage.objects.create(session=old, shop=ia, external_id="ia-yesterday-again", sender="buyer",
                               sent_at=at(9, 1), text="还在吗")
    time_machine.move_to(NOW + timedelta(minutes=3), tick=False)
    intraday_refresh(day=DAY)
    second = IntradayShopDay.objects.get(shop=ia, date=DAY)
    assert second.counted_at == first.counted_at  # counted from the cursor on, not again from scratch
    assert second.message_cursor > first.message_cursor
    assert second.arrivals[16:19] == [21, 19, 2]
    full = _arrivals(shop_ids=[ia.pk], day=DAY, until=day_bounds(DAY)[1])[ia.pk]
    assert second.arrivals == full
    # half an hour after the last full count, the run counts everything again
    time_machine.move_to(NOW + timedelta(minutes=31), tick=False)
    intraday_refresh(day=DAY)
    third = IntradayShopDay.objects.get(shop=ia, date=DAY)
    assert third.counted_at > first.counted_at and third.arrivals == full
