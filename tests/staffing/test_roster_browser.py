"""Browser journeys: a manager reads the coverage heatmap; an agent finds their shifts and asks for a swap."""

from __future__ import annotations

import pytest

from staffing.rosters.models import ShiftAssignment, SwapRequest
from staffing.rosters.services import roster_publish, roster_solve_run, swap_options, swap_problems
from tests.factories import PASSWORD, ManagerFactory, MerchantFactory, ShopFactory
from tests.staffing.factories import staffed_roster

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published():
    shop = ShopFactory(merchant=MerchantFactory(code="b-m"), code="b-shop", name="浏览器店铺")
    roster, agents = staffed_roster([shop], per_shop=6, prefix="b")
    roster_solve_run(roster_id=roster.pk, time_limit=2)
    roster_publish(roster=roster, through=roster.end_date)
    return roster, shop, agents


def test_manager_reads_the_heatmap(page, login, published):
    roster, shop, _ = published
    ManagerFactory(username="b-manager")
    login("b-manager", PASSWORD)
    page.goto(f"/staffing/rosters/{roster.pk}/")
    page.click(f"text={shop.name}")
    page.wait_for_selector("#heatmap")
    assert page.locator("#heatmap tbody tr").count() == 30  # 08:00–23:00 in half hours
    assert page.locator("#shop-grid tbody tr").count() >= 3


def test_agent_sees_own_shifts_and_finds_an_eligible_swap(page, login, published):
    roster, _shop, agents = published
    shift = next(
        s for s in ShiftAssignment.objects.filter(roster=roster).select_related("agent", "roster", "shop", "template")
        .order_by("date", "pk") if swap_options(assignment=s).trades
    )
    login(shift.agent.username, PASSWORD)
    page.goto(f"/staffing/my-shifts/?from={roster.start_date.isoformat()}")
    own = ShiftAssignment.objects.filter(agent=shift.agent).count()
    assert page.locator("#calendar .shift-entry").count() == own
    page.goto(f"/staffing/my-shifts/{shift.pk}/swap/")
    page.locator("#trades input[type=radio]").first.check()
    page.click("#swap-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    swap = SwapRequest.objects.get(requester=shift.agent)
    assert swap.counterpart is not None and not swap_problems(assignment=shift, taker=swap.taker, counterpart=swap.counterpart)
