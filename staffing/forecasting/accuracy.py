"""Forecast accuracy: pure computation, no Django import.

Over a set of half hours with actual volume a_i and forecast f_i:

- **WAPE** (weighted absolute percentage error) = Σ|a_i − f_i| ÷ Σa_i: the share of the real volume the
  forecast missed, either way. 0 is perfect; 0.2 means errors summing to a fifth of the real volume.
- **Bias** = Σ(f_i − a_i) ÷ Σa_i: positive when the forecast ran above the volume (seats paid for nothing),
  negative when below (buyers waiting).

Zero actuals: when Σa_i = 0 the two ratios have no denominator. If the forecast was 0 too, nothing was
missed and both are 0.0; otherwise both are None ("not defined") and the forecast volume that met no
demand is reported instead (`over_forecast`), so a page can say "forecast 40, actual 0" rather than a
made-up percentage. An empty set of days (`days == 0`) has neither figure (None).

Figures are summed at the half-hour grain and kept as sums (`Errors`), so per day, per week, per shop or
per promotion phase they add up exactly: WAPE of a month is never the mean of daily WAPEs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Errors:
    """The sums that WAPE and bias are made of, over any set of half hours."""

    actual: float = 0.0  # Σ actual
    forecast: float = 0.0  # Σ forecast
    absolute: float = 0.0  # Σ |actual − forecast|
    days: int = 0  # days the sums cover

    def __add__(self, other: Errors) -> Errors:
        return Errors(
            self.actual + other.actual, self.forecast + other.forecast, self.absolute + other.absolute,
            self.days + other.days,
        )

    @property
    def signed(self) -> float:
        """Σ (forecast − actual)."""
        return self.forecast - self.actual

    @property
    def wape(self) -> float | None:
        if self.days == 0:
            return None  # no day at all: nothing to say, not "perfect"
        if self.actual > 0:
            return self.absolute / self.actual
        return 0.0 if self.absolute == 0 else None

    @property
    def bias(self) -> float | None:
        if self.days == 0:
            return None
        if self.actual > 0:
            return self.signed / self.actual
        return 0.0 if self.forecast == 0 else None

    @property
    def over_forecast(self) -> float:
        """Forecast volume on half hours summed to zero actual demand (the case WAPE cannot express)."""
        return self.forecast if self.actual == 0 else 0.0


def day_errors(actual: Sequence[float], forecast: Sequence[float]) -> Errors:
    """One day: half-hour actuals against the half-hour forecast (same length, same slots)."""
    if len(actual) != len(forecast):
        raise ValueError(f"{len(actual)} actual half hours against {len(forecast)} forecast ones")
    if any(a < 0 for a in actual) or any(f < 0 for f in forecast):
        raise ValueError("volumes cannot be negative")
    absolute = sum(abs(float(a) - float(f)) for a, f in zip(actual, forecast, strict=True))
    return Errors(float(sum(actual)), float(sum(forecast)), absolute, 1)


def total(errors: Iterable[Errors]) -> Errors:
    result = Errors()
    for e in errors:
        result = result + e
    return result
