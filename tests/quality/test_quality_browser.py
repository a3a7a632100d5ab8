"""A merchant walks their quality view in Chromium: shop figures and charts, drill-down to a session
with its rule hit highlighted and the buyer masked; another merchant's shop is not there."""

from __future__ import annotations

import pytest

from compliance.quality.metrics.services import metrics_refresh
from tests.factories import PASSWORD, AgentFactory
from tests.quality.test_quality_view import MONTH, add_hit, add_sessions

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merchant_drills_down_from_charts_to_a_highlighted_hit(page, login, tenants):
    one, two = tenants
    agent = AgentFactory(code="w01")
    mine = add_sessions(one.shop, agent, 4, "web-")
    add_sessions(two.shop, agent, 2, "other-")
    add_hit(mine[1])
    metrics_refresh()

    login(one.user.username, PASSWORD)
    page.click(".sidebar a[data-nav=quality]")
    page.goto(f"/quality/?month={MONTH}")
    rows = page.locator("#quality-overview tbody tr")
    assert rows.count() == 1 and two.shop.name not in page.content()
    page.click(f"#quality-overview a:has-text('{one.shop.name}')")
    page.wait_for_selector("#echart-reply-rate canvas")
    assert page.locator("#echart-violations canvas").count() == 1
    bars = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('echart-violations')).getOption().series[0].data"
    )
    assert bars == [1]
    page.click("text=会话明细")
    page.check("input[name=hits]")
    page.click(".filters button[type=submit]")
    assert page.locator("#session-table tbody tr").count() == 1
    page.click("#session-table tbody a")
    mark = page.locator("mark.hit").first
    assert mark.inner_text() == "微信"
    assert "13812345678" not in page.content() and "138****5678" in page.content()
    response = page.goto(f"/quality/shops/{two.shop.code}/")
    assert response.status == 404
