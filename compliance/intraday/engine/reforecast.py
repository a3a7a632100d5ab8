"""Re-forecast the rest of a shop's day from what has arrived so far (the ratio method).

A day is 48 half hours from local midnight. At minute `now` of the day the half hours that have fully
elapsed are `now // 30`; the current half hour is still running and belongs to the rest of the day.

- **Actual**: new buyer sessions per half hour, each counted in the half hour of its first buyer message.
- **Ratio** = actual so far ÷ forecast so far, over the elapsed half hours only, with two guards:
  while neither figure has reached `min_volume` the ratio stays 1 (a handful of sessions says nothing),
  and it is kept within [1 ÷ cap, cap] (one odd morning must not triple the evening past reason).
  A shop without a forecast so far keeps ratio 1: there is nothing to scale.
- **Re-forecast**: the actual count for an elapsed half hour, the forecast × ratio for the others.
- **Required**: agents per half hour of the service window from the re-forecast, by the product's Erlang C
  (`staffing.forecasting.erlang.staff_intervals`, after shrinkage, as the forecast page computes it); 0
  outside the window or when no volume is expected.
- **Gap** = required − rostered: above 0 the half hour is short of agents, below 0 it has a surplus.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

from staffing.forecasting.erlang import staff_intervals

SLOT_MINUTES = 30
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES

NOTHING_YET = "nothing_yet"  # no half hour has elapsed
NO_FORECAST = "no_forecast"  # nothing was forecast for the elapsed half hours
TOO_FEW = "too_few"  # below the minimum volume: the ratio stays 1
CAPPED = "capped"  # the measured ratio was beyond the cap
MEASURED = "measured"


def slot_label(index: int) -> str:
    minutes = index * SLOT_MINUTES
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def elapsed_slots(now_minute: int) -> int:
    """Half hours fully elapsed at minute `now_minute` of the day (clamped to the day)."""
    return max(0, min(SLOTS_PER_DAY, now_minute // SLOT_MINUTES))


def arrival_slots(first_messages: Iterable[datetime], *, day: date) -> list[int]:
    """Count arrivals per half hour of `day`. The datetimes are local (aware in the shop's time zone or
    naive local); those on another date are left out, so 23:59:59 of the day before counts nowhere and 00:00:00
    counts in the first half hour."""
    counts = [0] * SLOTS_PER_DAY
    for at in first_messages:
        if at.date() != day:
            continue
        counts[(at.hour * 60 + at.minute) // SLOT_MINUTES] += 1
    return counts


@dataclass(frozen=True)
class StaffingParameters:
    """A shop's Erlang parameters and service window (the half-hour indices served)."""

    aht_seconds: float
    answer_seconds: float
    service_level: float
    max_occupancy: float
    shrinkage: float
    concurrency: int
    window: tuple[int, ...]


@dataclass(frozen=True)
class RatioRule:
    min_volume: float = 20.0
    cap: float = 3.0


@dataclass(frozen=True)
class HalfHour:
    index: int
    label: str
    elapsed: bool
    in_window: bool
    forecast: float
    actual: int
    reforecast: float
    required: int
    rostered: int

    @property
    def gap(self) -> int:
        return self.required - self.rostered


@dataclass(frozen=True)
class ShopDay:
    half_hours: tuple[HalfHour, ...]
    ratio: float
    ratio_reason: str
    elapsed: int
    forecast_so_far: float
    actual_so_far: int
    has_forecast: bool

    @property
    def short_half_hours(self) -> int:
        """Half hours still to come that are short of agents."""
        return sum(1 for h in self.half_hours if not h.elapsed and h.gap > 0)

    @property
    def largest_gap(self) -> int:
        return max((h.gap for h in self.half_hours if not h.elapsed), default=0)

    def as_json(self) -> dict[str, object]:
        return {
            "ratio": round(self.ratio, 3),
            "ratio_reason": self.ratio_reason,
            "elapsed_half_hours": self.elapsed,
            "forecast_so_far": round(self.forecast_so_far, 1),
            "actual_so_far": self.actual_so_far,
            "has_forecast": self.has_forecast,
            "half_hours": [
                {"slot": h.label, "elapsed": h.elapsed, "in_window": h.in_window, "forecast": round(h.forecast, 1),
                 "actual": h.actual, "reforecast": round(h.reforecast, 1), "required": h.required,
                 "rostered": h.rostered, "gap": h.gap}
                for h in self.half_hours
            ],
        }


def _ratio(actual: float, forecast: float, elapsed: int, rule: RatioRule) -> tuple[float, str]:
    if elapsed == 0:
        return 1.0, NOTHING_YET
    if forecast <= 0:
        return 1.0, NO_FORECAST
    if max(actual, forecast) < rule.min_volume:
        return 1.0, TOO_FEW
    measured = actual / forecast
    capped = min(rule.cap, max(1.0 / rule.cap, measured))
    return capped, (CAPPED if capped != measured else MEASURED)


def _check(name: str, values: Sequence[float]) -> None:
    if len(values) != SLOTS_PER_DAY:
        raise ValueError(f"{name}: {len(values)} values for {SLOTS_PER_DAY} half hours")


@dataclass(frozen=True)
class ShopInput:
    """One shop's day for `reforecast_all`."""

    forecast: Sequence[float]
    actual: Sequence[int]
    rostered: Sequence[int]
    staffing: StaffingParameters


def reforecast(
    *,
    forecast: Sequence[float],
    actual: Sequence[int],
    rostered: Sequence[int],
    now_minute: int,
    staffing: StaffingParameters,
    rule: RatioRule | None = None,
) -> ShopDay:
    """The day of one shop as it stands at minute `now_minute` (see the module's docstring)."""
    one = ShopInput(forecast=forecast, actual=actual, rostered=rostered, staffing=staffing)
    return reforecast_all([one], now_minute=now_minute, rule=rule)[0]


def _required_all(volumes: list[list[float]], shops: Sequence[ShopInput]) -> list[list[int]]:
    """`required_agents` for many shops with one Erlang call per concurrency (the parameters go as arrays)."""
    needed = [[0] * SLOTS_PER_DAY for _ in shops]
    groups: dict[int, list[tuple[int, int]]] = {}
    for k, shop in enumerate(shops):
        for i in shop.staffing.window:
            if volumes[k][i] > 0:
                groups.setdefault(shop.staffing.concurrency, []).append((k, i))
    for concurrency, cells in groups.items():
        params = [shops[k].staffing for k, _i in cells]
        staffed = staff_intervals(
            np.array([volumes[k][i] for k, i in cells], dtype=float),
            interval_minutes=SLOT_MINUTES,
            aht_seconds=np.array([p.aht_seconds for p in params], dtype=float),
            answer_seconds=np.array([p.answer_seconds for p in params], dtype=float),
            service_level=np.array([p.service_level for p in params], dtype=float),
            max_occupancy=np.array([p.max_occupancy for p in params], dtype=float),
            shrinkage=np.array([p.shrinkage for p in params], dtype=float),
            concurrency=concurrency,
        )
        for (k, i), agents in zip(cells, staffed.agents.tolist(), strict=True):
            needed[k][i] = int(agents)
    return needed


def reforecast_all(shops: Sequence[ShopInput], *, now_minute: int, rule: RatioRule | None = None) -> list[ShopDay]:
    """`reforecast` for many shops at once (the same figures; Erlang C runs once per concurrency)."""
    rule = rule or RatioRule()
    done = elapsed_slots(now_minute)
    planned = []
    for shop in shops:
        _check("forecast", shop.forecast)
        _check("actual", shop.actual)
        _check("rostered", shop.rostered)
        forecast_so_far = float(sum(shop.forecast[:done]))
        actual_so_far = int(sum(shop.actual[:done]))
        ratio, reason = _ratio(actual_so_far, forecast_so_far, done, rule)
        volumes = [float(shop.actual[i]) if i < done else float(shop.forecast[i]) * ratio for i in range(SLOTS_PER_DAY)]
        planned.append((forecast_so_far, actual_so_far, ratio, reason, volumes))
    required = _required_all([p[4] for p in planned], shops)
    return [
        _shop_day(shop, done, *plan, needed)
        for shop, plan, needed in zip(shops, planned, required, strict=True)
    ]


def _shop_day(
    shop: ShopInput, done: int, forecast_so_far: float, actual_so_far: int, ratio: float, reason: str,
    volumes: list[float], needed: list[int],
) -> ShopDay:
    forecast, actual, rostered, staffing = shop.forecast, shop.actual, shop.rostered, shop.staffing
    window = set(staffing.window)
    half_hours = tuple(
        HalfHour(
            index=i, label=slot_label(i), elapsed=i < done, in_window=i in window, forecast=float(forecast[i]),
            actual=int(actual[i]), reforecast=volumes[i], required=needed[i], rostered=int(rostered[i]),
        )
        for i in range(SLOTS_PER_DAY)
    )
    return ShopDay(
        half_hours=half_hours, ratio=ratio, ratio_reason=reason, elapsed=done, forecast_so_far=forecast_so_far,
        actual_so_far=actual_so_far, has_forecast=any(v > 0 for v in forecast),
    )
