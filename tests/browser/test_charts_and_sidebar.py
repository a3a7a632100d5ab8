"""In Chromium: the grouped sidebar per role with the right entry highlighted, and the ECharts charts of the main
chart pages drawn (a canvas inside each placeholder, the data it was given, no console error)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from compliance.quality.qa.models import ReviewAssignment
from compliance.quality.qa.services import autoqa_score_sessions
from staffing.forecasting.services import promotion_calendar_ensure, seasonal_plan_create
from staffing.training.services import certification_grant
from tests.factories import PASSWORD, AgentFactory, InspectorFactory, ManagerFactory, MerchantUserFactory, ShopFactory
from tests.quality.factories import make_scorecard, make_session
from tests.staffing.factories import feed_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUPS = {
    "manager": ["sales", "delivery", "workforce", "quality", "compliance", "settings"],
    "inspector": ["delivery", "workforce", "quality", "compliance", "settings"],
    "agent": ["delivery", "workforce", "quality", "compliance"],
    "merchant": ["sales", "delivery", "workforce", "quality", "compliance", "settings"],
}


@pytest.fixture
def watched(page):
    """The page, with every console error and uncaught exception collected."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    return page


def drawn(page, chart_id: str) -> dict:
    """Wait for the chart's canvas and return the series ECharts holds (name and data)."""
    page.wait_for_selector(f"#{chart_id} canvas")
    return page.evaluate(
        """id => echarts.getInstanceByDom(document.getElementById(id)).getOption().series
                  .map(s => ({name: s.name, data: s.data.map(p => (p && typeof p === 'object') ? p.value : p)}))""",
        chart_id,
    )


@pytest.mark.parametrize("role", list(GROUPS))
def test_sidebar_groups_by_job_for_each_role(watched, login, role):
    factory = {"manager": ManagerFactory, "inspector": InspectorFactory, "agent": AgentFactory,
               "merchant": MerchantUserFactory}[role]
    factory(username=f"side-{role}")
    login(f"side-{role}", PASSWORD)
    groups = watched.locator(".sidebar details.navgroup").evaluate_all("els => els.map(e => e.dataset.group)")
    assert groups == GROUPS[role]
    assert watched.locator(".sidebar a.active").evaluate_all("els => els.map(e => e.dataset.nav)") == ["dashboard"]
    # The dashboard is what waits for the user, not a second copy of the menu.
    assert watched.locator("#needs-you").is_visible()
    assert watched.locator(".tiles").count() == 0
    assert watched.errors == []


def test_review_page_highlights_the_review_queue(watched, login, tenants):
    inspector = InspectorFactory(username="side-qa")
    session = make_session(shop=tenants[0].shop, agent=AgentFactory(code="sq1"))
    assignment = ReviewAssignment.objects.create(session=session, inspector=inspector, scorecard=make_scorecard())
    login("side-qa", PASSWORD)
    watched.goto(f"/quality/assignments/{assignment.pk}/")
    active = watched.locator(".sidebar a.active").evaluate_all("els => els.map(e => e.dataset.nav)")
    assert active == ["qa-queue"]
    assert watched.locator(".sidebar details[data-group=quality] summary.active").count() == 1


def test_forecast_and_seasonal_plan_charts_render(watched, login):
    shop = ShopFactory(code="ch-fc", name="图表店铺", platform="jd")
    ManagerFactory(username="ch-manager")
    feed_history(shop, start=date(2026, 8, 3), days=14)
    login("ch-manager", PASSWORD)
    watched.goto("/staffing/forecast/ch-fc/?start=2026-09-07&days=7")
    daily = drawn(watched, "chart-daily")
    assert len(daily[0]["data"]) == 7 and all(v > 0 for v in daily[0]["data"])
    profile = drawn(watched, "chart-profile")
    assert [len(s["data"]) for s in profile] == [48, 48]

    promotion_calendar_ensure(year=2026)
    from staffing.models import Promotion

    certification_grant(agent=AgentFactory(), shop=shop, days=365)
    plan = seasonal_plan_create(promotion=Promotion.objects.get(code="double12-2026"), shops=[shop])
    watched.goto(f"/staffing/plans/{plan.pk}/")
    series = drawn(watched, "echart-plan-ch-fc")
    assert [s["name"] for s in series] == ["咨询客服", "售后退款客服", "可用（已认证）"]
    assert watched.errors == []


def test_rule_library_hit_trend_and_my_quality_trend_render(watched, login, tenants):
    agent = AgentFactory(username="ch-agent", code="ca1")
    shop = tenants[0].shop
    when = timezone.now() - timedelta(days=2)
    sessions = [make_session(shop=shop, agent=agent, start=when - timedelta(hours=k), violation=True) for k in range(3)]
    autoqa_score_sessions(session_ids=[s.pk for s in sessions])

    ManagerFactory(username="ch-rules")
    login("ch-rules", PASSWORD)
    watched.goto(f"/compliance/rules/?platform={shop.platform}")
    series = drawn(watched, "echart-rule-hits")
    violations = next(s for s in series if s["name"] == "违规")
    assert sum(violations["data"]) == 3 and len(violations["data"]) == 30

    watched.context.clear_cookies()
    login("ch-agent", PASSWORD)
    watched.goto("/quality/me/")
    series = drawn(watched, "echart-my-trend")
    assert any(v is not None for v in series[0]["data"])
    assert watched.errors == []
