"""Reads for forecasting: a shop's staffing parameters, demand history, forecasts and required agents per
half hour (Erlang C), and seasonal plans against certified capacity."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agency import charts
from agency.access import is_staff_viewer, scope_by_merchant
from agency.models import User
from clients.models import Platform, Shop
from staffing.forecasting import forecast as fc
from staffing.forecasting.accuracy import Errors
from staffing.forecasting.erlang import staff_intervals, tail_shares
from staffing.forecasting.models import (
    ForecastOverride,
    ForecastSnapshot,
    IntervalVolume,
    Promotion,
    SeasonalPlan,
    SeasonalPlanShop,
    StaffingProfile,
)
from staffing.training.selectors import certifications_valid

# Response targets and service windows per platform (domain.md; a manager changes them per shop).
PLATFORM_DEFAULTS: dict[str, dict] = {
    Platform.PDD: {"answer_seconds": 180, "window_start": time(8), "window_end": time(23)},
    Platform.DOUYIN: {"answer_seconds": 180, "window_start": time(8), "window_end": time(23)},
    Platform.JD: {"answer_seconds": 30, "window_start": time(9), "window_end": time(23)},
    Platform.TAOBAO: {"answer_seconds": 180, "window_start": time(8), "window_end": time(23)},
    Platform.TMALL: {"answer_seconds": 180, "window_start": time(8), "window_end": time(23)},
}


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def staffing_profile(*, shop: Shop) -> StaffingProfile:
    """The shop's saved parameters, or an unsaved row with its platform's defaults."""
    try:
        return shop.staffing_profile
    except StaffingProfile.DoesNotExist:
        return StaffingProfile(shop=shop, **PLATFORM_DEFAULTS.get(shop.platform, {}))


def staffing_profile_fresh(*, shop: Shop) -> StaffingProfile:
    """Like `staffing_profile`, but never the instance cached on `shop` (for forms and updates to change)."""
    # By id, not `shop=shop`: assigning the shop would cache this instance on `shop.staffing_profile`, and a
    # form that refuses a value has already set it on the instance, so the page would compute with it.
    return StaffingProfile.objects.filter(shop=shop).first() or StaffingProfile(
        shop_id=shop.pk, **PLATFORM_DEFAULTS.get(shop.platform, {})
    )


def window_slots(profile: StaffingProfile) -> list[int]:
    """Indices of the half hours inside the service window. An end of 00:00 means midnight; an end before the
    start (08:00–02:00) wraps: the small hours of the same calendar date are served too."""
    start = profile.window_start.hour * 60 + profile.window_start.minute
    end = profile.window_end.hour * 60 + profile.window_end.minute or 24 * 60
    if end > start:
        return [i for i in range(fc.SLOTS_PER_DAY) if start <= i * fc.SLOT_MINUTES < end]
    return [i for i in range(fc.SLOTS_PER_DAY) if i * fc.SLOT_MINUTES >= start or i * fc.SLOT_MINUTES < end]


def promotion_windows(*, start: date | None = None, end: date | None = None) -> list[fc.PromotionWindow]:
    qs = Promotion.objects.all()
    if start is not None:
        qs = qs.filter(tail_end__gte=start)
    if end is not None:
        qs = qs.filter(presale_start__lte=end)
    return [
        fc.PromotionWindow(
            p.code, p.name, p.presale_start, p.peak_start, p.peak_end, p.tail_end,
            p.presale_uplift, p.peak_uplift, p.tail_uplift, tuple(p.platforms or ()),
        )
        for p in qs
    ]


def histories_by_day(*, shops: list[Shop], start: date, end: date) -> dict[int, dict[date, np.ndarray]]:
    """Half-hour volumes per shop id and local day in [start, end), in one query."""
    tz = local_tz()
    lo = datetime.combine(start, time(0), tzinfo=tz)
    hi = datetime.combine(end, time(0), tzinfo=tz)
    out: dict[int, dict[date, np.ndarray]] = {shop.pk: {} for shop in shops}
    rows = IntervalVolume.objects.filter(shop__in=shops, start__gte=lo, start__lt=hi).values_list(
        "shop_id", "start", "volume"
    )
    for shop_id, at, volume in rows:
        local = at.astimezone(tz)
        day = out[shop_id].setdefault(local.date(), np.zeros(fc.SLOTS_PER_DAY))
        day[(local.hour * 60 + local.minute) // fc.SLOT_MINUTES] += volume
    return out


def history_by_day(*, shop: Shop, start: date, end: date) -> dict[date, np.ndarray]:
    return histories_by_day(shops=[shop], start=start, end=end)[shop.pk]


@dataclass
class ShopForecast:
    shop: Shop
    profile: StaffingProfile
    fitted: fc.Profile
    days: list[fc.DayForecast]
    slots: list[int]  # window slot indices
    agents: dict[date, np.ndarray]  # per day, required agents per slot (0 outside the window)
    overridden: set[tuple[date, int | None]] = field(default_factory=set)

    @property
    def slot_labels(self) -> list[str]:
        return [fc.slot_label(i) for i in self.slots]


def shop_forecasts(
    *, shops: list[Shop], start: date, days: int, history_weeks: int = 8, with_overrides: bool = True
) -> dict[int, ShopForecast]:
    """Forecast volumes and required agents for `days` days for several shops (a fixed number of queries,
    however many shops), with managers' overrides applied (the model's own forecast when `with_overrides`
    is False). Keyed by shop id."""
    end = start + timedelta(days=days)
    history_start = start - timedelta(days=7 * history_weeks + 60)
    promotions = promotion_windows(start=history_start, end=end)
    histories = histories_by_day(shops=shops, start=history_start, end=start)
    overrides_by_shop: dict[int, list[ForecastOverride]] = defaultdict(list)
    overrides = ForecastOverride.objects.filter(shop__in=shops, date__gte=start, date__lt=end)
    for o in overrides if with_overrides else ():
        overrides_by_shop[o.shop_id].append(o)
    return {
        shop.pk: _forecast_one(
            shop=shop, start=start, days=days, history=histories[shop.pk], promotions=promotions,
            overrides=overrides_by_shop[shop.pk], history_weeks=history_weeks,
        )
        for shop in shops
    }


def shop_forecast(*, shop: Shop, start: date, days: int, history_weeks: int = 8) -> ShopForecast:
    """Forecast volumes and required agents for one shop, with managers' overrides applied."""
    return shop_forecasts(shops=[shop], start=start, days=days, history_weeks=history_weeks)[shop.pk]


def _forecast_one(
    *, shop: Shop, start: date, days: int, history: dict[date, np.ndarray], promotions: list[fc.PromotionWindow],
    overrides: list[ForecastOverride], history_weeks: int,
) -> ShopForecast:
    profile = staffing_profile(shop=shop)
    fitted = fc.fit_profile(history, promotions=promotions, platform=shop.platform, before=start, weeks=history_weeks)
    day_totals = {o.date: o.volume for o in overrides if o.slot is None and o.volume is not None}
    result = fc.forecast_days(
        fitted, start=start, days=days, promotions=promotions, platform=shop.platform, day_totals=day_totals
    )
    overridden: set[tuple[date, int | None]] = {(d, None) for d in day_totals}
    by_day = {d.day: d for d in result}
    agent_overrides: dict[tuple[date, int], int] = {}
    for o in overrides:
        if o.slot is None:
            continue
        index = (o.slot.hour * 60 + o.slot.minute) // fc.SLOT_MINUTES
        if o.volume is not None and o.date in by_day:
            by_day[o.date].volumes[index] = o.volume
            overridden.add((o.date, index))
        if o.agents is not None:
            agent_overrides[(o.date, index)] = o.agents
            overridden.add((o.date, index))

    slots = window_slots(profile)
    agents: dict[date, np.ndarray] = {}
    if result and slots:
        volumes = np.array([d.volumes[slots] for d in result])  # days × window slots
        staffed = staff_intervals(
            volumes.ravel(),
            interval_minutes=fc.SLOT_MINUTES,
            aht_seconds=profile.aht_seconds,
            answer_seconds=profile.answer_seconds,
            service_level=profile.service_level,
            max_occupancy=profile.max_occupancy,
            shrinkage=profile.shrinkage,
            concurrency=profile.concurrency,
        )
        needed = np.where(volumes.ravel() > 0, staffed.agents, 0).reshape(volumes.shape)
        for row, day_forecast in enumerate(result):
            full = np.zeros(fc.SLOTS_PER_DAY, dtype=np.int64)
            full[slots] = needed[row]
            agents[day_forecast.day] = full
    for (day, index), value in agent_overrides.items():
        if day in agents:
            agents[day][index] = value
    return ShopForecast(shop, profile, fitted, result, slots, agents, overridden)


def required_agents(*, shop: Shop, start: date, days: int) -> dict[tuple[date, str], int]:
    """Agents to schedule per half hour of the service window ("HH:MM" slot start → agents), from the
    forecast and Erlang C with the shop's response target (after shrinkage). The roster's demand."""
    result = shop_forecast(shop=shop, start=start, days=days)
    return {
        (day, fc.slot_label(i)): int(values[i]) for day, values in result.agents.items() for i in result.slots
    }


# --- seasonal plans -------------------------------------------------------------------------------------


def plans_visible_to(*, user: User) -> QuerySet[SeasonalPlan]:
    """Seasonal plans are the agency's own business: staff see them all, nobody else any."""
    qs = SeasonalPlan.objects.select_related("promotion").order_by("-created_at")
    return qs if is_staff_viewer(user) else qs.none()


@dataclass
class PlanDay:
    day: date
    phase: str | None
    peak_seats: int  # most agents needed at once (half-hour peak)
    headcount: int  # agents needed on the day = agent-hours ÷ shift hours (at least the peak)
    refund_agents: int  # after-sales tail (seed 004), added on top
    required: int  # headcount + refund agents
    capacity: int  # certified agents available on a day (6 of 7 days)
    gap: int


@dataclass
class PlanShop:
    line: SeasonalPlanShop
    days: list[PlanDay]
    certified: int
    max_gap: int
    cross_trainable: list[User]  # certified for another shop of the platform, not for this one
    train_from_other_shops: int
    temporary_agents: int
    surge_seats: int  # contract amendment: the peak-day seats above the certified capacity


def plan_detail(*, plan: SeasonalPlan) -> list[PlanShop]:
    """For every shop of the plan and every day of the promotion: required people vs certified capacity,
    the gap, and what closes it: (1) cross-train agents certified only for other shops of the same
    platform, (2) temporary agents for the rest, (3) a contract amendment for the surge seats on peak days."""
    promo = plan.promotion
    window = fc.PromotionWindow(
        promo.code, promo.name, promo.presale_start, promo.peak_start, promo.peak_end, promo.tail_end,
        promo.presale_uplift, promo.peak_uplift, promo.tail_uplift, tuple(promo.platforms or ()),
    )
    start, end = promo.presale_start, promo.tail_end
    days = (end - start).days + 1
    tail_days = (promo.tail_end - promo.peak_end).days
    shares = tail_shares(tail_days)
    lines = list(
        plan.lines.select_related("shop", "shop__merchant", "shop__staffing_profile").order_by("shop__code")
    )
    forecasts = shop_forecasts(shops=[line.shop for line in lines], start=start, days=days)
    now = timezone.now()
    valid = certifications_valid(on=now).select_related("agent", "shop")
    by_shop: dict[int, set[int]] = defaultdict(set)
    agents: dict[int, User] = {}
    platform_of: dict[int, str] = {}
    for c in valid:
        by_shop[c.shop_id].add(c.agent_id)
        agents[c.agent_id] = c.agent
        platform_of[c.shop_id] = c.shop.platform
    out = []
    for line in lines:
        shop = line.shop
        forecast = forecasts[shop.pk]
        certified = len(by_shop.get(shop.pk, ()))
        capacity = math.floor(certified * 6 / 7)
        plan_days = []
        for d in forecast.days:
            needed = forecast.agents.get(d.day, np.zeros(fc.SLOTS_PER_DAY, dtype=np.int64))
            peak = int(needed.max()) if needed.size else 0
            headcount = max(peak, math.ceil(float(needed.sum()) * fc.SLOT_MINUTES / 60 / plan.shift_hours - 1e-9))
            phase = window.phase(d.day)
            refunds = 0
            if phase == fc.TAIL and tail_days:
                index = (d.day - promo.peak_end).days - 1
                volume = line.expected_orders * line.refund_rate * shares[index]
                refunds = math.ceil(volume / max(line.refunds_per_agent, 1) - 1e-9)
            required = headcount + refunds
            plan_days.append(
                PlanDay(d.day, phase, peak, headcount, refunds, required, capacity, max(0, required - capacity))
            )
        max_gap = max((p.gap for p in plan_days), default=0)
        others = set()
        for shop_id, ids in by_shop.items():
            if shop_id != shop.pk and platform_of.get(shop_id) == shop.platform:
                others |= ids
        others -= by_shop.get(shop.pk, set())
        cross = sorted((agents[i] for i in others), key=lambda u: u.code or u.username)
        train = min(len(cross), max_gap)
        temporary = max_gap - train
        peak_days = [p for p in plan_days if p.phase == fc.PEAK]
        surge = max((max(0, p.peak_seats - capacity) for p in peak_days), default=0)
        out.append(PlanShop(line, plan_days, certified, max_gap, cross, train, temporary, surge))
    return out


def shops_for_planning(*, user: User) -> QuerySet[Shop]:
    return scope_by_merchant(Shop.objects.select_related("merchant"), user=user)


def plan_lines_prefetch() -> Prefetch:
    return Prefetch("lines", queryset=SeasonalPlanShop.objects.select_related("shop"))


# --- the forecast page ------------------------------------------------------------------------------------

PHASE_LABELS = {fc.PRESALE: gettext_lazy("预售"), fc.PEAK: gettext_lazy("高峰"), fc.TAIL: gettext_lazy("售后")}
KIND_LABELS = {
    fc.WORKDAY: gettext_lazy("工作日"), fc.WEEKEND: gettext_lazy("周末"),
    fc.HOLIDAY: gettext_lazy("法定节假日"), fc.MAKEUP: gettext_lazy("调休上班"),
}


def forecast_page(*, shop: Shop, start: date, days: int) -> dict:
    """What the forecast page shows for a shop: the forecast, the half-hour profile and daily totals charts,
    and per day the heat row of required agents (with overridden cells marked) and its totals."""
    result = shop_forecast(shop=shop, start=start, days=days)
    slots = result.slots
    mean_volume = np.mean([d.volumes for d in result.days], axis=0) if result.days else np.zeros(fc.SLOTS_PER_DAY)
    mean_agents = np.max([result.agents[d.day] for d in result.days], axis=0) if result.days else np.zeros(48)
    profile_chart = charts.chart(
        title=_("半小时咨询量曲线"),
        labels=[fc.slot_label(i) for i in range(fc.SLOTS_PER_DAY)],
        series_list=[
            charts.series(_("平均每半小时咨询量"), [float(v) for v in mean_volume]),
            charts.series(_("最多所需客服（右轴）"), [float(v) for v in mean_agents], kind="bar", on_axis=1),
        ],
        axes=[charts.axis(_("咨询量")), charts.axis(_("客服"))],
    )
    bars: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for d in result.days:
        css = d.phase or ("holiday" if d.kind.kind == fc.HOLIDAY else "normal")
        mark = ""
        if d.phase == fc.PEAK:
            mark = "★"
        elif d.kind.kind == fc.HOLIDAY:
            mark = _("休")
        elif d.kind.kind == fc.MAKEUP:
            mark = _("班")
        bars.append({"value": d.total, "label": d.day.strftime("%m-%d"), "color": css, "mark": mark})
        agents = result.agents.get(d.day)
        rows.append({
            "forecast": d,
            "kind": KIND_LABELS[d.kind.kind],
            "phase": PHASE_LABELS[d.phase] if d.phase else "",
            "total": round(d.total),
            "peak_agents": int(agents.max()) if agents is not None else 0,
            "agent_hours": float(agents.sum()) / 2 if agents is not None else 0,
            "cells": [
                {"value": int(agents[i]), "volume": round(float(d.volumes[i]), 1),
                 "overridden": (d.day, i) in result.overridden}
                for i in slots
            ] if agents is not None else [],
            "overridden": (d.day, None) in result.overridden,
        })
    peak_value = max((c["value"] for r in rows for c in r["cells"]), default=0) or 1
    for r in rows:
        for c in r["cells"]:
            c["level"] = min(5, int(np.ceil(c["value"] / peak_value * 5)))
    return {
        "result": result,
        "rows": rows,
        "slot_labels": result.slot_labels,
        "profile_chart": profile_chart,
        "daily_chart": charts.chart(
            title=_("每日咨询总量"),
            labels=[b["label"] for b in bars],
            series_list=[charts.series(_("预测咨询量"), [b["value"] for b in bars], kind="bar",
                                       colors=[b["color"] for b in bars], marks=[b["mark"] for b in bars])],
            axes=[charts.axis(_("咨询量"))],
        ),
        "total_volume": round(sum(d.total for d in result.days)),
        "peak_agents": max((r["peak_agents"] for r in rows), default=0),
    }


def promotions_recent(*, today: date) -> QuerySet[Promotion]:
    """The promotion calendar from the start of last year on."""
    return Promotion.objects.filter(tail_end__gte=date(today.year - 1, 1, 1)).order_by("presale_start")


def forecast_days_as_rows(*, result: ShopForecast) -> list[dict[str, Any]]:
    """A shop forecast as plain rows (per day, per half hour: volume and required agents), as the API
    shows it."""
    days = []
    for d in result.days:
        agents = result.agents.get(d.day)
        days.append({
            "date": d.day,
            "kind": d.kind.kind,
            "holiday": d.kind.holiday,
            "promotion": d.promotion.code if d.promotion else None,
            "phase": d.phase,
            "total": round(d.total, 1),
            "slots": [
                {"slot": fc.slot_label(i), "volume": round(float(d.volumes[i]), 2),
                 "agents": int(agents[i]) if agents is not None else 0}
                for i in result.slots
            ],
        })
    return days


def daily_volume_by_shop(*, shops: list[Shop], first: date, last: date) -> dict[int, list[int]]:
    """Per shop (by id), the consultations of each day from `first` to `last` (local days), from the demand
    history; one query. For the forecast index's chart."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    count = (last - first).days + 1
    out = {shop.pk: [0] * count for shop in shops}
    rows = (
        IntervalVolume.objects.filter(shop__in=[s.pk for s in shops], start__gte=since, start__lt=until)
        .annotate(day=TruncDate("start")).values("shop_id", "day").annotate(n=Sum("volume")).order_by()
    )
    for row in rows:
        offset = (row["day"] - first).days
        if 0 <= offset < count:
            out[row["shop_id"]][offset] = row["n"]
    return out


# --- forecast accuracy ------------------------------------------------------------------------------------

ACCURACY_WEEKS = 8


@dataclass
class AccuracyHorizon:
    """One horizon's figures in one group of days: the model on every scored day; on the days a manager
    changed the volume, the overridden forecast and the model on those same days."""

    model: Errors = field(default_factory=Errors)
    override: Errors = field(default_factory=Errors)
    model_on_override_days: Errors = field(default_factory=Errors)

    @property
    def override_helped(self) -> bool | None:
        """Whether the managers' overrides beat the model on the days they made them (None: not comparable)."""
        ours, model = self.override.wape, self.model_on_override_days.wape
        if not self.override.days or ours is None or model is None:
            return None
        return ours < model


@dataclass
class AccuracyRow:
    phase: str  # "" ordinary days, a phase code, or "all"
    label: str
    day: AccuracyHorizon = field(default_factory=AccuracyHorizon)
    week: AccuracyHorizon = field(default_factory=AccuracyHorizon)

    @property
    def horizons(self) -> list[AccuracyHorizon]:
        return [self.day, self.week]


def forecast_accuracy(*, shop: Shop, first: date, last: date) -> list[AccuracyRow]:
    """The shop's scored forecasts of the days first..last (one query): WAPE and bias per promotion phase
    (the forecast's own phase of each day) and in all, day-ahead and week-ahead, the model against the
    managers' overrides. Only groups with a scored day are listed, "all" always first."""
    rows: dict[str, AccuracyRow] = {"all": AccuracyRow("all", str(_("全部日期")))}
    snapshots = list(
        ForecastSnapshot.objects.filter(shop=shop, target_date__range=(first, last), scored_at__isnull=False)
        .order_by("target_date")
    )
    model_of = {
        (s.target_date, s.horizon): s for s in snapshots if s.source == ForecastSnapshot.Source.MODEL
    }
    order = ["all", "", fc.PRESALE, fc.PEAK, fc.TAIL]
    for s in snapshots:
        errors = Errors(float(s.actual or 0), float(s.total), float(s.absolute_error or 0), 1)
        for key in ("all", s.phase):
            if key not in rows:
                rows[key] = AccuracyRow(key, str(PHASE_LABELS[key]) if key else str(_("平日")))
            group: AccuracyHorizon = getattr(rows[key], s.horizon)
            if s.source == ForecastSnapshot.Source.MODEL:
                group.model = group.model + errors
                continue
            group.override = group.override + errors
            model = model_of.get((s.target_date, s.horizon))
            if model is not None:
                group.model_on_override_days = group.model_on_override_days + Errors(
                    float(model.actual or 0), float(model.total), float(model.absolute_error or 0), 1
                )
    return sorted(rows.values(), key=lambda r: order.index(r.phase) if r.phase in order else len(order))


def forecast_accuracy_recent(*, shop: Shop, today: date) -> dict[str, Any]:
    """The accuracy panel of the forecast page: the last `ACCURACY_WEEKS` weeks up to yesterday."""
    last = today - timedelta(days=1)
    first = last - timedelta(days=7 * ACCURACY_WEEKS - 1)
    rows = forecast_accuracy(shop=shop, first=first, last=last)
    return {"accuracy_rows": rows, "accuracy_first": first, "accuracy_last": last,
            "accuracy_scored": bool(rows[0].day.model.days or rows[0].week.model.days)}


def day_ahead_accuracy(*, shops: list[Shop], first: date, last: date) -> dict[int, Errors]:
    """Per shop (one query): the model's day-ahead errors summed over the scored days first..last."""
    rows = (
        ForecastSnapshot.objects.filter(
            shop__in=shops, target_date__range=(first, last), scored_at__isnull=False,
            horizon=ForecastSnapshot.Horizon.DAY, source=ForecastSnapshot.Source.MODEL,
        )
        .order_by()
        .values("shop_id")
        .annotate(actual=Sum("actual"), forecast=Sum("total"), absolute=Sum("absolute_error"), days=Count("id"))
    )
    return {
        r["shop_id"]: Errors(float(r["actual"] or 0), float(r["forecast"] or 0), float(r["absolute"] or 0), r["days"])
        for r in rows
    }
