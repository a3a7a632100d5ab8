"""The roster API: rosters (list, detail, create a draft, solve as a job, publish), shifts (by roster, agent
and date), leave (agents request their own, managers decide) and swaps (agents propose, the partner may
decline, managers decide) with the pages' scopes and rules; clear 400s naming the field, 404 for others'
data, 409 when the object's state refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from staffing.rosters.models import Leave, Roster, ShiftAssignment, SwapRequest
from staffing.rosters.services import roster_publish, roster_solve_run, swap_options
from tests.factories import AgentFactory
from tests.staffing.factories import staffed_roster

pytestmark = pytest.mark.django_db
TIME_LIMIT = 3.0


@pytest.fixture
def world(tenants, time_machine):
    """A published week for the first merchant's shop (six certified agents), and a draft roster of the
    second merchant's shop."""
    roster, agents = staffed_roster([tenants[0].shop], per_shop=6, days=7)
    time_machine.move_to(roster.start_date.isoformat() + "T06:00:00+08:00", tick=False)
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster_publish(roster=roster, through=roster.end_date)
    other, _other_agents = staffed_roster([tenants[1].shop], per_shop=1, days=7, prefix="o")
    roster.refresh_from_db()
    return roster, agents, other


def _errors(response) -> dict:
    body = response.json()
    assert response.status_code == 400, body
    assert body["detail"]
    return body["errors"]


# --- rosters ------------------------------------------------------------------------------------------------


def test_rosters_are_scoped_like_the_pages(api_client_for, world, tenants, manager, agent, django_assert_max_num_queries):
    roster, _agents, other = world
    one, two = tenants
    staff = api_client_for(manager)
    with django_assert_max_num_queries(6):
        listed = staff.get("/api/rosters/").json()
    assert {r["id"] for r in listed["results"]} >= {roster.pk, other.pk}
    detail = api_client_for(manager).get(f"/api/rosters/{roster.pk}/").json()
    assert detail["status"] == "published" and detail["solve_status"] in ("optimal", "feasible")
    assert detail["shortfall_total"] is not None and detail["job"] is None

    merchant = api_client_for(one.user)
    mine = merchant.get("/api/rosters/").json()["results"]
    assert [r["id"] for r in mine] == [roster.pk]
    assert [s["code"] for s in mine[0]["shops"]] == [one.shop.code]
    assert mine[0]["shortfall_total"] is None and mine[0]["solve_seconds"] is None  # staff only, as on the page
    assert merchant.get(f"/api/rosters/{other.pk}/").status_code == 404
    assert api_client_for(two.user).get(f"/api/rosters/{roster.pk}/").status_code == 404
    # Agents have no roster pages (theirs is "my shifts"); merchants may not write.
    assert api_client_for(agent).get("/api/rosters/").status_code == 403
    assert merchant.post(f"/api/rosters/{roster.pk}/publish/", {"through": "2026-01-01"}, format="json").status_code == 403


def test_shared_roster_shows_a_merchant_only_their_shop(api_client_for, tenants, manager):
    one, two = tenants
    roster, _agents = staffed_roster([one.shop, two.shop], per_shop=1, days=3)
    shops = api_client_for(two.user).get(f"/api/rosters/{roster.pk}/").json()["shops"]
    assert [s["code"] for s in shops] == [two.shop.code]


def test_create_a_draft_with_clear_refusals(api_client_for, tenants, manager, time_machine):
    time_machine.move_to("2026-06-01T09:00:00+08:00", tick=False)
    client = api_client_for(manager)
    good = {"name": "六月", "start_date": "2026-06-08", "days": 14, "shops": [tenants[0].shop.code],
            "templates": ["E", "L"]}
    from staffing.rosters.services import shift_templates_ensure_defaults

    shift_templates_ensure_defaults()
    created = client.post("/api/rosters/", good, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["end_date"] == "2026-06-21"
    assert [t["code"] for t in body["templates"]] == ["E", "L"]
    assert Roster.objects.get(pk=body["id"]).created_by == manager
    assert "shops" in _errors(client.post("/api/rosters/", {**good, "shops": ["nope"]}, format="json"))
    assert "shops" in _errors(client.post("/api/rosters/", {**good, "shops": []}, format="json"))
    assert "templates" in _errors(client.post("/api/rosters/", {**good, "templates": ["ZZ"]}, format="json"))
    assert "days" in _errors(client.post("/api/rosters/", {**good, "days": 93}, format="json"))
    assert "min_rest_hours" in _errors(client.post("/api/rosters/", {**good, "min_rest_hours": 25}, format="json"))
    assert "start_date" in _errors(client.post("/api/rosters/", {**good, "start_date": "0001-01-01"}, format="json"))
    assert "name" in _errors(client.post("/api/rosters/", {**good, "name": "a\x00b"}, format="json"))
    assert api_client_for(tenants[0].user).post("/api/rosters/", good, format="json").status_code == 403


def test_solve_is_a_job_and_publish_needs_a_good_solve(api_client_for, tenants, manager,
                                                       django_capture_on_commit_callbacks):
    roster, _agents = staffed_roster([tenants[0].shop], per_shop=6, days=3)
    client = api_client_for(manager)
    refused = client.post(f"/api/rosters/{roster.pk}/publish/", {"through": roster.end_date.isoformat()}, format="json")
    assert refused.status_code == 409 and "detail" in refused.json()
    assert "time_limit" in _errors(client.post(f"/api/rosters/{roster.pk}/solve/", {"time_limit": 500}, format="json"))
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/api/rosters/{roster.pk}/solve/", {"time_limit": 2}, format="json")
    assert started.status_code == 202
    job = started.json()
    assert job["url"] == f"/jobs/{job['job']}/"
    roster.refresh_from_db()
    assert roster.job_id == job["job"] and roster.solved_ok, (roster.solve_status, roster.explanation)  # eager: solved
    early = (roster.start_date - timedelta(days=1)).isoformat()
    assert "through" in _errors(client.post(f"/api/rosters/{roster.pk}/publish/", {"through": early}, format="json"))
    published = client.post(f"/api/rosters/{roster.pk}/publish/", {"through": roster.end_date.isoformat()}, format="json")
    assert published.status_code == 200
    assert published.json()["pinned"] == roster.assignments.count() > 0
    assert client.post("/api/rosters/999999/solve/", {}, format="json").status_code == 404


# --- shifts -------------------------------------------------------------------------------------------------


def test_shifts_by_roster_agent_and_date(api_client_for, world, tenants, manager, django_assert_max_num_queries):
    roster, agents, other = world
    client = api_client_for(manager)
    client.get("/api/shifts/")
    with django_assert_max_num_queries(4):
        everything = client.get(f"/api/shifts/?roster={roster.pk}").json()
    assert everything["count"] == roster.assignments.count()
    someone = agents[0]
    theirs = client.get(f"/api/shifts/?agent={someone.pk}").json()["results"]
    assert theirs and all(s["agent"]["id"] == someone.pk for s in theirs)
    day = roster.start_date.isoformat()
    on_day = client.get(f"/api/shifts/?date={day}").json()["results"]
    assert on_day and all(s["date"] == day for s in on_day)
    assert "date" in _errors(client.get("/api/shifts/?date=31-12-2026"))
    assert "roster" in _errors(client.get("/api/shifts/?roster=x"))
    assert "date_to" in _errors(client.get(f"/api/shifts/?date_from={day}&date_to=2000-01-01"))
    # Merchants see coverage on the pages, never agents' shifts.
    assert api_client_for(tenants[0].user).get("/api/shifts/").status_code == 403


def test_an_agent_sees_only_their_own_published_shifts(api_client_for, world):
    roster, agents, other = world
    me, colleague = agents[0], agents[1]
    mine = api_client_for(me).get("/api/shifts/").json()["results"]
    assert mine and {s["agent"]["id"] for s in mine} == {me.pk} and all(s["published"] for s in mine)
    # Asking for a colleague's shifts gives nothing; a colleague's shift is a 404.
    assert api_client_for(me).get(f"/api/shifts/?agent={colleague.pk}").json()["count"] == 0
    theirs = ShiftAssignment.objects.filter(agent=colleague).first()
    assert api_client_for(me).get(f"/api/shifts/{theirs.pk}/").status_code == 404
    # A draft shift of their own is not theirs to see yet.
    draft_agent = other.assignments.first().agent if other.assignments.exists() else None
    if draft_agent is not None:
        assert api_client_for(draft_agent).get("/api/shifts/").json()["count"] == 0


# --- leave --------------------------------------------------------------------------------------------------


def test_leave_request_and_decision(api_client_for, world, manager, tenants):
    roster, agents, _other = world
    me, colleague = agents[0], agents[1]
    day = ShiftAssignment.objects.filter(agent=me, date__gt=roster.start_date).order_by("date").first().date
    client = api_client_for(me)
    body = {"kind": "annual", "first_day": day.isoformat(), "last_day": day.isoformat(), "reason": "家事"}
    created = client.post("/api/leave/", body, format="json")
    assert created.status_code == 201, created.json()
    leave = created.json()
    assert leave["status"] == "requested" and leave["agent"]["id"] == me.pk and leave["days"] == 1
    assert "first_day" in _errors(client.post("/api/leave/", body, format="json"))  # overlaps my request
    assert "last_day" in _errors(client.post("/api/leave/", {**body, "last_day": (day - timedelta(days=2)).isoformat()}, format="json"))
    past = (roster.start_date - timedelta(days=3)).isoformat()
    assert "first_day" in _errors(client.post("/api/leave/", {**body, "first_day": past, "last_day": past}, format="json"))
    assert "kind" in _errors(client.post("/api/leave/", {**body, "kind": "holiday"}, format="json"))
    assert "first_day" in _errors(client.post("/api/leave/", {**body, "first_day": "9999-12-31"}, format="json"))
    # Others' leave: invisible to a colleague, refused to the agent's own hands, no leave API for merchants.
    other = api_client_for(colleague)
    assert other.get(f"/api/leave/{leave['id']}/").status_code == 404
    assert other.post(f"/api/leave/{leave['id']}/cancel/").status_code == 404
    assert client.post(f"/api/leave/{leave['id']}/approve/").status_code == 403
    assert api_client_for(tenants[0].user).get("/api/leave/").status_code == 403
    assert api_client_for(manager).post("/api/leave/", body, format="json").status_code == 403
    # The manager sees it among the waiting ones and approves: the agent's shift that day is cancelled.
    waiting = api_client_for(manager).get("/api/leave/?status=requested").json()["results"]
    assert [w["id"] for w in waiting] == [leave["id"]]
    assert "status" in _errors(api_client_for(manager).get("/api/leave/?status=maybe"))
    approved = api_client_for(manager).post(f"/api/leave/{leave['id']}/approve/")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved" and approved.json()["shifts_removed"] == 1
    assert not ShiftAssignment.objects.filter(agent=me, date=day).exists()
    again = api_client_for(manager).post(f"/api/leave/{leave['id']}/decline/")
    assert again.status_code == 409
    assert client.post(f"/api/leave/{leave['id']}/cancel/").status_code == 409
    assert Leave.objects.get(pk=leave["id"]).status == Leave.Status.APPROVED


# --- swaps --------------------------------------------------------------------------------------------------


def _giveaway(roster):
    for shift in roster.assignments.select_related("agent", "template", "shop", "roster").order_by("date", "pk"):
        options = swap_options(assignment=shift)
        if options.giveaways:
            return shift, options
    raise AssertionError("no shift could be given away")


def test_swap_proposed_declined_then_accepted_and_approved(api_client_for, world, manager):
    roster, agents, _other = world
    shift, options = _giveaway(roster)
    owner, taker = shift.agent, options.giveaways[0]
    client = api_client_for(owner)
    offered = client.get(f"/api/shifts/{shift.pk}/swap-options/").json()
    assert taker.pk in {p["id"] for p in offered["giveaways"]}
    stranger = AgentFactory(username="stranger", code="stranger")  # not certified for the shop
    assert "taker" in _errors(client.post("/api/swaps/", {"shift": shift.pk, "taker": stranger.pk}, format="json"))
    assert "taker" in _errors(client.post("/api/swaps/", {"shift": shift.pk}, format="json"))
    colleague_shift = ShiftAssignment.objects.exclude(agent=owner).filter(roster=roster).first()
    assert "shift" in _errors(client.post("/api/swaps/", {"shift": colleague_shift.pk, "taker": taker.pk}, format="json"))

    created = client.post("/api/swaps/", {"shift": shift.pk, "taker": taker.pk, "note": "有事"}, format="json")
    assert created.status_code == 201, created.json()
    swap = created.json()
    assert swap["status"] == "proposed" and swap["taker"]["id"] == taker.pk and swap["counterpart"] is None
    assert client.post("/api/swaps/", {"shift": shift.pk, "taker": taker.pk}, format="json").status_code == 409
    # Only the two agents concerned and managers see it.
    outsider = next(a for a in agents if a.pk not in (owner.pk, taker.pk))
    assert api_client_for(outsider).get(f"/api/swaps/{swap['id']}/").status_code == 404
    assert api_client_for(taker).get(f"/api/swaps/{swap['id']}/").status_code == 200
    # The colleague declines it.
    declined = api_client_for(taker).post(f"/api/swaps/{swap['id']}/withdraw/")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert api_client_for(manager).post(f"/api/swaps/{swap['id']}/approve/").status_code == 409

    # Asked again: a manager cannot approve before the colleague accepts; the requester cannot accept for them.
    again = client.post("/api/swaps/", {"shift": shift.pk, "taker": taker.pk}, format="json").json()
    assert api_client_for(manager).post(f"/api/swaps/{again['id']}/approve/").status_code == 409
    assert client.post(f"/api/swaps/{again['id']}/accept/").status_code == 403
    accepted = api_client_for(taker).post(f"/api/swaps/{again['id']}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "pending"
    assert client.post(f"/api/swaps/{again['id']}/approve/").status_code == 403
    approved = api_client_for(manager).post(f"/api/swaps/{again['id']}/approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert ShiftAssignment.objects.get(pk=shift.pk).agent_id == taker.pk
    assert SwapRequest.objects.get(pk=again["id"]).decided_by == manager


def test_swap_withdrawn_by_its_requester(api_client_for, world):
    roster, _agents, _other = world
    shift, options = _giveaway(roster)
    client = api_client_for(shift.agent)
    swap = client.post("/api/swaps/", {"shift": shift.pk, "taker": options.giveaways[0].pk}, format="json").json()
    withdrawn = client.post(f"/api/swaps/{swap['id']}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "cancelled"


def test_the_schema_documents_the_roster_api(client, manager):
    client.force_login(manager)
    paths = client.get("/api/schema/?format=json").json()["paths"]
    for path in ("/api/rosters/", "/api/rosters/{id}/solve/", "/api/rosters/{id}/publish/", "/api/shifts/",
                 "/api/shifts/{id}/swap-options/", "/api/leave/", "/api/leave/{id}/approve/", "/api/swaps/",
                 "/api/swaps/{id}/accept/", "/api/swaps/{id}/withdraw/"):
        assert path in paths, path
    assert "409" in paths["/api/rosters/{id}/publish/"]["post"]["responses"]


def test_the_partner_declines_on_the_my_shifts_page(client, world):
    from django.urls import reverse

    from staffing.rosters.services import swap_request_create

    roster, agents, _other = world
    shift, options = _giveaway(roster)
    taker = options.giveaways[0]
    swap = swap_request_create(assignment=shift, requester=shift.agent, taker=taker)
    outsider = next(a for a in agents if a.pk not in (shift.agent_id, taker.pk))
    client.force_login(outsider)
    assert client.post(reverse("staffing:swap-answer", args=[swap.pk]), {"answer": "decline"}).status_code == 404
    client.force_login(taker)
    assert client.post(reverse("staffing:swap-answer", args=[swap.pk]), {"answer": "decline"}).status_code == 302
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.DECLINED


def test_coverage_as_the_heatmap_shows_it(api_client_for, world, tenants, manager):
    roster, _agents, other = world
    one, two = tenants
    from staffing.rosters.selectors import coverage_grid

    slots, days, grid = coverage_grid(roster=roster, shop=one.shop)
    url = f"/api/rosters/{roster.pk}/coverage/?shop={one.shop.code}"
    body = api_client_for(one.user).get(url).json()
    assert body["shop"] == one.shop.code and len(body["cells"]) == len(slots) * len(days)
    first = body["cells"][0]
    cell = grid[slots[0], days[0]]
    assert first == {"date": days[0].isoformat(), "slot": slots[0], "required_agents": cell.required,
                     "scheduled_agents": cell.scheduled, "gap": cell.gap}
    assert api_client_for(manager).get(url).status_code == 200
    assert api_client_for(two.user).get(url).status_code == 404
    assert api_client_for(one.user).get(f"/api/rosters/{other.pk}/coverage/?shop={two.shop.code}").status_code == 404
    assert "shop" in _errors(api_client_for(manager).get(f"/api/rosters/{roster.pk}/coverage/"))
    assert api_client_for(manager).get(f"/api/rosters/{roster.pk}/coverage/?shop=nope").status_code == 404
