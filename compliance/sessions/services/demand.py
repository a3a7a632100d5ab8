"""Imported chat sessions are the consultation history that staffing forecasts from.

Staffing may not import compliance, so compliance hands it the arrivals: each session's start (the buyer's
first message) counts as one consultation in its half hour. Every half hour of the days given is recounted
from the sessions stored, so running it twice, or after a re-import, changes nothing.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, Q, Value, When
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from clients.models import Shop
from compliance.sessions.models import ChatSession
from staffing.forecasting.services import demand_history_record

SLOT = timedelta(minutes=30)


def demand_history_refresh(*, shop: Shop, first: date, last: date) -> int:
    """Recount the shop's consultations per half hour from its sessions on the days first..last (local time);
    returns the number of half-hour slots written."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    volumes: dict[datetime, int] = {}
    slot = start
    while slot < end:  # a half hour without a session is a real zero, not a gap
        volumes[slot] = 0
        slot += SLOT
    arrivals = ChatSession.objects.filter(shop=shop, started_at__gte=start, started_at__lt=end).values_list(
        "started_at", flat=True
    )
    for at in arrivals.iterator(chunk_size=5000):
        local = at.astimezone(tz)
        key = local.replace(minute=30 if local.minute >= 30 else 0, second=0, microsecond=0)
        volumes[key] += 1
    return demand_history_record(shop=shop, volumes=volumes, source="sessions")


def arrivals_per_half_hour(shop_ids: list[int], first: date, last: date) -> dict[tuple[int, date], list[int]]:
    """Consultations that arrived per (shop id, local day) in first..last: 48 half-hour counts, for the days
    with at least one session (staffing's forecast accuracy; registered in `ComplianceConfig.ready`). Counted
    in the database, one row per shop, day and half hour."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)
    rows = (
        ChatSession.objects.filter(shop_id__in=shop_ids, started_at__gte=start, started_at__lt=end)
        .annotate(
            day=TruncDate("started_at", tzinfo=tz),
            hour=ExtractHour("started_at", tzinfo=tz),
            half=Case(When(Q(started_at__minute__gte=30), then=Value(1)), default=Value(0)),
        )
        .order_by()
        .values("shop_id", "day", "hour", "half")
        .annotate(n=Count("id"))
    )
    result: dict[tuple[int, date], list[int]] = {}
    for row in rows:
        counts = result.setdefault((row["shop_id"], row["day"]), [0] * 48)
        counts[row["hour"] * 2 + row["half"]] += row["n"]
    return result
