"""Demo data for forecasting: the promotion calendar, ten weeks of demand history per demo shop, one
forecast override and a Double 12 seasonal plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.utils import timezone

from agency.models import User
from clients.models import Shop
from staffing.forecasting import forecast as fc
from staffing.forecasting.models import ForecastOverride, IntervalVolume, Promotion, SeasonalPlan
from staffing.forecasting.services import (
    demand_history_record,
    forecast_override_set,
    promotion_calendar_ensure,
    seasonal_plan_create,
)

ORDER = 30

SHANGHAI = ZoneInfo("Asia/Shanghai")
HISTORY_DAYS = 70

# chats on an ordinary weekday per shop (scaled by the intraday curve)
SHOP_SCALE = {"lanxin-tmall": 900, "lanxin-pdd": 1400, "lanxin-douyin": 700, "qingshan-jd": 500, "qingshan-taobao": 600}


def _volume(shop_code: str, day: date, slot: int, rng: np.random.Generator, promotions) -> int:
    scale = SHOP_SCALE.get(shop_code, 500)
    weekday = 1.2 if day.weekday() >= 5 else 1.0
    kind = fc.day_kind(day)
    holiday = 0.9 if kind.kind == fc.HOLIDAY else 1.0
    _, _, uplift = fc.promotion_on(day, promotions)
    mean = scale * weekday * holiday * uplift * fc.GENERIC_INTRADAY[slot]
    return int(rng.poisson(mean))


def _history(shops: list[Shop], log: Callable[[str], None]) -> None:
    today = timezone.localdate()
    first = today - timedelta(days=HISTORY_DAYS)
    promotions = [
        fc.PromotionWindow(p.code, p.name, p.presale_start, p.peak_start, p.peak_end, p.tail_end,
                           p.presale_uplift, p.peak_uplift, p.tail_uplift, tuple(p.platforms))
        for p in Promotion.objects.all()
    ]
    lo = datetime.combine(first, time(0), tzinfo=SHANGHAI)
    for shop in shops:
        if IntervalVolume.objects.filter(shop=shop, start__gte=lo).count() >= (HISTORY_DAYS - 1) * 48:
            continue
        rng = np.random.default_rng(sum(map(ord, shop.code)))
        data = {}
        for offset in range(HISTORY_DAYS):
            day = first + timedelta(days=offset)
            for slot in range(fc.SLOTS_PER_DAY):
                at = datetime.combine(day, time(slot // 2, 30 * (slot % 2)), tzinfo=SHANGHAI)
                data[at] = _volume(shop.code, day, slot, rng, promotions)
        demand_history_record(shop=shop, volumes=data, source="demo")
    log(f"staffing: {HISTORY_DAYS} days of half-hour history for {len(shops)} shops")


def load(*, password: str, log: Callable[[str], None]) -> None:
    year = timezone.localdate().year
    for y in (year - 1, year, year + 1):
        promotion_calendar_ensure(year=y)
    shops = list(Shop.objects.filter(code__in=SHOP_SCALE).select_related("merchant").order_by("code"))
    if not shops:
        log("staffing: no demo shops found (clients demo data runs first)")
        return
    _history(shops, log)
    by_code = {s.code: s for s in shops}
    d12 = Promotion.objects.filter(code=f"double12-{year}").first()
    if d12 and "lanxin-pdd" in by_code and not ForecastOverride.objects.filter(shop=by_code["lanxin-pdd"]).exists():
        manager = User.objects.filter(username="manager").first()
        forecast_override_set(shop=by_code["lanxin-pdd"], day=d12.peak_start, slot=time(20), agents=40,
                              note="双12 晚八点直播间加推", by=manager)
    if d12 and not SeasonalPlan.objects.filter(promotion=d12).exists():
        manager = User.objects.filter(username="manager").first()
        seasonal_plan_create(
            promotion=d12, shops=shops, by=manager, title=f"{d12.name} 人力计划",
            expected_orders={s.pk: int(SHOP_SCALE.get(s.code, 500) * 12) for s in shops},
            refund_rate=0.06, refunds_per_agent=80,
        )
    log(f"staffing: promotions for {year - 1}–{year + 1}, a Double 12 seasonal plan, one forecast override")
