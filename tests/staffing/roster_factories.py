"""Factories and a small ready-to-solve setup for roster tests."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from staffing.models import Certification, ShopAssignment
from staffing.roster_services import roster_create, shift_templates_ensure_defaults
from tests.factories import AgentFactory

TZ = ZoneInfo("Asia/Shanghai")


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
