"""Staffing test data: a shop's demand history with a clear weekday and intraday pattern, certified agents,
and a small ready-to-solve roster."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from staffing.forecasting.services import demand_history_record
from staffing.rosters.services import roster_create, shift_templates_ensure_defaults
from staffing.training.models import Certification, ShopAssignment
from tests.factories import AgentFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
TZ = SHANGHAI


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


def certify(agent, shop, *, since: date | None = None, days: int = 365, revoked: bool = False) -> Certification:
    since = since or timezone.localdate() - timedelta(days=30)
    ShopAssignment.objects.get_or_create(agent=agent, shop=shop, since=since)
    granted = datetime.combine(since, time(9, 0), tzinfo=TZ)
    return Certification.objects.create(
        agent=agent, shop=shop, granted_at=granted, expires_at=granted + timedelta(days=days), revoked=revoked
    )


def staffed_roster(shops, *, per_shop: int = 5, days: int = 7, start: date | None = None, prefix: str = "r"):
    """A roster over `shops` with `per_shop` certified agents each (E/M/L/N templates)."""
    templates = [t for t in shift_templates_ensure_defaults() if t.code in ("E", "M", "L")]
    agents = []
    for si, shop in enumerate(shops):
        for i in range(per_shop):
            agent = AgentFactory(username=f"{prefix}{si}{i}", code=f"{prefix}{si}{i:02d}")
            certify(agent, shop)
            agents.append(agent)
    roster = roster_create(
        name="测试排班", start_date=start or timezone.localdate() + timedelta(days=1), days=days,
        shops=list(shops), templates=templates,
    )
    return roster, agents
