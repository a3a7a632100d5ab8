"""Rosters through the services: solve as a job, certification gate, publish and re-solve, swaps, go-live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from agency.models import Job
from staffing.rosters.models import Leave, Roster, ShiftAssignment, SwapRequest
from staffing.rosters.readiness import roster_readiness
from staffing.rosters.services import (
    roster_demand_import,
    roster_publish,
    roster_scenario,
    roster_solve_run,
    roster_solve_start,
    swap_problems,
    swap_request_answer,
    swap_request_create,
    swap_request_decide,
)
from tests.factories import AgentFactory
from tests.staffing.factories import certify, staffed_roster
from tests.staffing.roster_checker import assert_roster_ok

TIME_LIMIT = 3.0


def db_roster_as_json(roster: Roster) -> dict:
    rows = ShiftAssignment.objects.filter(roster=roster).select_related("agent", "shop", "template")
    return {
        "status": "feasible",
        "assignments": [
            {"agent": a.agent.code, "date": a.date.isoformat(), "shift": a.template.code, "shop": a.shop.code} for a in rows
        ],
    }


def check_stored(roster: Roster) -> None:
    scenario, _ = roster_scenario(roster=roster)
    stored = db_roster_as_json(roster)
    stored["shortfall"] = roster.shortfall
    scenario.pop("fixed")
    assert_roster_ok(scenario, stored)


def test_solve_runs_as_a_job_and_stores_a_roster_that_keeps_the_rules(tenants, manager, django_capture_on_commit_callbacks):
    roster, _ = staffed_roster([tenants[0].shop, tenants[1].shop])
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_solve_start(roster=roster, by=manager, time_limit=TIME_LIMIT)
    job.refresh_from_db()
    roster.refresh_from_db()
    assert job.status == Job.Status.DONE, job.message
    assert job.result["status"] in ("optimal", "feasible")
    assert roster.solve_status in ("optimal", "feasible")
    assert roster.assignments.count() == job.result["shifts"] > 0
    for shift in roster.assignments.select_related("template"):
        assert (shift.ends_at - shift.starts_at) == timedelta(minutes=shift.template.minutes)
    check_stored(roster)


def test_an_agent_without_a_current_certification_is_never_rostered_for_that_shop(tenants):
    shop1, shop2 = tenants[0].shop, tenants[1].shop
    roster, _ = staffed_roster([shop1, shop2])
    keen = AgentFactory(username="keen", code="keen")
    certify(keen, shop1)
    certify(keen, shop2, revoked=True)  # assigned to shop2 but the certificate was revoked
    late = AgentFactory(username="late", code="late")
    certify(late, shop2, since=roster.start_date + timedelta(days=3))  # passes the exam on day 4
    expired = AgentFactory(username="expired", code="expired")
    certify(expired, shop2, since=roster.start_date - timedelta(days=40), days=40)  # expires on day 1
    from staffing.models import ShopAssignment

    uncertified = AgentFactory(username="nocert", code="nocert")
    ShopAssignment.objects.create(agent=uncertified, shop=shop2, since=roster.start_date)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    assert not roster.assignments.filter(agent=keen, shop=shop2).exists()
    assert not roster.assignments.filter(agent=uncertified).exists()
    assert not roster.assignments.filter(agent=expired, date__gte=roster.start_date).exists()
    assert not roster.assignments.filter(agent=late, date__lt=roster.start_date + timedelta(days=3)).exists()
    scenario, _ = roster_scenario(roster=roster)
    ids = {a["id"] for a in scenario["agents"] if a["shops"]}
    assert "nocert" not in ids and "expired" not in ids


def test_publish_pins_days_and_resolving_changes_only_the_future(tenants):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=6)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    through = roster.start_date + timedelta(days=2)
    roster_publish(roster=roster, through=through)
    before = set(roster.assignments.filter(date__lte=through).values_list("agent_id", "date", "template_id", "shop_id"))
    assert before and roster.assignments.filter(date__lte=through, pinned=False).count() == 0
    # Somebody who works on day 5 falls ill; re-solve.
    day5 = roster.start_date + timedelta(days=4)
    ill = roster.assignments.filter(date=day5).first().agent
    Leave.objects.create(agent=ill, first_day=day5, last_day=day5, reason="病假")
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    after = set(roster.assignments.filter(date__lte=through).values_list("agent_id", "date", "template_id", "shop_id"))
    assert after == before
    assert not roster.assignments.filter(agent=ill, date=day5).exists()
    roster.refresh_from_db()
    assert roster.status == Roster.Status.PUBLISHED and roster.published_through == through
    check_stored(roster)


def test_infeasible_roster_is_explained_and_keeps_previous_shifts(tenants):
    roster, _ = staffed_roster([tenants[0].shop], per_shop=1)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster.refresh_from_db()
    assert roster.solve_status == "infeasible"
    assert tenants[0].shop.code in roster.explanation


def test_demand_upload_names_bad_lines_and_writes_nothing(tenants):
    roster, _ = staffed_roster([tenants[0].shop])
    day = roster.start_date.isoformat()
    code = tenants[0].shop.code
    with pytest.raises(ValidationError) as err:
        roster_demand_import(roster=roster, text=f"shop,date,slot,agents\n{code},{day},20:00,3\n{code},{day},20:15,2\nnope,{day},09:00,1\n")
    text = " ".join(err.value.messages)
    assert "第 3 行" in text and "slot" in text and "第 4 行" in text
    assert roster.demand.count() == 0
    assert roster_demand_import(roster=roster, text=f"{code},{day},20:00,4\n{code},{day},20:30,4\n") == 2
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster.refresh_from_db()
    check_stored(roster)


def test_swap_checks_eligibility_then_a_manager_approves(tenants, manager):
    shop = tenants[0].shop
    roster, agents = staffed_roster([shop], per_shop=6)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster_publish(roster=roster, through=roster.end_date)
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date").first()
    giver = shift.agent
    stranger = AgentFactory(username="stranger", code="stranger")
    problems = swap_problems(assignment=shift, taker=stranger)
    assert any("认证" in p for p in problems)
    with pytest.raises(ValidationError):
        swap_request_create(assignment=shift, requester=giver, taker=stranger)
    busy = roster.assignments.filter(date=shift.date).exclude(agent=giver).first().agent
    assert any("当天已有班次" in p for p in swap_problems(assignment=shift, taker=busy))
    free = [a for a in agents if a != giver and not swap_problems(assignment=shift, taker=a)]
    if not free:
        newcomer = AgentFactory(username="newcomer", code="newcomer")
        certify(newcomer, shop)
        free = [newcomer]
    taker = free[0]
    swap = swap_request_create(assignment=shift, requester=giver, taker=taker, note="家里有事")
    assert swap.status == SwapRequest.Status.PROPOSED  # the colleague answers first
    swap = swap_request_answer(swap=swap, by=taker, accept=True)
    assert swap.status == SwapRequest.Status.PENDING
    swap_request_decide(swap=swap, by=manager, approve=True)
    shift.refresh_from_db()
    assert shift.agent == taker
    with pytest.raises(ValidationError):
        swap_request_decide(swap=swap, by=manager, approve=False)


def test_swap_refused_when_rest_would_be_too_short(tenants):
    shop = tenants[0].shop
    roster, agents = staffed_roster([shop], per_shop=6)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    late = roster.assignments.filter(template__code="L").order_by("date").first()
    early_next = roster.assignments.filter(template__code="E", date=late.date + timedelta(days=1)).first()
    if early_next is None:
        pytest.skip("no early shift after a late one in this roster")
    problems = swap_problems(assignment=early_next, taker=late.agent)
    assert any("休息" in p for p in problems)


def test_go_live_readiness_needs_a_published_roster_covering_two_weeks(tenants):
    from clients.models import Engagement

    shop = tenants[0].shop
    engagement = Engagement.objects.create(merchant=tenants[0].merchant, title="上线")
    engagement.shops.add(shop)
    item = roster_readiness(engagement)
    assert item.ok is False and shop.name in item.detail
    from django.utils import timezone

    roster, _ = staffed_roster([shop], per_shop=8, days=14, start=timezone.localdate())
    roster_solve_run(roster_id=roster.pk, time_limit=5)
    assert roster_readiness(engagement).ok is False  # solved but not published
    roster_publish(roster=roster, through=roster.end_date)
    item = roster_readiness(engagement)
    assert item.ok is True, item.detail


def test_readiness_check_is_registered_for_the_go_live_checklist():
    from clients.engagements.golive import registered_checks

    assert "roster_published" in dict(registered_checks())


def test_without_entered_demand_the_forecast_drives_the_roster(tenants):
    """Demand comes from the staffing maths (`staffing.forecasting.selectors.required_agents`) when none is entered."""
    from datetime import datetime, time

    from staffing.forecasting import selectors
    from staffing.forecasting.services import demand_history_record
    from tests.staffing.factories import TZ

    shop = tenants[0].shop
    roster, _ = staffed_roster([shop], per_shop=6)
    # Four weeks of history: 40 chats a half hour in the evening, 10 otherwise.
    volumes = {}
    for back in range(1, 29):
        day = roster.start_date - timedelta(days=back)
        for half in range(16, 46):
            at = datetime.combine(day, time(half // 2, 30 * (half % 2)), tzinfo=TZ)
            volumes[at] = 40 if half >= 38 else 10
    demand_history_record(shop=shop, volumes=volumes)
    expected = selectors.required_agents(shop=shop, start=roster.start_date, days=roster.days)
    assert sum(expected.values()) > 0
    scenario, _ = roster_scenario(roster=roster)
    wanted = {(row["date"], row["slot"]): row["agents"] for row in scenario["demand"]}
    assert wanted == {(day.isoformat(), slot): n for (day, slot), n in expected.items() if n > 0}
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster.refresh_from_db()
    assert roster.solve_status in ("optimal", "feasible", "infeasible")
    if roster.solve_status != "infeasible":
        check_stored(roster)


def test_an_agent_already_rostered_elsewhere_is_not_double_booked(tenants):
    shop1, shop2 = tenants[0].shop, tenants[1].shop
    first, agents1 = staffed_roster([shop1], per_shop=6, prefix="x")
    roster_solve_run(roster_id=first.pk, time_limit=TIME_LIMIT)
    second, _ = staffed_roster([shop2], per_shop=6, prefix="y", start=first.start_date)
    for agent in agents1:
        certify(agent, shop2)
    roster_solve_run(roster_id=second.pk, time_limit=TIME_LIMIT)
    taken = set(ShiftAssignment.objects.filter(roster=first).values_list("agent_id", "date"))
    again = set(ShiftAssignment.objects.filter(roster=second).values_list("agent_id", "date"))
    assert not taken & again
