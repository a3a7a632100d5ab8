"""Writes of the intraday view: re-forecast every shop's day from the sessions so far (`intraday_refresh`,
run by Celery beat every 3 minutes and by the page's button) and accept a suggestion (`intraday_suggestion_accept`).

`intraday_compute` reads everything the pure engine needs for all shops in a fixed number of queries:
- the day's forecast per shop, taken once per day and kept on `IntradayShopDay.forecast` (the plan the roster
  was made for; taken again when a manager overrides that day's forecast later), so a run does not refit
  two months of history per shop;
- new buyer sessions per half hour, each by its first buyer message, among sessions started that day;
- rostered agents per half hour from the published (pinned) shifts, with accepted moves between shops;
- for the suggestions, each published shift's week hours, next shift, the roster's rules and certifications.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import User
from agency.services import audit_record
from clients.models import Shop
from compliance.intraday import engine
from compliance.intraday.models import IntradayShopDay, IntradaySuggestion
from compliance.sessions.models import ChatMessage, Sender
from staffing.forecasting.models import ForecastOverride, StaffingProfile
from staffing.forecasting.selectors import PLATFORM_DEFAULTS, shop_forecasts, window_slots
from staffing.models import Roster, ShiftAssignment
from staffing.training.selectors import certifications_valid


def _tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = _tz()
    return datetime.combine(day, time(0), tzinfo=tz), datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _minutes(at: datetime, origin: datetime) -> int:
    return int((at - origin).total_seconds() // 60)


@dataclass
class IntradayDay:
    """Every shop's day as the engine sees it at `now` (nothing stored)."""

    day: date
    now: datetime
    shops: dict[int, Shop]
    results: dict[int, engine.ShopDay]
    suggestions: list[engine.Suggestion]
    forecasts: dict[int, list[float]]
    forecast_at: dict[int, datetime] = field(default_factory=dict)
    arrivals: dict[int, list[int]] = field(default_factory=dict)


def _day_forecasts(*, shops: list[Shop], day: date, now: datetime) -> tuple[dict[int, list[float]], dict[int, datetime]]:
    """The stored forecast of the day per shop; computed for shops without one, or whose day a manager
    overrode after it was taken."""
    stored = {
        row["shop_id"]: row
        for row in IntradayShopDay.objects.filter(shop__in=shops, date=day).values("shop_id", "forecast", "forecast_at")
    }
    overridden = dict(
        ForecastOverride.objects.filter(shop__in=shops, date=day).values("shop_id").annotate(last=Max("created_at"))
        .values_list("shop_id", "last")
    )
    forecasts: dict[int, list[float]] = {}
    taken: dict[int, datetime] = {}
    missing: list[Shop] = []
    for shop in shops:
        row = stored.get(shop.pk)
        changed = shop.pk in overridden and row is not None and overridden[shop.pk] > row["forecast_at"]
        if row is None or changed or len(row["forecast"]) != engine.SLOTS_PER_DAY:
            missing.append(shop)
        else:
            forecasts[shop.pk] = [float(v) for v in row["forecast"]]
            taken[shop.pk] = row["forecast_at"]
    if missing:
        for shop_id, result in shop_forecasts(shops=missing, start=day, days=1).items():
            volumes = result.days[0].volumes if result.days else [0.0] * engine.SLOTS_PER_DAY
            forecasts[shop_id] = [round(float(v), 3) for v in volumes]
            taken[shop_id] = now
    return forecasts, taken


def _arrivals(*, shop_ids: list[int], day: date, until: datetime, upto: int | None = None) -> dict[int, list[int]]:
    """New buyer sessions per shop and half hour of `day` up to `until`, by their first buyer message, among
    the sessions that started that day (a session carried over from the day before is not a new arrival)."""
    lo, hi = day_bounds(day)
    counts = {shop_id: [0] * engine.SLOTS_PER_DAY for shop_id in shop_ids}
    until = min(until, hi)
    if until <= lo:
        return counts
    if connection.vendor == "postgresql":
        # counted per half hour in the database: a few hundred rows come back instead of every session
        with connection.cursor() as cursor:
            cursor.execute(_ARRIVALS_SQL, {"shops": shop_ids, "lo": lo, "until": until, "slot": engine.SLOT_MINUTES * 60,
                                           "upto": upto})
            for shop_id, slot, count in cursor.fetchall():
                counts[shop_id][slot] += count
        return counts
    rows = (
        ChatMessage.objects.filter(
            shop_id__in=shop_ids, sender=Sender.BUYER, sent_at__gte=lo, sent_at__lt=until, session__started_at__gte=lo,
        )
        .values("shop_id", "session_id").annotate(first=Min("sent_at")).values_list("shop_id", "first")
    )
    tz = _tz()
    for shop_id, first in rows:
        local = first.astimezone(tz)
        counts[shop_id][(local.hour * 60 + local.minute) // engine.SLOT_MINUTES] += 1
    return counts


# The stored path counts incrementally: the messages imported since the last run (ids above its cursor) name
# the sessions they touch; for each such session that started that day, its first buyer message among the
# messages counted before (old) and among all of them up to the new cursor (new) move its count from the old
# half hour to the new one (a late import of an earlier message moves it back; a first buyer message adds it).
_ARRIVALS_DELTA_SQL = """
WITH touched AS (
    SELECT DISTINCT m.session_id FROM compliance_chatmessage m
     WHERE m.id > %(cursor)s AND m.id <= %(upto)s AND m.sender = 'buyer' AND m.shop_id = ANY(%(shops)s)
       AND m.sent_at >= %(lo)s AND m.sent_at < %(hi)s
), firsts AS (
    SELECT s.shop_id,
           (SELECT min(m.sent_at) FROM compliance_chatmessage m
             WHERE m.session_id = t.session_id AND m.sender = 'buyer' AND m.id <= %(cursor)s) AS old_first,
           (SELECT min(m.sent_at) FROM compliance_chatmessage m
             WHERE m.session_id = t.session_id AND m.sender = 'buyer' AND m.id <= %(upto)s) AS new_first
      FROM touched t JOIN compliance_chatsession s ON s.id = t.session_id AND s.started_at >= %(lo)s
)
SELECT shop_id,
       CASE WHEN old_first >= %(lo)s AND old_first < %(hi)s
            THEN floor(extract(epoch FROM old_first - %(lo)s) / %(slot)s)::int END,
       CASE WHEN new_first >= %(lo)s AND new_first < %(hi)s
            THEN floor(extract(epoch FROM new_first - %(lo)s) / %(slot)s)::int END,
       count(*)
  FROM firsts GROUP BY 1, 2, 3
"""

# A full count at least this often, so a message whose id was handed out before a run but committed after it
# (an import running at the same time) is not missed for the rest of the day.
FULL_COUNT_EVERY = timedelta(minutes=30)


def _arrivals_stored(*, shop_ids: list[int], day: date, now: datetime) -> tuple[dict[int, list[int]], int | None, datetime | None]:
    """New sessions per shop and half hour of `day` for the stored path: what the last run counted, moved on by
    the messages imported since (PostgreSQL); a full count on the first run of the day, every
    `FULL_COUNT_EVERY`, and on other databases. Returns the counts, the message cursor and when the last full
    count was made."""
    lo, hi = day_bounds(day)
    if connection.vendor != "postgresql":
        return _arrivals(shop_ids=shop_ids, day=day, until=hi), None, now
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM compliance_chatmessage")
        upto = int(cursor.fetchone()[0])
    stored = {
        row["shop_id"]: row for row in IntradayShopDay.objects.filter(shop_id__in=shop_ids, date=day).values(
            "shop_id", "arrivals", "message_cursor", "counted_at",
        )
    }
    cursors: set[int] = {row["message_cursor"] for row in stored.values() if row["message_cursor"] is not None}
    counted: list[datetime] = [row["counted_at"] for row in stored.values() if row["counted_at"] is not None]
    fresh = (
        len(stored) == len(shop_ids) and len(counted) == len(stored) and len(cursors) == 1
        and all(row["message_cursor"] is not None for row in stored.values())
        and all(len(row["arrivals"]) == engine.SLOTS_PER_DAY for row in stored.values())
        and now - min(counted) < FULL_COUNT_EVERY
    )
    if not fresh:
        return _arrivals(shop_ids=shop_ids, day=day, until=hi, upto=upto), upto, now
    cursor_id = cursors.pop()
    counts = {shop_id: [int(v) for v in stored[shop_id]["arrivals"]] for shop_id in shop_ids}
    if upto > cursor_id:
        with connection.cursor() as cursor:
            cursor.execute(_ARRIVALS_DELTA_SQL, {"shops": shop_ids, "lo": lo, "hi": hi, "cursor": cursor_id, "upto": upto,
                                                 "slot": engine.SLOT_MINUTES * 60})
            for shop_id, old_slot, new_slot, count in cursor.fetchall():
                if old_slot is not None:
                    counts[shop_id][old_slot] -= count
                if new_slot is not None:
                    counts[shop_id][new_slot] += count
    return counts, upto, min(counted)


_ARRIVALS_SQL = """
SELECT f.shop_id, floor(extract(epoch FROM f.first - %(lo)s) / %(slot)s)::int AS slot, count(*)
  FROM (SELECT m.session_id, min(m.shop_id) AS shop_id, min(m.sent_at) AS first
          FROM compliance_chatmessage m
         WHERE m.shop_id = ANY(%(shops)s) AND m.sender = 'buyer' AND m.sent_at >= %(lo)s AND m.sent_at < %(until)s
           AND (%(upto)s::bigint IS NULL OR m.id <= %(upto)s::bigint)
         GROUP BY m.session_id) f
  JOIN compliance_chatsession s ON s.id = f.session_id AND s.started_at >= %(lo)s
 GROUP BY 1, 2
"""


@dataclass(frozen=True)
class _Rules:
    start_date: date
    max_hours_per_week: float
    min_rest_hours: float
    min_coverage: int


@dataclass(frozen=True)
class _Shift:
    """A published shift as the run reads it (plain values: a thousand model instances took a tenth of a second)."""

    pk: int
    agent_id: int
    shop_id: int
    date: date
    starts_at: datetime
    ends_at: datetime
    roster: _Rules


def _published_shifts(*, shop_ids: list[int], day: date) -> list[_Shift]:
    lo, hi = day_bounds(day)
    rows = list(
        ShiftAssignment.objects.filter(shop_id__in=shop_ids, pinned=True, starts_at__lt=hi, ends_at__gt=lo)
        .order_by("starts_at", "agent_id", "id")
        .values_list("id", "agent_id", "shop_id", "date", "starts_at", "ends_at", "roster_id")
    )
    rules = {
        pk: _Rules(start_date=start, max_hours_per_week=hours, min_rest_hours=rest, min_coverage=coverage)
        for pk, start, hours, rest, coverage in Roster.objects.filter(pk__in={r[-1] for r in rows}).values_list(
            "pk", "start_date", "max_hours_per_week", "min_rest_hours", "min_coverage",
        )
    }
    return [_Shift(*row[:-1], roster=rules[row[-1]]) for row in rows]


def _rostered(
    *, shop_ids: list[int], day: date, shifts: list[_Shift], moves: list[IntradaySuggestion],
) -> dict[int, list[int]]:
    """Agents per shop and half hour: a shift counts in each half hour that starts inside it; an accepted
    move counts in its target shop instead of its shift's shop for its half hours."""
    lo, _hi = day_bounds(day)
    counts = {shop_id: [0] * engine.SLOTS_PER_DAY for shop_id in shop_ids}

    def add(shop_id: int, starts: datetime, ends: datetime, step: int) -> None:
        if shop_id not in counts:
            return
        start, end = _minutes(starts, lo), _minutes(ends, lo)
        first = max(0, -(-start // engine.SLOT_MINUTES))
        for i in range(first, engine.SLOTS_PER_DAY):
            if i * engine.SLOT_MINUTES >= end:
                break
            counts[shop_id][i] += step

    for shift in shifts:
        add(shift.shop_id, shift.starts_at, shift.ends_at, 1)
    for move in moves:
        add(move.from_shop_id, move.starts_at, move.ends_at, -1)
        add(move.to_shop_id, move.starts_at, move.ends_at, 1)
    for values in counts.values():
        values[:] = [max(0, v) for v in values]
    return counts


def _agent_shifts(*, day: date, shifts: list[_Shift], now: datetime) -> list[engine.AgentShift]:
    """The published shifts of the day with what the overtime rules read: hours in the roster's 7-day block,
    the agent's next shift, the roster's limits; and each agent's certified shops now."""
    shifts = [s for s in shifts if s.ends_at >= now]  # a shift already over can neither move nor be extended
    if not shifts:
        return []
    lo, _hi = day_bounds(day)
    agent_ids = {s.agent_id for s in shifts}

    def block_of(shift: _Shift) -> date:
        start = shift.roster.start_date
        return start + timedelta(days=7 * ((shift.date - start).days // 7))

    # minutes rostered per agent in each 7-day block the day's shifts fall in (summed in the database)
    week: dict[tuple[int, date], int] = {}
    for block in {block_of(s) for s in shifts}:
        agents = {s.agent_id for s in shifts if block_of(s) == block}
        for agent_id, length in (
            ShiftAssignment.objects.filter(agent_id__in=agents, date__range=(block, block + timedelta(days=6)))
            .values("agent_id").annotate(length=Sum(F("ends_at") - F("starts_at"))).values_list("agent_id", "length")
        ):
            week[(agent_id, block)] = int(length.total_seconds() // 60)
    later: dict[int, list[datetime]] = defaultdict(list)
    for agent_id, starts in ShiftAssignment.objects.filter(
        agent_id__in=agent_ids, starts_at__gt=lo, date__lte=day + timedelta(days=2),
    ).values_list("agent_id", "starts_at"):
        later[agent_id].append(starts)
    certified: dict[int, set[int]] = defaultdict(set)
    for agent_id, shop_id in certifications_valid(on=now).filter(agent_id__in=agent_ids).values_list("agent_id", "shop_id"):
        certified[agent_id].add(shop_id)
    out = []
    for shift in shifts:
        roster = shift.roster
        following = [t for t in later[shift.agent_id] if t > shift.starts_at]
        out.append(engine.AgentShift(
            shift=shift.pk, agent=shift.agent_id, shop=shift.shop_id,
            start_minute=_minutes(shift.starts_at, lo), end_minute=_minutes(shift.ends_at, lo),
            week_minutes=week.get((shift.agent_id, block_of(shift)), 0),
            max_week_minutes=int(roster.max_hours_per_week * 60),
            next_start_minute=_minutes(min(following), lo) if following else None,
            min_rest_minutes=int(roster.min_rest_hours * 60),
            certified=frozenset(certified[shift.agent_id] | {shift.shop_id}),
        ))
    return out


def _staffing(shops: list[Shop]) -> dict[int, engine.StaffingParameters]:
    profiles = {p.shop_id: p for p in StaffingProfile.objects.filter(shop__in=shops)}
    out = {}
    for shop in shops:
        profile = profiles.get(shop.pk) or StaffingProfile(shop_id=shop.pk, **PLATFORM_DEFAULTS.get(shop.platform, {}))
        out[shop.pk] = engine.StaffingParameters(
            aht_seconds=profile.aht_seconds, answer_seconds=profile.answer_seconds,
            service_level=profile.service_level, max_occupancy=profile.max_occupancy, shrinkage=profile.shrinkage,
            concurrency=profile.concurrency, window=tuple(window_slots(profile)),
        )
    return out


def intraday_compute(
    *, day: date, now: datetime | None = None, shops: list[Shop] | None = None,
    arrivals: dict[int, list[int]] | None = None,
) -> IntradayDay:
    """Every shop's re-forecast, required and rostered agents and gaps for `day` as of `now`, and the
    suggestions that close gaps still to come. Reads only. `arrivals` (new sessions per shop and half hour)
    are counted from the messages unless given."""
    now = now or timezone.now()
    shop_list = shops if shops is not None else list(Shop.objects.order_by("code"))
    shop_ids = [s.pk for s in shop_list]
    lo, _hi = day_bounds(day)
    now_minute = max(0, min(24 * 60, _minutes(now, lo)))
    forecasts, taken = _day_forecasts(shops=shop_list, day=day, now=now)
    actual = arrivals if arrivals is not None else _arrivals(shop_ids=shop_ids, day=day, until=now)
    shifts = _published_shifts(shop_ids=shop_ids, day=day)
    moves = list(IntradaySuggestion.objects.filter(
        date=day, kind=IntradaySuggestion.Kind.MOVE, status=IntradaySuggestion.Status.ACCEPTED,
    ))
    rostered = _rostered(shop_ids=shop_ids, day=day, shifts=shifts, moves=moves)
    staffing = _staffing(shop_list)
    days = engine.reforecast_all([
        engine.ShopInput(forecast=forecasts[shop_id], actual=actual[shop_id], rostered=rostered[shop_id],
                         staffing=staffing[shop_id])
        for shop_id in shop_ids
    ], now_minute=now_minute)
    results = dict(zip(shop_ids, days, strict=True))
    coverage: dict[int, int] = {}
    for shift in shifts:
        coverage[shift.shop_id] = max(coverage.get(shift.shop_id, 0), shift.roster.min_coverage)
    needs = [
        engine.ShopNeed(
            shop=shop_id, required=tuple(h.required for h in results[shop_id].half_hours),
            rostered=tuple(rostered[shop_id]), window=frozenset(staffing[shop_id].window),
            min_coverage=coverage.get(shop_id, 1),
        )
        for shop_id in shop_ids
    ]
    accepted_shifts = set(IntradaySuggestion.objects.filter(
        date=day, status=IntradaySuggestion.Status.ACCEPTED,
    ).values_list("shift_id", flat=True))
    candidates = [s for s in _agent_shifts(day=day, shifts=shifts, now=now) if s.shift not in accepted_shifts]
    suggestions = engine.suggest(needs=needs, shifts=candidates, now_minute=now_minute)
    return IntradayDay(
        day=day, now=now, shops={s.pk: s for s in shop_list}, results=results, suggestions=suggestions,
        forecasts=forecasts, forecast_at=taken, arrivals=actual,
    )


_REFRESH_LOCK = 7_301_001  # advisory lock key of `intraday_refresh`

_DAY_FIELDS = ("shop_id", "date", "forecast", "forecast_at", "as_of", "ratio", "ratio_reason", "half_hours",
               "short_half_hours", "largest_gap", "computed_at", "arrivals", "message_cursor", "counted_at")


def _store_days(rows: list[IntradayShopDay]) -> None:
    """Upsert the shop days, one statement run for every row (a plain `executemany`: `bulk_create` sends the
    JSON columns as arrays, whose quoting took longer than the rest of the run)."""
    columns = ", ".join(_DAY_FIELDS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in _DAY_FIELDS[2:])
    sql = (f"INSERT INTO {IntradayShopDay._meta.db_table} ({columns}) VALUES ({', '.join(['%s'] * len(_DAY_FIELDS))}) "
           f"ON CONFLICT (shop_id, date) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [
            [
                json.dumps(getattr(row, f)) if f in ("forecast", "half_hours", "arrivals") else getattr(row, f)
                for f in _DAY_FIELDS
            ]
            for row in rows
        ])


@transaction.atomic
def intraday_refresh(*, day: date, now: datetime | None = None) -> int:
    """Re-forecast every shop's `day` and store it with fresh suggestions (proposed ones are replaced,
    accepted ones stay). Returns how many shops were stored."""
    now = now or timezone.now()
    if connection.vendor == "postgresql":
        # one run at a time (beat and the page's button): two runs would each keep their own proposals
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
    shops = list(Shop.objects.order_by("code"))
    arrivals, cursor_id, counted_at = _arrivals_stored(shop_ids=[s.pk for s in shops], day=day, now=now)
    result = intraday_compute(day=day, now=now, shops=shops, arrivals=arrivals)
    stamp = timezone.now()
    rows = [
        IntradayShopDay(
            shop_id=shop_id, date=day, forecast=result.forecasts[shop_id], forecast_at=result.forecast_at[shop_id],
            as_of=result.now, ratio=one.ratio, ratio_reason=one.ratio_reason,
            half_hours=one.as_json()["half_hours"], short_half_hours=one.short_half_hours,
            largest_gap=one.largest_gap, computed_at=stamp, arrivals=arrivals[shop_id], message_cursor=cursor_id,
            counted_at=counted_at,
        )
        for shop_id, one in result.results.items()
    ]
    _store_days(rows)
    lo, _hi = day_bounds(day)
    IntradaySuggestion.objects.filter(date=day, status=IntradaySuggestion.Status.PROPOSED).delete()
    IntradaySuggestion.objects.bulk_create([
        IntradaySuggestion(
            date=day, kind=s.kind, shift_id=s.shift, agent_id=s.agent, from_shop_id=s.from_shop, to_shop_id=s.to_shop,
            starts_at=lo + timedelta(minutes=s.start_minute), ends_at=lo + timedelta(minutes=s.end_minute),
            half_hours=s.half_hours, created_at=stamp,
        )
        for s in result.suggestions
    ])
    return len(rows)


@transaction.atomic
def intraday_suggestion_accept(*, suggestion: IntradaySuggestion, by: User) -> IntradaySuggestion:
    """Apply a proposed suggestion. Overtime extends the published shift's end; a move keeps the shift and
    counts the agent in the other shop for its hours. Refused when the shift changed since it was proposed.
    The day is re-forecast at once, so the other suggestions follow."""
    suggestion = IntradaySuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status != IntradaySuggestion.Status.PROPOSED:
        raise ValidationError(_("这条建议已处理过。"))
    shift = ShiftAssignment.objects.select_for_update().get(pk=suggestion.shift_id)
    if suggestion.kind == IntradaySuggestion.Kind.OVERTIME:
        if shift.ends_at != suggestion.starts_at:
            raise ValidationError(_("这个班次在建议提出后已改变，请等待下一次刷新。"))
        shift.ends_at = suggestion.ends_at
        shift.save(update_fields=["ends_at"])
    elif not (shift.shop_id == suggestion.from_shop_id and shift.starts_at <= suggestion.starts_at
              and suggestion.ends_at <= shift.ends_at):
        raise ValidationError(_("这个班次在建议提出后已改变，请等待下一次刷新。"))
    suggestion.status = IntradaySuggestion.Status.ACCEPTED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=by, verb=f"intraday.{suggestion.kind}", target=shift, data={
        "suggestion": suggestion.pk, "from_shop": suggestion.from_shop_id, "to_shop": suggestion.to_shop_id,
        "starts_at": suggestion.starts_at.isoformat(), "ends_at": suggestion.ends_at.isoformat(),
    })
    intraday_refresh(day=suggestion.date)
    return suggestion
