"""Consultation forecasts per half hour: pure computation, no Django import.

The method, kept deliberately simple and explainable to a manager:

1. **Day kinds** from the Chinese official calendar (`chinesecalendar`): a normal workday, a weekend rest day,
   a public holiday, or a make-up workday (调休上班, a Saturday or Sunday that is worked). For years the
   package does not know yet, weekends are rest days and the fixed-date holidays (New Year's Day, Labour
   Day 1–3 May, National Day 1–7 October) are assumed; such days are flagged `calendar_estimated`.
2. **Baseline** from history: the recent weeks (default 8) before the forecast starts, leaving out holidays
   and every day inside a promotion window, so a Double 11 does not inflate an ordinary Tuesday.
3. **Weekday level**: the mean daily total per weekday (Monday…Sunday). A make-up workday is forecast as an
   average Monday–Friday. A public holiday is forecast as an average weekend day times a holiday factor
   (`HOLIDAY_FACTORS`, learnt from history when the history has holidays, else our defaults).
4. **Intraday profile**: the share of the day's volume in each half hour, one profile for workdays and one for
   rest days (weekends and holidays), averaged over the baseline. With no history at all, a generic
   e-commerce curve (`GENERIC_INTRADAY`) is used.
5. **Promotion uplift**: each promotion (our own calendar: 618, Double 11, Double 12, the New-Year goods fair)
   has three phases — pre-sale, peak days, after-sales tail — each with a multiplier on the daily total. When
   windows overlap, the largest multiplier wins.
6. Manager overrides are applied by the caller (a whole day's total, or one half hour's volume or agents).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

try:  # the official calendar; optional so this module can be used without it
    import chinese_calendar
except ImportError:  # pragma: no cover - the package is a pinned requirement
    chinese_calendar = None

SLOT_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES

WORKDAY, WEEKEND, HOLIDAY, MAKEUP = "workday", "weekend", "holiday", "makeup"
PRESALE, PEAK, TAIL = "presale", "peak", "tail"

# Defaults when history holds no such holiday: Spring Festival empties chat desks (logistics stop), the
# National Day golden week shops more, the others sit slightly under a weekend.
HOLIDAY_FACTORS: dict[str, float] = {
    "Spring Festival": 0.55,
    "National Day": 1.1,
    "": 0.9,
}


def slot_label(index: int) -> str:
    minutes = index * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def slot_index(label: str) -> int:
    hours, minutes = label.split(":")
    value = int(hours) * 60 + int(minutes)
    if value % SLOT_MINUTES or not 0 <= value < 24 * 60:
        raise ValueError(f"{label!r} is not the start of a {SLOT_MINUTES}-minute slot")
    return value // SLOT_MINUTES


def _generic_intraday() -> np.ndarray:
    """Chats per half hour on a typical day: quiet at night, a morning rise, an after-lunch and an evening
    peak (20:00–22:00). Normalised to 1."""
    hours = (np.arange(SLOTS_PER_DAY) + 0.5) * SLOT_MINUTES / 60
    curve = (
        0.15
        + 0.9 * np.exp(-0.5 * ((hours - 10.5) / 1.6) ** 2)
        + 0.8 * np.exp(-0.5 * ((hours - 14.5) / 1.8) ** 2)
        + 1.2 * np.exp(-0.5 * ((hours - 21.0) / 1.3) ** 2)
    )
    curve[(hours < 7) | (hours > 24)] *= 0.3
    result: np.ndarray = curve / curve.sum()
    return result


GENERIC_INTRADAY = _generic_intraday()


@dataclass(frozen=True)
class DayKind:
    kind: str  # WORKDAY, WEEKEND, HOLIDAY, MAKEUP
    holiday: str = ""  # the holiday's (English) name from the calendar, when kind == HOLIDAY
    calendar_estimated: bool = False

    @property
    def is_rest(self) -> bool:
        return self.kind in (WEEKEND, HOLIDAY)


_FIXED_HOLIDAYS = {(1, 1): "New Year's Day", **{(5, d): "Labour Day" for d in (1, 2, 3)},
                   **{(10, d): "National Day" for d in range(1, 8)}}


def day_kind(day: date) -> DayKind:
    weekend = day.weekday() >= 5
    if chinese_calendar is not None:
        try:
            on_holiday, name = chinese_calendar.get_holiday_detail(day)
            workday = chinese_calendar.is_workday(day)
        except NotImplementedError:
            pass
        else:
            if workday:
                return DayKind(MAKEUP if weekend else WORKDAY)
            if name:
                return DayKind(HOLIDAY, holiday=str(name))
            return DayKind(WEEKEND)
    fixed = _FIXED_HOLIDAYS.get((day.month, day.day))
    if fixed:
        return DayKind(HOLIDAY, holiday=fixed, calendar_estimated=True)
    return DayKind(WEEKEND if weekend else WORKDAY, calendar_estimated=True)


@dataclass(frozen=True)
class PromotionWindow:
    """One promotion of the calendar: pre-sale, peak and after-sales tail, inclusive date ranges."""

    code: str
    name: str
    presale_start: date
    peak_start: date
    peak_end: date
    tail_end: date
    presale_uplift: float = 1.5
    peak_uplift: float = 3.0
    tail_uplift: float = 1.4
    platforms: tuple[str, ...] = ()  # empty: every platform

    def phase(self, day: date) -> str | None:
        if self.presale_start <= day < self.peak_start:
            return PRESALE
        if self.peak_start <= day <= self.peak_end:
            return PEAK
        if self.peak_end < day <= self.tail_end:
            return TAIL
        return None

    def uplift(self, phase: str | None) -> float:
        if phase is None:
            return 1.0
        return {PRESALE: self.presale_uplift, PEAK: self.peak_uplift, TAIL: self.tail_uplift}.get(phase, 1.0)

    def applies_to(self, platform: str) -> bool:
        return not self.platforms or platform in self.platforms

    @property
    def start(self) -> date:
        return self.presale_start

    @property
    def end(self) -> date:
        return self.tail_end


SPRING_FESTIVAL = {
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
}


def default_promotions(year: int) -> list[PromotionWindow]:
    """Our default calendar for a year. Dates follow the platforms' usual pattern; a manager edits them.

    - 618: pre-sale from 20 May, peak 16–18 June, after-sales tail to 30 June
    - Double 11: pre-sale from 20 October, peak 10–11 November, tail to 25 November
    - Double 12: pre-sale from 1 December, peak 12 December, tail to 22 December
    - New-Year goods fair (年货节): three weeks ending ten days before the Spring Festival (couriers stop),
      the last four days as its peak, a week of after-sales tail.
    """
    promos = [
        PromotionWindow(f"618-{year}", f"{year} 618", date(year, 5, 20), date(year, 6, 16), date(year, 6, 18),
                        date(year, 6, 30), 1.4, 2.6, 1.4),
        PromotionWindow(f"double11-{year}", f"{year} 双11", date(year, 10, 20), date(year, 11, 10),
                        date(year, 11, 11), date(year, 11, 25), 1.6, 3.5, 1.5),
        PromotionWindow(f"double12-{year}", f"{year} 双12", date(year, 12, 1), date(year, 12, 12),
                        date(year, 12, 12), date(year, 12, 22), 1.3, 2.2, 1.3),
    ]
    festival = SPRING_FESTIVAL.get(year + 1)
    if festival is not None:
        fair_end = festival - timedelta(days=10)
        fair_start = fair_end - timedelta(days=20)
        promos.append(
            PromotionWindow(f"newyear-fair-{year + 1}", f"{year + 1} 年货节", fair_start,
                            fair_end - timedelta(days=3), fair_end, fair_end + timedelta(days=7), 1.3, 1.8, 1.2)
        )
    return promos


def promotion_on(day: date, promotions: Iterable[PromotionWindow], platform: str = "") -> tuple[
    PromotionWindow | None, str | None, float
]:
    """The promotion phase with the largest uplift on `day` (or None, None, 1.0)."""
    best: tuple[PromotionWindow | None, str | None, float] = (None, None, 1.0)
    for promo in promotions:
        if platform and not promo.applies_to(platform):
            continue
        phase = promo.phase(day)
        if phase is None:
            continue
        factor = promo.uplift(phase)
        if best[0] is None or factor > best[2]:
            best = (promo, phase, factor)
    return best


@dataclass
class Profile:
    """What the history taught: level per weekday, intraday shares for workdays and rest days."""

    weekday_level: np.ndarray  # shape (7,), mean daily total Monday..Sunday
    intraday_work: np.ndarray  # shape (48,), sums to 1
    intraday_rest: np.ndarray  # shape (48,), sums to 1
    holiday_factors: dict[str, float] = field(default_factory=lambda: dict(HOLIDAY_FACTORS))
    baseline_days: int = 0
    history_days: int = 0

    @property
    def workday_level(self) -> float:
        return float(self.weekday_level[:5].mean())

    @property
    def weekend_level(self) -> float:
        return float(self.weekday_level[5:].mean())


def fit_profile(
    history: Mapping[date, np.ndarray],
    *,
    promotions: Iterable[PromotionWindow] = (),
    platform: str = "",
    before: date | None = None,
    weeks: int = 8,
) -> Profile:
    """Learn a profile from daily arrays of 48 half-hour volumes (missing days are simply absent)."""
    promotions = list(promotions)
    days = sorted(d for d in history if before is None or d < before)
    if days:
        cutoff = days[-1] - timedelta(days=7 * weeks - 1)
        days = [d for d in days if d >= cutoff]
    totals: dict[int, list[float]] = {w: [] for w in range(7)}
    work_shapes: list[np.ndarray] = []
    rest_shapes: list[np.ndarray] = []
    holiday_totals: dict[str, list[float]] = {}
    baseline = 0
    for d in days:
        volumes = np.asarray(history[d], dtype=float)
        kind = day_kind(d)
        promo, _, _ = promotion_on(d, promotions, platform)
        if promo is not None:
            continue
        total = float(volumes.sum())
        if kind.kind == HOLIDAY:
            holiday_totals.setdefault(kind.holiday, []).append(total)
            continue
        if kind.kind == MAKEUP:
            continue  # a worked Saturday is neither a normal Saturday nor a normal weekday; leave it out
        baseline += 1
        totals[d.weekday()].append(total)
        if total > 0:
            (rest_shapes if kind.is_rest else work_shapes).append(volumes / total)

    level = np.zeros(7)
    work_mean = np.mean([t for w in range(5) for t in totals[w]]) if any(totals[w] for w in range(5)) else None
    rest_mean = np.mean([t for w in (5, 6) for t in totals[w]]) if any(totals[w] for w in (5, 6)) else None
    for w in range(7):
        if totals[w]:
            level[w] = float(np.mean(totals[w]))
        else:
            fallback = work_mean if w < 5 else rest_mean
            if fallback is None:
                fallback = rest_mean if w < 5 else work_mean
            level[w] = float(fallback) if fallback is not None else 0.0

    work = np.mean(work_shapes, axis=0) if work_shapes else None
    rest = np.mean(rest_shapes, axis=0) if rest_shapes else None
    work = work if work is not None else (rest if rest is not None else GENERIC_INTRADAY)
    rest = rest if rest is not None else work

    factors = dict(HOLIDAY_FACTORS)
    weekend_level = float(level[5:].mean())
    if weekend_level > 0:
        for name, values in holiday_totals.items():
            factors[name] = float(np.mean(values)) / weekend_level
    return Profile(level, work / work.sum(), rest / rest.sum(), factors, baseline, len(days))


@dataclass(frozen=True)
class DayForecast:
    day: date
    kind: DayKind
    promotion: PromotionWindow | None
    phase: str | None
    factor: float  # promotion uplift × holiday factor
    volumes: np.ndarray  # shape (48,)

    @property
    def total(self) -> float:
        return float(self.volumes.sum())


def forecast_days(
    profile: Profile,
    *,
    start: date,
    days: int,
    promotions: Iterable[PromotionWindow] = (),
    platform: str = "",
    day_totals: Mapping[date, float] | None = None,
) -> list[DayForecast]:
    """Forecast `days` days from `start`. `day_totals` replaces a day's total (a manager's override);
    the intraday shape and the marks stay."""
    promotions = list(promotions)
    day_totals = day_totals or {}
    out = []
    for offset in range(days):
        d = start + timedelta(days=offset)
        kind = day_kind(d)
        if kind.kind == MAKEUP:
            level = profile.workday_level
        elif kind.kind == HOLIDAY:
            level = profile.weekend_level
        else:
            level = float(profile.weekday_level[d.weekday()])
        factor = 1.0
        if kind.kind == HOLIDAY:
            factor *= profile.holiday_factors.get(kind.holiday, profile.holiday_factors.get("", 1.0))
        promo, phase, uplift = promotion_on(d, promotions, platform)
        factor *= uplift
        total = day_totals.get(d, level * factor)
        shape = profile.intraday_rest if kind.is_rest else profile.intraday_work
        out.append(DayForecast(d, kind, promo, phase, factor, shape * total))
    return out


def bucket_arrivals(arrivals: Iterable[datetime], *, slot_minutes: int = SLOT_MINUTES) -> dict[datetime, int]:
    """Count arrival datetimes (already in local time) per slot start: the history's raw form."""
    counts: dict[datetime, int] = {}
    for at in arrivals:
        minute = (at.hour * 60 + at.minute) // slot_minutes * slot_minutes
        key = at.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)
        counts[key] = counts.get(key, 0) + 1
    return counts


def round_volumes(values: np.ndarray) -> np.ndarray:
    """Half-hour volumes shown to people: one decimal."""
    return np.round(values, 1)


def ceil_int(value: float) -> int:
    return int(math.ceil(value - 1e-9))
