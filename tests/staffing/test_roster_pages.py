"""Roster pages over HTTP: who sees what (tenancy, agents' own shifts), the job, the heatmap, swaps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from agency.models import Job
from staffing.rosters.models import ShiftAssignment, SwapRequest
from staffing.rosters.services import roster_publish, roster_solve_run
from tests.factories import AgentFactory
from tests.staffing.factories import staffed_roster

TIME_LIMIT = 2.0


@pytest.fixture
def solved(tenants):
    """A published 7-day roster for the first merchant's shop and a draft one for the second's."""
    mine, agents = staffed_roster([tenants[0].shop], per_shop=6, prefix="p")
    roster_solve_run(roster_id=mine.pk, time_limit=TIME_LIMIT)
    roster_publish(roster=mine, through=mine.end_date)
    theirs, _ = staffed_roster([tenants[1].shop], per_shop=6, prefix="q")
    roster_solve_run(roster_id=theirs.pk, time_limit=TIME_LIMIT)
    return mine, theirs, agents


def login(client, user):
    client.force_login(user)
    return client


def test_manager_creates_and_solves_a_roster_with_a_job(client, manager, tenants, django_capture_on_commit_callbacks):
    login(client, manager)
    _, agents = staffed_roster([tenants[0].shop], per_shop=6, prefix="m")
    page = client.get(reverse("staffing:roster-list"))
    assert page.status_code == 200
    from staffing.rosters.models import ShiftTemplate

    templates = ShiftTemplate.objects.filter(code__in=["E", "L"]).values_list("pk", flat=True)
    start = agents[0].certifications.first().granted_at.date() + timedelta(days=40)
    response = client.post(reverse("staffing:roster-list"), {
        "name": "十二月排班", "start_date": start.isoformat(), "days": 7, "shops": [tenants[0].shop.pk],
        "templates": list(templates), "min_rest_hours": 11, "max_consecutive_days": 6, "max_hours_per_week": 44,
        "min_coverage": 1,
    })
    assert response.status_code == 302
    detail = response["Location"]
    pk = int(detail.rstrip("/").split("/")[-1])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staffing:roster-solve", args=[pk]), {"time_limit": "2"})
    assert response.status_code == 302
    job = Job.objects.get(kind="roster.solve")
    assert job.status == Job.Status.DONE, job.message
    page = client.get(detail)
    assert page.status_code == 200
    assert f'id="job-{job.pk}"'.encode() in page.content
    assert ShiftAssignment.objects.filter(roster_id=pk).exists()


def test_heatmap_marks_gaps_in_red(client, manager, solved):
    mine, _, _ = solved
    login(client, manager)
    day = mine.start_date
    mine.demand.create(shop=mine.shops.first(), date=day, slot="20:00", agents=40)
    page = client.get(reverse("staffing:roster-shop", args=[mine.pk, mine.shops.first().code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="heatmap"' in html
    assert 'class="gap' in html and "/40<" in html  # the 20:00 slot wants 40 and is short
    assert 'id="shop-grid"' in html


def test_merchant_sees_own_shop_coverage_but_other_merchants_roster_and_shop_are_404(client, tenants, solved):
    mine, theirs, _ = solved
    login(client, tenants[0].user)
    assert client.get(reverse("staffing:roster-list")).status_code == 200
    assert client.get(reverse("staffing:roster-detail", args=[mine.pk])).status_code == 200
    page = client.get(reverse("staffing:roster-shop", args=[mine.pk, tenants[0].shop.code]))
    assert page.status_code == 200
    assert 'id="shop-grid"' not in page.content.decode()  # coverage only, not the agency's people
    assert client.get(reverse("staffing:roster-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("staffing:roster-shop", args=[theirs.pk, tenants[1].shop.code])).status_code == 404
    assert client.get(reverse("staffing:roster-shop", args=[mine.pk, tenants[1].shop.code])).status_code == 404
    assert client.get(reverse("staffing:roster-agents", args=[mine.pk])).status_code == 404
    listing = client.get(reverse("staffing:roster-list")).content.decode()
    assert tenants[1].shop.name not in listing


def test_agent_sees_only_own_shifts(client, solved):
    mine, _, agents = solved
    me = next(a for a in agents if ShiftAssignment.objects.filter(agent=a).exists())
    other = ShiftAssignment.objects.filter(roster=mine).exclude(agent=me).select_related("agent").first()
    login(client, me)
    page = client.get(reverse("staffing:my-shifts") + f"?from={mine.start_date.isoformat()}")
    assert page.status_code == 200
    html = page.content.decode()
    own = ShiftAssignment.objects.filter(agent=me, date__gte=mine.start_date).count()
    assert html.count('class="shift-entry"') == own
    assert client.get(reverse("staffing:roster-detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("staffing:roster-agents", args=[mine.pk])).status_code == 404
    # Another agent's shift cannot be offered for a swap by me.
    response = client.post(reverse("staffing:swap-request", args=[other.pk]), {"taker": me.pk})
    assert response.status_code == 404


def test_swap_request_then_manager_approval_over_http(client, manager, solved):
    mine, _, agents = solved
    shift = ShiftAssignment.objects.filter(roster=mine).select_related("agent").order_by("date").first()
    giver = shift.agent
    from staffing.rosters.services import swap_problems

    taker = next((a for a in agents if a != giver and not swap_problems(assignment=shift, taker=a)), None)
    if taker is None:
        pytest.skip("nobody free to take the first shift in this roster")
    login(client, giver)
    assert f'value="give:{taker.pk}"' in client.get(reverse("staffing:swap-request", args=[shift.pk])).content.decode()
    client.post(reverse("staffing:swap-request", args=[shift.pk]), {"choice": f"give:{taker.pk}", "note": "请假"})
    swap = SwapRequest.objects.get()
    client.logout()
    login(client, taker)  # the colleague accepts the give-away first
    client.post(reverse("staffing:swap-answer", args=[swap.pk]), {"answer": "accept"})
    client.logout()
    login(client, manager)
    assert f'data-swap="{swap.pk}"'.encode() in client.get(reverse("staffing:swap-list")).content
    client.post(reverse("staffing:swap-decide", args=[swap.pk]), {"decision": "approve"})
    shift.refresh_from_db()
    swap.refresh_from_db()
    assert swap.status == SwapRequest.Status.APPROVED and shift.agent == taker


def test_swap_to_an_uncertified_agent_is_not_offered_nor_accepted(client, solved):
    mine, _, _ = solved
    shift = ShiftAssignment.objects.filter(roster=mine).select_related("agent").first()
    outsider = AgentFactory(username="outsider", code="outsider")
    login(client, shift.agent)
    page = client.get(reverse("staffing:swap-request", args=[shift.pk])).content.decode()
    assert f'value="give:{outsider.pk}"' not in page and 'data-agent="outsider"' not in page
    response = client.post(reverse("staffing:swap-request", args=[shift.pk]), {"choice": f"give:{outsider.pk}"}, follow=True)
    assert "请选择一个可换的同事或班次" in response.content.decode()
    assert not SwapRequest.objects.exists()


@pytest.mark.parametrize("per_shop", [4, 8])
def test_page_query_counts_do_not_grow_with_the_roster(client, manager, tenants, per_shop, django_assert_max_num_queries):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=per_shop, prefix=f"z{per_shop}")
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster_publish(roster=roster, through=roster.end_date)
    login(client, manager)
    shop = tenants[0].shop
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staffing:roster-shop", args=[roster.pk, shop.code])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("staffing:roster-agents", args=[roster.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("staffing:roster-detail", args=[roster.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("staffing:roster-list")).status_code == 200
    client.logout()
    login(client, agents[0])
    with django_assert_max_num_queries(10):
        assert client.get(reverse("staffing:my-shifts") + f"?from={roster.start_date}").status_code == 200


def test_dashboard_shows_an_agent_their_next_shifts_and_a_manager_pending_swaps(client, manager, solved):
    mine, _, agents = solved
    me = next(a for a in agents if ShiftAssignment.objects.filter(agent=a).exists())
    login(client, me)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="widget-next-shifts"' in html and mine.shops.first().name in html
    client.logout()
    login(client, manager)
    assert 'id="widget-pending-swaps"' in client.get(reverse("dashboard")).content.decode()
