"""Leave requests, approval with the coverage gap, balances and preferences; approved leave is a hard rule
of the next solve (checked by the independent roster checker), preferences a soft one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from staffing.leave.selectors import balances, leave_coverage_gap
from staffing.leave.services import leave_balance_set, leave_decide, leave_request, preference_set
from staffing.rosters.models import Leave, ShiftAssignment
from staffing.rosters.services import roster_publish, roster_scenario, roster_solve_run
from tests.staffing.factories import staffed_roster
from tests.staffing.roster_checker import assert_roster_ok

TIME_LIMIT = 3.0
pytestmark = pytest.mark.django_db


def _stored(roster) -> dict:
    rows = ShiftAssignment.objects.filter(roster=roster).select_related("agent", "shop", "template")
    return {"status": "feasible", "shortfall": roster.shortfall, "assignments": [
        {"agent": a.agent.code, "date": a.date.isoformat(), "shift": a.template.code, "shop": a.shop.code} for a in rows]}


def test_request_approve_over_http_then_the_next_solve_keeps_the_leave(client, tenants, manager):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=6, days=7)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    agent = ShiftAssignment.objects.filter(roster=roster, date=roster.start_date + timedelta(days=2)).first().agent
    day = roster.start_date + timedelta(days=2)
    client.force_login(agent)
    response = client.post(reverse("staffing:leave-request"), {
        "kind": "annual", "first_day": day.isoformat(), "last_day": (day + timedelta(days=1)).isoformat(), "reason": "回老家",
    })
    assert response.status_code == 302
    leave = Leave.objects.get(agent=agent)
    assert leave.status == Leave.Status.REQUESTED
    # Not approved yet: not a rule for the solver.
    scenario, _ = roster_scenario(roster=roster)
    mine = next(a for a in scenario["agents"] if a["id"] == agent.code)
    assert day.isoformat() not in mine["unavailable"]
    client.force_login(manager)
    page = client.get(reverse("staffing:leave-queue")).content.decode()
    card = page.split(f'data-leave="{leave.pk}"')[1]
    assert tenants[0].shop.name in card and 'data-figure="short"' in card
    response = client.post(reverse("staffing:leave-decide", args=[leave.pk]), {"decision": "approve"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == Leave.Status.APPROVED and leave.decided_by == manager
    assert not ShiftAssignment.objects.filter(agent=agent, date__range=(day, day + timedelta(days=1))).exists()
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster.refresh_from_db()
    assert roster.solved_ok
    scenario, _ = roster_scenario(roster=roster)
    mine = next(a for a in scenario["agents"] if a["id"] == agent.code)
    assert {day.isoformat(), (day + timedelta(days=1)).isoformat()} <= set(mine["unavailable"])
    scenario.pop("fixed")
    assert_roster_ok(scenario, _stored(roster))  # the independent checker: nobody works on their leave
    assert not ShiftAssignment.objects.filter(agent=agent, date__range=(day, day + timedelta(days=1))).exists()


def test_coverage_gap_counts_the_slots_left_short(tenants, time_machine):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=3, days=3)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster_publish(roster=roster, through=roster.end_date)
    agent = agents[0]
    leave = leave_request(agent=agent, kind="sick", first_day=roster.start_date, last_day=roster.end_date)
    gap = leave_coverage_gap(leave=leave)
    assert [(g.shop, g.day) for g in gap] == [(tenants[0].shop, roster.start_date + timedelta(days=i)) for i in range(3)]
    for g in gap:
        has_shift = ShiftAssignment.objects.filter(agent=agent, date=g.day).exists()
        assert (g.agent_shift is not None) == has_shift
        assert g.short_slots >= 0 and g.worst >= 0


def test_rules_of_requests_and_balances(tenants, manager):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=2, days=3)
    agent = agents[0]
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        leave_request(agent=agent, kind="annual", first_day=today - timedelta(days=1), last_day=today)
    with pytest.raises(ValidationError):
        leave_request(agent=agent, kind="annual", first_day=today + timedelta(days=3), last_day=today + timedelta(days=1))
    with pytest.raises(ValidationError):
        leave_request(agent=manager, kind="annual", first_day=today, last_day=today)
    first = leave_request(agent=agent, kind="annual", first_day=today + timedelta(days=1), last_day=today + timedelta(days=2))
    with pytest.raises(ValidationError, match="已有请假"):
        leave_request(agent=agent, kind="sick", first_day=today + timedelta(days=2), last_day=today + timedelta(days=4))
    leave_balance_set(agent=agent, kind="annual", year=first.first_day.year, days=Decimal("5"), by=manager)
    annual = next(b for b in balances(agent=agent, year=first.first_day.year) if b.kind == "annual")
    assert (annual.entitled, annual.used, annual.pending) == (Decimal("5"), 0, 2 if first.last_day.year == first.first_day.year else 1)
    leave_decide(leave=first, by=manager, approve=True)
    annual = next(b for b in balances(agent=agent, year=first.first_day.year) if b.kind == "annual")
    assert annual.pending == 0 and annual.left == Decimal("5") - annual.used and annual.used >= 1
    with pytest.raises(ValidationError, match="已经处理过"):
        leave_decide(leave=first, by=manager, approve=False)


def test_preferences_are_soft_goals_in_the_scenario(tenants):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=3, days=7)
    with pytest.raises(ValidationError):
        preference_set(agent=agents[0], prefer_shifts=["E"], avoid_shifts=["E"], unwanted_weekdays=[])
    with pytest.raises(ValidationError):
        preference_set(agent=agents[0], prefer_shifts=["ZZ"], avoid_shifts=[], unwanted_weekdays=[])
    preference_set(agent=agents[0], prefer_shifts=["E"], avoid_shifts=["L"], unwanted_weekdays=[5, 6])
    scenario, _ = roster_scenario(roster=roster)
    mine = next(a for a in scenario["agents"] if a["id"] == agents[0].code)
    assert mine["prefer_shifts"] == ["E"] and mine["avoid_shifts"] == ["L"]
    assert sorted(mine["days_off_wanted"]) == sorted(d.isoformat() for d in roster.dates if d.weekday() in (5, 6))
    assert "unavailable" in mine and not set(mine["days_off_wanted"]) & set(mine["unavailable"])


def test_preferred_weekdays_become_wanted_days_of_the_scenario(client, tenants):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=3, days=14)
    with pytest.raises(ValidationError):
        preference_set(agent=agents[0], prefer_shifts=[], avoid_shifts=[], unwanted_weekdays=[0],
                       preferred_weekdays=[0, 2])
    client.force_login(agents[0])  # through the page, as an agent sets them
    response = client.post(reverse("staffing:leave-preferences"), {"preferred_weekdays": ["1", "3"],
                                                                   "unwanted_weekdays": ["6"], "prefer_shifts": ["E"]})
    assert response.status_code == 302
    scenario, _ = roster_scenario(roster=roster)
    mine = next(a for a in scenario["agents"] if a["id"] == agents[0].code)
    assert sorted(mine["days_wanted"]) == sorted(d.isoformat() for d in roster.dates if d.weekday() in (1, 3))
    assert sorted(mine["days_off_wanted"]) == sorted(d.isoformat() for d in roster.dates if d.weekday() == 6)
    assert mine["prefer_shifts"] == ["E"]


def test_who_sees_leave_pages(client, tenants, manager):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=2, days=3)
    today = timezone.localdate()
    theirs = leave_request(agent=agents[1], kind="annual", first_day=today + timedelta(days=1), last_day=today + timedelta(days=1))
    client.force_login(agents[0])
    assert client.get(reverse("staffing:my-leave")).status_code == 200
    assert client.post(reverse("staffing:leave-cancel", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("staffing:leave-queue")).status_code == 403
    assert client.post(reverse("staffing:leave-decide", args=[theirs.pk]), {"decision": "approve"}).status_code == 403
    client.force_login(tenants[0].user)
    assert client.get(reverse("staffing:leave-queue")).status_code == 403
    theirs.refresh_from_db()
    assert theirs.status == Leave.Status.REQUESTED
