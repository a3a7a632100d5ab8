"""The manager's journey on the intraday page: the chart is drawn, a suggestion is accepted over htmx."""

from __future__ import annotations

import pytest

from compliance.intraday.models import IntradaySuggestion
from compliance.intraday.services import intraday_refresh
from tests.compliance.intraday.day_data import DAY, NOW, load_day
from tests.factories import PASSWORD, ManagerFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_accepts_a_move_and_the_table_follows(page, login, time_machine):
    time_machine.move_to(NOW, tick=True)
    load_day()
    intraday_refresh(day=DAY)
    ManagerFactory(username="intraday-browser")
    login("intraday-browser", PASSWORD)
    page.goto("/compliance/intraday/?date=2026-12-01&shop=ia")
    page.locator("#chart-intraday canvas").first.wait_for()
    assert page.locator("#intraday-half-hours tr[data-slot='10:00'] td[data-figure=gap]").inner_text().strip() == "缺 2"
    move = IntradaySuggestion.objects.get(kind="move")
    page.locator(f"tr[data-suggestion='{move.pk}'] button").click()
    page.locator("#intraday-accepted").wait_for()
    assert "已采纳建议并重新预测" in page.locator("#intraday").inner_text()
    assert page.locator("#intraday-half-hours tr[data-slot='10:00'] td[data-figure=gap]").inner_text().strip() == "缺 1"
    page.locator("#chart-intraday canvas").first.wait_for()  # drawn again after the swap
    move.refresh_from_db()
    assert move.status == "accepted"
