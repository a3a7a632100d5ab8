"""Imported sessions become the consultation history staffing forecasts from."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.sessions.services.demand import demand_history_refresh
from staffing.models import IntervalVolume
from tests.factories import ChatSessionFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_sessions_are_counted_per_half_hour_and_recounting_changes_nothing(tenants):
    shop, other = tenants[0].shop, tenants[1].shop
    day = date(2026, 11, 3)
    for minute in (0, 10, 29, 31):
        ChatSessionFactory(shop=shop, started_at=datetime(2026, 11, 3, 9, minute, tzinfo=TZ))
    ChatSessionFactory(shop=shop, started_at=datetime(2026, 11, 3, 23, 45, tzinfo=TZ))
    ChatSessionFactory(shop=other, started_at=datetime(2026, 11, 3, 9, 5, tzinfo=TZ))
    ChatSessionFactory(shop=shop, started_at=datetime(2026, 11, 4, 0, 5, tzinfo=TZ))  # the next day: not counted

    written = demand_history_refresh(shop=shop, first=day, last=day)
    assert written == 48
    volumes = {v.start.astimezone(TZ).strftime("%H:%M"): v.volume for v in IntervalVolume.objects.filter(shop=shop)}
    assert volumes["09:00"] == 3 and volumes["09:30"] == 1 and volumes["23:30"] == 1
    assert volumes["10:00"] == 0
    assert sum(volumes.values()) == 5

    demand_history_refresh(shop=shop, first=day, last=day)
    assert IntervalVolume.objects.filter(shop=shop).count() == 48
    assert sum(IntervalVolume.objects.filter(shop=shop).values_list("volume", flat=True)) == 5
    assert not IntervalVolume.objects.filter(shop=other).exists()


def test_nightly_task_covers_every_shop_with_sessions(tenants, settings):
    from django.utils import timezone

    from compliance.sessions.tasks import demand_history_refresh_recent

    now = timezone.localtime()
    ChatSessionFactory(shop=tenants[0].shop, started_at=now - timedelta(hours=1))
    assert demand_history_refresh_recent.delay(days=1).get() == 2 * 48
    assert IntervalVolume.objects.filter(shop=tenants[0].shop).count() == 2 * 48
