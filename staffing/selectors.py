"""Reads for staffing: forecasts, required agents, training, certification and seasonal plans."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from agency.access import scope_by_agent, scope_by_merchant
from agency.models import Role, User
from clients.models import Platform, Shop
from staffing import forecast as fc
from staffing.erlang import staff_intervals, tail_shares
from staffing.models import (
    Certification,
    Course,
    Exam,
    ExamAttempt,
    ForecastOverride,
    IntervalVolume,
    Promotion,
    SeasonalPlan,
    SeasonalPlanShop,
    ShopAssignment,
    StaffingProfile,
)

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
    return StaffingProfile.objects.filter(shop=shop).first() or StaffingProfile(
        shop=shop, **PLATFORM_DEFAULTS.get(shop.platform, {})
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
    *, shops: list[Shop], start: date, days: int, history_weeks: int = 8
) -> dict[int, ShopForecast]:
    """Forecast volumes and required agents for `days` days for several shops (a fixed number of queries,
    however many shops), with managers' overrides applied. Keyed by shop id."""
    end = start + timedelta(days=days)
    history_start = start - timedelta(days=7 * history_weeks + 60)
    promotions = promotion_windows(start=history_start, end=end)
    histories = histories_by_day(shops=shops, start=history_start, end=start)
    overrides_by_shop: dict[int, list[ForecastOverride]] = defaultdict(list)
    for o in ForecastOverride.objects.filter(shop__in=shops, date__gte=start, date__lt=end):
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
        for row, day in enumerate(result):
            full = np.zeros(fc.SLOTS_PER_DAY, dtype=np.int64)
            full[slots] = needed[row]
            agents[day.day] = full
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


# --- training and certification -----------------------------------------------------------------------


def certifications_valid(*, on: datetime | None = None) -> QuerySet[Certification]:
    on = on or timezone.now()
    return Certification.objects.filter(revoked=False, granted_at__lte=on, expires_at__gt=on)


def certified_agent_ids(*, shop: Shop, on: datetime | None = None) -> set[int]:
    return set(certifications_valid(on=on).filter(shop=shop).values_list("agent_id", flat=True))


def assignments_active(*, on: date | None = None) -> QuerySet[ShopAssignment]:
    on = on or timezone.localdate()
    return ShopAssignment.objects.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on))


def courses_visible_to(*, user: User) -> QuerySet[Course]:
    """Staff see every course; an agent sees platform courses and the courses of shops assigned to them."""
    qs = Course.objects.select_related("shop").order_by("kind", "code")
    if user.is_authenticated and (user.is_manager or user.role == Role.INSPECTOR):
        return qs
    if user.is_authenticated and user.role == Role.AGENT:
        shop_ids = assignments_active().filter(agent=user).values("shop_id")
        return qs.filter(Q(shop__isnull=True) | Q(shop_id__in=shop_ids))
    return qs.none()


def exams_visible_to(*, user: User) -> QuerySet[Exam]:
    qs = Exam.objects.select_related("shop").prefetch_related("courses").order_by("code")
    if user.is_authenticated and (user.is_manager or user.role == Role.INSPECTOR):
        return qs
    if user.is_authenticated and user.role == Role.AGENT:
        shop_ids = assignments_active().filter(agent=user).values("shop_id")
        return qs.filter(active=True).filter(Q(shop__isnull=True) | Q(shop_id__in=shop_ids))
    return qs.none()


def attempts_visible_to(*, user: User) -> QuerySet[ExamAttempt]:
    """An agent's own attempts; staff see all; merchants none (attempts are the agency's business)."""
    return scope_by_agent(
        ExamAttempt.objects.select_related("exam", "exam__shop", "agent").order_by("-started_at"), user=user
    )


@dataclass
class TrainingItem:
    shop: Shop
    exam: Exam | None
    certification: Certification | None
    status: str  # "due", "expiring", "certified", "no_exam"
    attempts_used: int = 0


def my_training(*, agent: User, expiring_within_days: int = 30) -> list[TrainingItem]:
    """Per shop the agent is assigned to: the exam to take and whether it is due (no valid certificate, or
    one expiring soon)."""
    now = timezone.now()
    shops = [a.shop for a in assignments_active().filter(agent=agent).select_related("shop")]
    certs: dict[int, Certification] = {}
    for c in certifications_valid(on=now).filter(agent=agent).order_by("expires_at"):
        certs[c.shop_id] = c  # the one lasting longest wins
    exams: dict[int, Exam] = {}
    for e in Exam.objects.filter(active=True, shop__in=shops).order_by("code"):
        exams.setdefault(e.shop_id, e)
    used: dict[int, int] = defaultdict(int)
    for exam_id in ExamAttempt.objects.filter(agent=agent, exam__in=exams.values()).values_list("exam_id", flat=True):
        used[exam_id] += 1
    items = []
    for shop in sorted({s.pk: s for s in shops}.values(), key=lambda s: s.code):
        cert = certs.get(shop.pk)
        exam = exams.get(shop.pk)
        if cert and cert.expires_at > now + timedelta(days=expiring_within_days):
            status = "certified"
        elif cert:
            status = "expiring"
        else:
            status = "due" if exam else "no_exam"
        items.append(TrainingItem(shop, exam, cert, status, used[exam.pk] if exam else 0))
    return items


# --- seasonal plans -------------------------------------------------------------------------------------


def plans_visible_to(*, user: User) -> QuerySet[SeasonalPlan]:
    qs = SeasonalPlan.objects.select_related("promotion").order_by("-created_at")
    if user.is_authenticated and (user.is_manager or user.role == Role.INSPECTOR):
        return qs
    return qs.none()


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
