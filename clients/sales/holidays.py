"""How many statutory-holiday days fall in an average month: the basis of the holiday premium line."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

FALLBACK_DAYS_PER_YEAR = 13  # 法定节假日 13 天 (from 2025)


@lru_cache(maxsize=8)
def holiday_days_per_month(year: int) -> Decimal:
    """Holiday days per month from `chinesecalendar` for `year`, or the latest year it knows."""
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - pinned in requirements
        return (Decimal(FALLBACK_DAYS_PER_YEAR) / 12).quantize(Decimal("0.01"))
    for candidate in range(year, year - 5, -1):
        try:
            days = chinese_calendar.get_holidays(date(candidate, 1, 1), date(candidate, 12, 31), include_weekends=False)
        except NotImplementedError:
            continue
        return (Decimal(len(days)) / 12).quantize(Decimal("0.01"))
    return (Decimal(FALLBACK_DAYS_PER_YEAR) / 12).quantize(Decimal("0.01"))
