"""Swaps that work: only eligible partners are listed (checked by the solver's hard rules), two-way trades
and give-aways, manager approval; after a trade the roster still keeps every hard rule (independent check)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from staffing.rosters.models import ShiftAssignment, SwapRequest
from staffing.rosters.services import (
    roster_publish,
    roster_scenario,
    roster_solve_run,
    swap_options,
    swap_problems,
    swap_request_answer,
    swap_request_cancel,
    swap_request_create,
    swap_request_decide,
)
from tests.factories import AgentFactory
from tests.staffing.factories import staffed_roster
from tests.staffing.roster_checker import assert_roster_ok

TIME_LIMIT = 3.0
pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tenants, time_machine):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=6, days=7)
    time_machine.move_to(roster.start_date.isoformat() + "T06:00:00+08:00", tick=False)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster_publish(roster=roster, through=roster.end_date)
    roster.refresh_from_db()
    return roster, agents


def _stored(roster) -> dict:
    rows = ShiftAssignment.objects.filter(roster=roster).select_related("agent", "shop", "template")
    return {"status": "feasible", "shortfall": roster.shortfall, "assignments": [
        {"agent": a.agent.code, "date": a.date.isoformat(), "shift": a.template.code, "shop": a.shop.code} for a in rows]}


def test_only_eligible_partners_are_offered(published):
    roster, agents = published
    stranger = AgentFactory(username="stranger", code="stranger")  # not certified for the shop
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk")[3]
    options = swap_options(assignment=shift)
    assert stranger not in options.giveaways
    assert all(not swap_problems(assignment=shift, taker=u) for u in options.giveaways)
    assert options.trades, "a week of six agents always has some trade"
    for theirs in options.trades:
        assert theirs.agent_id != shift.agent_id
        assert not swap_problems(assignment=shift, taker=theirs.agent, counterpart=theirs)
    # Everybody left out of the give-aways has a reason.
    for agent in agents:
        if agent != shift.agent and agent not in options.giveaways:
            assert swap_problems(assignment=shift, taker=agent)


def test_trade_over_http_then_approved_keeps_every_hard_rule(client, published, manager):
    roster, agents = published
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk")[3]
    owner = shift.agent
    client.force_login(owner)
    page = client.get(reverse("staffing:swap-request", args=[shift.pk])).content.decode()
    options = swap_options(assignment=shift)
    theirs = options.trades[0]
    assert f'value="trade:{theirs.pk}"' in page
    response = client.post(reverse("staffing:swap-request", args=[shift.pk]), {"choice": f"trade:{theirs.pk}", "note": "换一下"})
    assert response.status_code == 302
    swap = SwapRequest.objects.get(assignment=shift)
    assert swap.counterpart_id == theirs.pk and swap.taker_id == theirs.agent_id
    assert swap.status == SwapRequest.Status.PROPOSED
    # The manager cannot approve before the colleague has accepted.
    client.force_login(manager)
    client.post(reverse("staffing:swap-decide", args=[swap.pk]), {"decision": "approve"})
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.PROPOSED
    # The colleague sees the proposal on their shifts page and accepts it.
    client.force_login(theirs.agent)
    assert f'data-swap="{swap.pk}"' in client.get(reverse("staffing:my-shifts")).content.decode()
    client.post(reverse("staffing:swap-answer", args=[swap.pk]), {"answer": "accept"})
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.PENDING and swap.answered_at is not None
    before_mine = (shift.date, shift.template_id, shift.shop_id)
    before_theirs = (theirs.date, theirs.template_id, theirs.shop_id)
    client.force_login(manager)
    client.post(reverse("staffing:swap-decide", args=[swap.pk]), {"decision": "approve"})
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED
    mine_now = ShiftAssignment.objects.get(pk=shift.pk)
    theirs_now = ShiftAssignment.objects.get(pk=theirs.pk)
    assert mine_now.agent_id == owner.pk and (mine_now.date, mine_now.template_id, mine_now.shop_id) == before_theirs
    assert theirs_now.agent_id == theirs.agent_id and (theirs_now.date, theirs_now.template_id, theirs_now.shop_id) == before_mine
    scenario, _ = roster_scenario(roster=roster)
    scenario.pop("fixed")
    assert_roster_ok(scenario, _stored(roster))


def test_a_trade_someone_else_owns_or_a_made_up_choice_is_refused(client, published):
    roster, agents = published
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk")[3]
    other = roster.assignments.exclude(agent=shift.agent).select_related("agent").first()
    third = next(a for a in agents if a not in (shift.agent, other.agent))
    assert swap_problems(assignment=shift, taker=third, counterpart=other) == ["换回的班次不属于接班人。"]
    client.force_login(shift.agent)
    client.post(reverse("staffing:swap-request", args=[shift.pk]), {"choice": "give:999999"})
    assert not SwapRequest.objects.exists()
    # Someone else's shift page is a 404.
    client.force_login(other.agent)
    assert client.get(reverse("staffing:swap-request", args=[shift.pk])).status_code == 404


def test_give_away_when_hours_allow(published, manager):
    roster, agents = published
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk")[3]
    options = swap_options(assignment=shift)
    if not options.giveaways:
        pytest.skip("every colleague is at the weekly cap in this roster")
    taker = options.giveaways[0]
    swap = swap_request_create(assignment=shift, requester=shift.agent, taker=taker)
    swap_request_answer(swap=swap, by=taker, accept=True)
    swap_request_decide(swap=swap, by=manager, approve=True)
    shift.refresh_from_db()
    assert shift.agent == taker


def test_the_colleague_declines_and_nothing_moves(client, published, manager):
    roster, agents = published
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk")[3]
    theirs = swap_options(assignment=shift).trades[0]
    swap = swap_request_create(assignment=shift, requester=shift.agent, taker=theirs.agent, counterpart=theirs)
    # Only the colleague asked may answer: not the requester, not a third agent (404 on the page, refused by
    # the service).
    third = next(a for a in agents if a.pk not in (shift.agent_id, theirs.agent_id))
    client.force_login(third)
    assert client.post(reverse("staffing:swap-answer", args=[swap.pk]), {"answer": "accept"}).status_code == 404
    with pytest.raises(ValidationError):
        swap_request_answer(swap=swap, by=shift.agent, accept=True)
    client.force_login(theirs.agent)
    client.post(reverse("staffing:swap-answer", args=[swap.pk]), {"answer": "decline"})
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.DECLINED
    with pytest.raises(ValidationError):
        swap_request_decide(swap=swap, by=manager, approve=True)
    with pytest.raises(ValidationError):
        swap_request_answer(swap=swap, by=theirs.agent, accept=True)
    assert ShiftAssignment.objects.get(pk=shift.pk).agent_id == shift.agent_id
    # Declined, the shift is free to be offered again.
    again = swap_request_create(assignment=shift, requester=shift.agent, taker=theirs.agent, counterpart=theirs)
    swap_request_cancel(swap=again, by=shift.agent)
    again.refresh_from_db()
    assert again.status == SwapRequest.Status.CANCELLED


def test_accepting_checks_the_rules_again(published):
    """Between the proposal and the answer the colleague took leave that day: accepting is refused."""
    from staffing.rosters.models import Leave

    roster, agents = published
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk")[3]
    theirs = swap_options(assignment=shift).trades[0]
    swap = swap_request_create(assignment=shift, requester=shift.agent, taker=theirs.agent, counterpart=theirs)
    Leave.objects.create(agent=theirs.agent, first_day=shift.date, last_day=shift.date)
    with pytest.raises(ValidationError) as refused:
        swap_request_answer(swap=swap, by=theirs.agent, accept=True)
    assert any("请假" in m for m in refused.value.messages)
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.PROPOSED


def test_the_colleague_sees_it_on_the_dashboard_in_both_languages(client, published):
    roster, agents = published
    shift = roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk")[3]
    theirs = swap_options(assignment=shift).trades[0]
    swap_request_create(assignment=shift, requester=shift.agent, taker=theirs.agent, counterpart=theirs)
    client.force_login(theirs.agent)
    for language, words in (("zh-hans", "同事请你换班"), ("en", "Colleagues asking you to swap")):
        client.cookies["django_language"] = language
        page = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert words in page
        shifts = client.get(reverse("staffing:my-shifts"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "swaps-to-answer" in shifts
