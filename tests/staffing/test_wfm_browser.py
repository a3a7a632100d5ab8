"""Browser journeys of workforce management: in the demo an agent finds an eligible swap, the colleague
accepts it and a manager approves it; leave an agent requests and a manager approves in the browser is kept by the next solve
(checked by the independent roster checker)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agency import demo as agency_demo
from clients.handover import demo as handover_demo
from clients.merchants import demo as merchants_demo
from clients.sales import demo as sales_demo
from staffing.rosters import demo as demo_rosters
from staffing.rosters.models import Leave, Roster, ShiftAssignment, SwapRequest
from staffing.rosters.services import roster_scenario, roster_solve_run, swap_options
from tests.factories import PASSWORD, ManagerFactory, MerchantFactory, ShopFactory
from tests.staffing.factories import staffed_roster
from tests.staffing.roster_checker import assert_roster_ok

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DEMO_PASSWORD = "demo12345"


def test_demo_agent_finds_an_eligible_swap_the_colleague_accepts_and_the_manager_approves(page, login):
    for module in (agency_demo, merchants_demo, sales_demo, handover_demo, demo_rosters):
        module.load(password=DEMO_PASSWORD, log=lambda _line: None)
    roster = Roster.objects.get(name=demo_rosters.ROSTER_NAME)
    waiting = SwapRequest.objects.filter(status=SwapRequest.Status.PENDING).count()
    assert waiting == 1  # the demo's own request is waiting
    busy = set(SwapRequest.objects.values_list("requester_id", flat=True))
    shift = next(
        s for s in ShiftAssignment.objects.filter(roster=roster, pinned=True, date__gt=roster.start_date)
        .exclude(agent_id__in=busy).select_related("agent", "roster", "shop", "template").order_by("date", "agent__code")
        if (lambda o: o.trades or o.giveaways)(swap_options(assignment=s))
    )
    login(shift.agent.username, DEMO_PASSWORD)
    page.goto("/staffing/my-shifts/")
    page.goto(f"/staffing/my-shifts/{shift.pk}/swap/")
    page.locator("#swap-form input[type=radio]").first.check()
    page.click("#swap-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    swap = SwapRequest.objects.get(requester=shift.agent, status=SwapRequest.Status.PROPOSED)
    # The colleague finds it on their dashboard and their shifts page, and accepts it.
    page.context.clear_cookies()
    login(swap.taker.username, DEMO_PASSWORD)
    page.goto("/")
    page.click("text=同事请你换班")
    page.locator(f"#swaps-to-answer tr[data-swap='{swap.pk}'] button[value=accept]").click()
    page.wait_for_selector(".msg-success")
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.PENDING
    page.context.clear_cookies()
    login("manager", DEMO_PASSWORD)
    page.goto("/staffing/swaps/")
    row = page.locator(f"#pending tr[data-swap='{swap.pk}']")
    row.locator("button[value=approve]").click()
    page.wait_for_selector(".msg-success")
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED
    moved = ShiftAssignment.objects.get(pk=shift.pk)
    assert moved.agent_id != shift.agent_id or swap.counterpart is not None


def test_leave_approved_in_the_browser_is_kept_by_the_next_solve(page, login):
    shop = ShopFactory(merchant=MerchantFactory(code="lv-m"), code="lv-shop", name="请假店铺")
    roster, agents = staffed_roster([shop], per_shop=6, days=7, prefix="lv")
    roster_solve_run(roster_id=roster.pk, time_limit=3)
    agent = ShiftAssignment.objects.filter(roster=roster, date=roster.start_date + timedelta(days=2)).first().agent
    first = roster.start_date + timedelta(days=2)
    last = first + timedelta(days=1)
    login(agent.username, PASSWORD)
    page.goto("/staffing/leave/")
    page.select_option("#leave-form select[name=kind]", "annual")
    page.fill("#leave-form input[name=first_day]", first.isoformat())
    page.fill("#leave-form input[name=last_day]", last.isoformat())
    page.fill("#leave-form input[name=reason]", "回老家")
    page.click("#leave-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    leave = Leave.objects.get(agent=agent)
    assert leave.status == Leave.Status.REQUESTED
    page.context.clear_cookies()
    ManagerFactory(username="lv-manager")
    login("lv-manager", PASSWORD)
    page.goto("/staffing/leave/requests/")
    card = page.locator(f"[data-leave='{leave.pk}']")
    assert card.locator("table.gap tbody tr").count() == 2  # two days × one shop, with the gap shown
    card.locator("button[value=approve]").click()
    page.wait_for_selector(".msg-success")
    leave.refresh_from_db()
    assert leave.status == Leave.Status.APPROVED
    roster_solve_run(roster_id=roster.pk, time_limit=3)
    roster.refresh_from_db()
    assert roster.solved_ok
    scenario, _ = roster_scenario(roster=roster)
    scenario.pop("fixed")
    rows = ShiftAssignment.objects.filter(roster=roster).select_related("agent", "shop", "template")
    stored = {"status": "feasible", "shortfall": roster.shortfall, "assignments": [
        {"agent": a.agent.code, "date": a.date.isoformat(), "shift": a.template.code, "shop": a.shop.code} for a in rows]}
    assert_roster_ok(scenario, stored)
    assert not any(r["agent"] == agent.code and first.isoformat() <= r["date"] <= last.isoformat()
                   for r in stored["assignments"])
