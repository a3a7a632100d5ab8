"""The grouped sidebar (every entry in a known group, one highlighted per page) and the dashboard of what
waits for the user."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agency.models import Job
from agency.navigation import GROUPS, NavItem, _nav
from agency.permissions import EVERYONE
from agency.services import job_create
from compliance.quality.models import QualityAlert
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def sections(response) -> dict[str, list[str]]:
    return {s["key"]: [i["key"] for i in s["items"]] for s in response.context["nav_sections"]}


def active(response) -> list[str]:
    return [i["key"] for i in response.context["nav_items"] if i["active"]]


def test_every_entry_but_the_dashboard_is_in_a_group():
    assert {item.key for item in _nav.values() if not item.group} == {"dashboard"}
    assert {item.group for item in _nav.values() if item.group} <= set(GROUPS)


def test_an_unknown_group_is_refused():
    with pytest.raises(ValueError, match="unknown group"):
        NavItem("x", "x", "dashboard", EVERYONE, group="marketing")


def test_manager_sidebar_is_grouped_by_job_in_order(client, manager):
    client.force_login(manager)
    groups = sections(client.get("/"))
    assert list(groups) == ["", "sales", "delivery", "workforce", "quality", "compliance", "settings"]
    assert groups[""] == ["dashboard"]
    assert {"engagements", "quotes", "contracts"} <= set(groups["sales"])
    assert {"rosters", "seasonal-plans", "forecast", "training"} <= set(groups["workforce"])
    assert {"rule-library", "violations", "precheck", "retention"} <= set(groups["compliance"])
    assert {"jobs", "price-books", "sla-profiles"} <= set(groups["settings"])


def test_each_role_sees_only_its_groups(client, agent, tenants):
    client.force_login(agent)
    groups = sections(client.get("/"))
    assert "sales" not in groups and "settings" not in groups
    assert "my-shifts" in groups["workforce"] and "qa-mine" in groups["quality"]
    client.force_login(tenants[0].user)
    groups = sections(client.get("/"))
    assert "portal" in groups["delivery"] and "quotes" in groups["sales"]
    assert groups["settings"] == ["merchant-data-export"]


@pytest.mark.parametrize(("url_name", "kwargs", "expected"), [
    ("dashboard", {}, "dashboard"),
    ("quality:overview", {}, "quality"),
    ("quality:autoqa", {}, "qa-autoqa"),
    ("quality:review", {"pk": 1}, "qa-queue"),  # under /quality/ but belongs to the review queue
    ("quality:review-detail", {"pk": 1}, "qa-reviews"),
    ("quality:alert", {"pk": 1}, "quality-alerts"),
    ("quality:sla-profile-edit", {"platform": "jd"}, "sla-profiles"),
    ("clients:quote-detail", {"pk": 1}, "quotes"),
    ("job-detail", {"pk": 1}, "jobs"),
])
def test_one_entry_is_highlighted_on_each_page(client, manager, url_name, kwargs, expected):
    from agency.navigation import active_entry, nav_for

    items = nav_for(manager)
    path = reverse(url_name, kwargs=kwargs)
    assert active_entry(items, path=path, view_name=url_name) == expected


def test_the_review_page_highlights_the_queue_over_http(client, manager, tenants):
    from compliance.quality.qa.models import ReviewAssignment
    from tests.quality.factories import make_scorecard, make_session

    assignment = ReviewAssignment.objects.create(
        session=make_session(shop=tenants[0].shop), inspector=manager, scorecard=make_scorecard()
    )
    client.force_login(manager)
    assert active(client.get(reverse("quality:review", args=[assignment.pk]))) == ["qa-queue"]


def test_dashboard_lists_what_waits_not_the_menu(client, manager, tenants):
    client.force_login(manager)
    html = client.get("/").content.decode()
    assert 'class="tiles"' not in html and 'id="needs-you"' in html
    assert client.get("/").context["todos"] == []

    shop = tenants[0].shop
    today = timezone.localdate()
    QualityAlert.objects.create(shop=shop, day=today, metric="reply_rate", level="breach", value=0.5, threshold=0.9)
    QualityAlert.objects.create(shop=shop, day=today - timedelta(days=1), metric="reply_rate", level="warning",
                                value=0.7, threshold=0.8)
    failed = job_create(kind="test", title="导入", created_by=manager)
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED)
    todos = {t["key"]: t for t in client.get("/").context["todos"]}
    assert todos["alerts-breach"]["count"] == 1 and todos["alerts-breach"]["tone"] == "bad"
    assert todos["alerts-warning"]["count"] == 1
    assert todos["failed-jobs"]["count"] == 1 and todos["failed-jobs"]["url"] == "/jobs/?status=failed"
    assert [job.pk for job in client.get("/jobs/?status=failed").context["jobs"]] == [failed.pk]


def test_agent_dashboard_has_no_manager_todos(client, agent, manager, tenants):
    QualityAlert.objects.create(shop=tenants[0].shop, day=date(2026, 11, 2), metric="reply_rate", level="breach",
                                value=0.5, threshold=0.9)
    client.force_login(agent)
    keys = {t["key"] for t in client.get("/").context["todos"]}
    assert not keys & {"alerts-breach", "failed-jobs", "quotes-awaiting", "rosters-to-publish"}


def test_merchant_dashboard_shows_kpis_against_targets_for_own_shops_only(client, tenants):
    from compliance.quality.metrics.models import ShopDayMetrics

    one, two = tenants
    ShopFactory(merchant=two.merchant, code="kpi-other", name="别家店")
    day = date(2026, 11, 3)
    # 40 of 100 turns answered within the target: below every platform's reply-rate target (PDD's is 50%).
    ShopDayMetrics.objects.create(shop=one.shop, day=day, sessions=40, counted_turns=100, answered_turns=100,
                                  answered_within_target=40, response_seconds_sum=100 * 20)
    client.force_login(one.user)
    response = client.get("/")
    html = response.content.decode()
    assert 'id="widget-quality-kpis"' in html and "别家店" not in html and two.shop.name not in html
    widget = next(w for w in response.context["widgets"] if w["template"] == "quality/_kpis_widget.html")
    (row,) = widget["rows"]
    assert row["reply_rate"] == pytest.approx(0.4) and row["reply_rate_ok"] is False
    assert 'class="kpi bad"' in html and "40.0%" in html
