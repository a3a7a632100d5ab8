"""The demo roster loads, solves, publishes, and loading again adds nothing."""

from __future__ import annotations

from django.utils import timezone

from agency import demo as agency_demo
from clients.handover import demo as handover_demo
from clients.merchants import demo as merchants_demo
from clients.sales import demo as sales_demo
from staffing.rosters import demo as demo_rosters
from staffing.rosters.models import Roster, ShiftAssignment


def test_demo_rosters_load_and_are_idempotent(db):
    lines = []
    for module in (agency_demo, merchants_demo, sales_demo, handover_demo, demo_rosters):
        module.load(password="demo12345", log=lines.append)
    roster = Roster.objects.get(name=demo_rosters.ROSTER_NAME)
    assert roster.solve_status in ("optimal", "feasible"), roster.explanation
    assert roster.status == Roster.Status.PUBLISHED
    count = ShiftAssignment.objects.count()
    assert count > 0
    demo_rosters.load(password="demo12345", log=lines.append)
    assert Roster.objects.count() == 1 and ShiftAssignment.objects.count() == count


def test_demo_has_a_waiting_swap_and_eligible_swaps(db):
    from staffing.rosters.models import SwapRequest
    from staffing.rosters.services import swap_options

    for module in (agency_demo, merchants_demo, sales_demo, handover_demo, demo_rosters):
        module.load(password="demo12345", log=lambda _line: None)
    waiting = SwapRequest.objects.get(status=SwapRequest.Status.PENDING)
    assert waiting.counterpart is not None or waiting.taker is not None
    # shifts still to come (one that has started or passed can no longer be swapped)
    coming = ShiftAssignment.objects.filter(pinned=True, date__gt=timezone.localdate()).exclude(
        pk=waiting.assignment_id).select_related(
        "roster", "shop", "template", "agent").order_by("date")
    with_options = [s for s in coming[:40] if (lambda o: o.trades or o.giveaways)(swap_options(assignment=s))]
    assert with_options, "agents in the demo can find an eligible swap"


def test_demo_swaps_wait_for_a_colleague_and_a_manager_and_give_aways_are_possible(db):
    """Some agents work below the weekly cap in a published week, so a give-away is possible; one swap the
    colleague accepted waits for a manager; one proposed trade waits for the colleague."""
    from collections import defaultdict

    from staffing.rosters.models import SwapRequest
    from staffing.rosters.services import swap_options

    for module in (agency_demo, merchants_demo, sales_demo, handover_demo, demo_rosters):
        module.load(password="demo12345", log=lambda _line: None)
    roster = Roster.objects.get(name=demo_rosters.ROSTER_NAME)
    hours: dict[tuple[int, int], float] = defaultdict(float)
    for shift in roster.assignments.filter(pinned=True).select_related("template"):
        hours[shift.agent_id, (shift.date - roster.start_date).days // 7] += shift.template.minutes / 60
    assert any(h < 40 for h in hours.values()), "some agents work fewer than 40 hours in a published week"
    waiting = SwapRequest.objects.get(status=SwapRequest.Status.PENDING)
    assert waiting.answered_at is not None  # the colleague accepted it
    proposed = SwapRequest.objects.get(status=SwapRequest.Status.PROPOSED)
    assert {proposed.requester_id, proposed.taker_id}.isdisjoint({waiting.requester_id, waiting.taker_id})
    coming = ShiftAssignment.objects.filter(roster=roster, pinned=True, date__gt=timezone.localdate()).select_related(
        "roster", "shop", "template", "agent").order_by("date", "agent__code")
    assert any(swap_options(assignment=s).giveaways for s in coming[:60]), "a give-away is possible in the demo"
