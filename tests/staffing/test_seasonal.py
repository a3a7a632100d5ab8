"""Seasonal plans: required people per shop and day against certified capacity, and what closes the gap."""

from __future__ import annotations

import math
from datetime import date

import pytest

from staffing.errors import StaffingInputError
from staffing.forecasting import forecast as fc
from staffing.forecasting.selectors import plan_detail
from staffing.forecasting.services import promotion_calendar_ensure, seasonal_plan_create
from staffing.models import Promotion
from staffing.training.services import certification_grant
from tests.factories import AgentFactory, ShopFactory
from tests.staffing.factories import feed_history

pytestmark = pytest.mark.django_db


def test_plan_shows_gap_and_how_to_close_it(tenants, manager):
    shop = tenants[0].shop  # pdd
    sister = ShopFactory(merchant=tenants[0].merchant, platform="pdd", code="sister-pdd")
    promotion_calendar_ensure(year=2026)
    promo = Promotion.objects.get(code="double12-2026")
    feed_history(shop, start=date(2026, 9, 14), days=35)  # to 18 October, before Double 11's pre-sale
    for _ in range(2):
        certification_grant(agent=AgentFactory(), shop=shop, days=365)
    cross = [AgentFactory() for _ in range(3)]
    for a in cross:
        certification_grant(agent=a, shop=sister, days=365)
    plan = seasonal_plan_create(
        promotion=promo, shops=[shop], by=manager, expected_orders={shop.pk: 40000}, refund_rate=0.06,
        refunds_per_agent=100,
    )
    [line] = plan_detail(plan=plan)
    assert len(line.days) == (promo.tail_end - promo.presale_start).days + 1
    assert line.certified == 2
    assert all(d.capacity == math.floor(2 * 6 / 7) for d in line.days)
    peak = next(d for d in line.days if d.phase == fc.PEAK)
    ordinary = line.days[0]
    assert peak.peak_seats > ordinary.peak_seats
    tail = [d for d in line.days if d.phase == fc.TAIL]
    assert sum(d.refund_agents for d in tail) >= math.ceil(40000 * 0.06 / 100)
    assert tail[0].refund_agents >= tail[-1].refund_agents
    assert all(d.required == d.headcount + d.refund_agents for d in line.days)
    assert all(d.gap == max(0, d.required - d.capacity) for d in line.days)
    assert line.max_gap == max(d.gap for d in line.days) > 0
    assert {u.pk for u in line.cross_trainable} == {a.pk for a in cross}
    assert line.train_from_other_shops == min(3, line.max_gap)
    assert line.temporary_agents == line.max_gap - line.train_from_other_shops
    assert line.surge_seats == max(0, peak.peak_seats - peak.capacity)


def test_plan_rejects_bad_inputs(tenants):
    promotion_calendar_ensure(year=2026)
    promo = Promotion.objects.get(code="double12-2026")
    with pytest.raises(StaffingInputError):
        seasonal_plan_create(promotion=promo, shops=[tenants[0].shop], refund_rate=1.5)
    with pytest.raises(StaffingInputError):
        seasonal_plan_create(promotion=promo, shops=[])
