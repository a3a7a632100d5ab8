"""Staffing test data: a shop's demand history with a clear weekday and intraday pattern."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from staffing.services import demand_history_record

SHANGHAI = ZoneInfo("Asia/Shanghai")


def pattern_volume(day: date, slot: int) -> int:
    """10 chats per half hour 8:00–23:00 on workdays, 20 on weekends, 1 at night."""
    if 16 <= slot < 46:
        return 20 if day.weekday() >= 5 else 10
    return 1


def feed_history(shop, *, start: date, days: int, volume=pattern_volume) -> None:
    data = {}
    for offset in range(days):
        day = start + timedelta(days=offset)
        for slot in range(48):
            at = datetime.combine(day, time(slot // 2, 30 * (slot % 2)), tzinfo=SHANGHAI)
            data[at] = volume(day, slot)
    demand_history_record(shop=shop, volumes=data, source="test")
