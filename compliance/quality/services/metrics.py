"""Stored response metrics: buyer turns, per-session figures, and per shop/agent/day roll-ups.

Two engines give the same numbers (tests hold them to it):
- `sql` (PostgreSQL): turns are found IN THE DATABASE with window functions (LAG for the start of a
  buyer run, a running MIN over the following rows for the next agent message, a running MAX over the
  preceding rows for the last agent who spoke) and written with one INSERT … SELECT; session figures
  are one more INSERT … SELECT with ordered, filtered aggregates.
- `python` (any database, the SQLite fallback): the pure `compliance.quality.metrics` module per session.
The day roll-ups are ORM aggregates over the turn table, the same on both.

`metrics_refresh(session_ids=None)` recomputes everything; with ids it recomputes only those sessions
and the (shop, day) roll-ups their turns touch, before and after. `metrics_refresh_new()` is the
incremental entry point the Celery task calls: sessions that received messages since the last run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from clients.models import Shop
from compliance.models import ChatMessage, ChatSession
from compliance.quality.metric_models import (
    AgentDayMetrics,
    MetricsCursor,
    ResponseTurn,
    SessionMetrics,
    ShopDayMetrics,
)
from compliance.quality.metrics import FIVE_MINUTES, ONE_HOUR, SHANGHAI, Message, buyer_turns, summarise
from compliance.quality.sla import TargetResolver

Key = tuple[int, date]  # (shop id, local day)


@dataclass
class RefreshResult:
    sessions: int = 0
    turns: int = 0
    days: set[Key] = field(default_factory=set)
    alerts_created: int = 0

    def as_dict(self) -> dict:
        return {"sessions": self.sessions, "turns": self.turns, "days": len(self.days), "alerts_created": self.alerts_created}


def default_engine() -> str:
    return "sql" if connection.vendor == "postgresql" else "python"


def local_day(value) -> date:
    return value.astimezone(SHANGHAI).date()


# ---------------------------------------------------------------------------------------------- turns


def _params_for(shops: dict[int, Shop], day_ranges: dict[int, tuple[date, date]], resolver: TargetResolver):
    """Arrays (shop, day, window start, window end, target) for every day that may hold a turn."""
    shop_ids, days, starts, ends, targets = [], [], [], [], []
    for shop_id, (first, last) in day_ranges.items():
        day = first
        while day <= last:
            sla = resolver.sla(shops[shop_id], day)
            shop_ids.append(shop_id)
            days.append(day)
            starts.append(sla.window_start)
            ends.append(sla.window_end)
            targets.append(float(sla.target_seconds))
            day += timedelta(days=1)
    return shop_ids, days, starts, ends, targets


TURNS_SQL = """
INSERT INTO quality_responseturn
    (session_id, shop_id, day, started_at, answered_at, response_seconds, counted, within_target,
     agent_id, first_message_id, answer_message_id)
WITH params (shop_id, day, wstart, wend, target) AS (
    SELECT * FROM unnest(%(p_shop)s::bigint[], %(p_day)s::date[], %(p_start)s::time[], %(p_end)s::time[],
                         %(p_target)s::float8[])
),
m AS (
    SELECT id, session_id, shop_id, sender, agent_id, sent_at,
           LAG(sender) OVER w AS prev_sender,
           ROW_NUMBER() OVER w AS rn
    FROM compliance_chatmessage
    WHERE {where}
    WINDOW w AS (PARTITION BY session_id ORDER BY sent_at, id)
),
n AS (
    SELECT m.*,
           MIN(CASE WHEN sender = 'agent' THEN rn END) OVER (
               PARTITION BY session_id ORDER BY rn DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ) AS answer_rn,
           MAX(CASE WHEN sender = 'agent' AND agent_id IS NOT NULL THEN rn END) OVER (
               PARTITION BY session_id ORDER BY rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
           ) AS last_agent_rn
    FROM m
),
t AS (
    SELECT session_id, shop_id, id AS first_id, sent_at AS started_at, answer_rn, last_agent_rn,
           (sent_at AT TIME ZONE 'Asia/Shanghai') AS local_ts
    FROM n
    WHERE sender = 'buyer' AND prev_sender IS DISTINCT FROM 'buyer'
)
SELECT t.session_id, t.shop_id, t.local_ts::date, t.started_at, a.sent_at,
       EXTRACT(EPOCH FROM a.sent_at - t.started_at)::float8,
       CASE WHEN p.wstart < p.wend THEN t.local_ts::time >= p.wstart AND t.local_ts::time < p.wend
            ELSE t.local_ts::time >= p.wstart OR t.local_ts::time < p.wend END,
       COALESCE(EXTRACT(EPOCH FROM a.sent_at - t.started_at)::float8 <= p.target, false),
       COALESCE(a.agent_id, la.agent_id), t.first_id, a.id
FROM t
JOIN params p ON p.shop_id = t.shop_id AND p.day = t.local_ts::date
LEFT JOIN m a ON a.session_id = t.session_id AND a.rn = t.answer_rn
LEFT JOIN m la ON la.session_id = t.session_id AND la.rn = t.last_agent_rn
"""

SESSIONS_SQL = """
INSERT INTO quality_sessionmetrics
    (session_id, shop_id, day, agent_id, counted_turns, answered_turns, answered_within_target, reply_rate,
     first_response_seconds, avg_response_seconds, five_minute_nonreply, unserved, computed_at)
SELECT s.id, s.shop_id, (s.started_at AT TIME ZONE 'Asia/Shanghai')::date, agg.agent_id,
       COALESCE(agg.counted, 0), COALESCE(agg.answered, 0), COALESCE(agg.within, 0),
       agg.within::float8 / NULLIF(agg.counted, 0), agg.first_response, agg.avg_response,
       COALESCE(agg.nonreply, false), COALESCE(agg.unserved, false), %(now)s
FROM compliance_chatsession s
LEFT JOIN (
    SELECT session_id,
           COUNT(*) FILTER (WHERE counted) AS counted,
           COUNT(*) FILTER (WHERE counted AND response_seconds IS NOT NULL) AS answered,
           COUNT(*) FILTER (WHERE counted AND within_target) AS within,
           (ARRAY_AGG(response_seconds ORDER BY started_at, first_message_id) FILTER (WHERE counted))[1]
               AS first_response,
           AVG(response_seconds) FILTER (WHERE counted) AS avg_response,
           BOOL_OR(counted AND (response_seconds IS NULL OR response_seconds > %(five)s)) AS nonreply,
           BOOL_OR(counted AND (response_seconds IS NULL OR response_seconds > %(hour)s)) AS unserved,
           (ARRAY_AGG(agent_id ORDER BY started_at, first_message_id) FILTER (WHERE agent_id IS NOT NULL))[1]
               AS agent_id
    FROM quality_responseturn
    WHERE {where}
    GROUP BY session_id
) agg ON agg.session_id = s.id
WHERE {session_where}
"""


def _message_day_ranges(session_ids: list[int] | None) -> dict[int, tuple[date, date]]:
    qs = ChatMessage.objects.filter(sender="buyer")
    if session_ids is not None:
        qs = qs.filter(session_id__in=session_ids)
    ranges = {}
    for row in qs.values("shop_id").annotate(first=Min("sent_at"), last=Max("sent_at")):
        ranges[row["shop_id"]] = (local_day(row["first"]), local_day(row["last"]))
    return ranges


def _turns_sql(session_ids: list[int] | None, resolver: TargetResolver) -> int:
    ranges = _message_day_ranges(session_ids)
    if not ranges:
        return 0
    shops = Shop.objects.in_bulk(list(ranges))
    p_shop, p_day, p_start, p_end, p_target = _params_for(shops, ranges, resolver)
    params = {"p_shop": p_shop, "p_day": p_day, "p_start": p_start, "p_end": p_end, "p_target": p_target}
    where = "TRUE"
    if session_ids is not None:
        where = "session_id = ANY(%(sids)s)"
        params["sids"] = list(session_ids)
    with connection.cursor() as cursor:
        cursor.execute(TURNS_SQL.format(where=where), params)
        return cursor.rowcount


def _sessions_sql(session_ids: list[int] | None) -> None:
    params = {"now": timezone.now(), "five": FIVE_MINUTES, "hour": ONE_HOUR}
    where = session_where = "TRUE"
    if session_ids is not None:
        where = "session_id = ANY(%(sids)s)"
        session_where = "s.id = ANY(%(sids)s)"
        params["sids"] = list(session_ids)
    with connection.cursor() as cursor:
        cursor.execute(SESSIONS_SQL.format(where=where, session_where=session_where), params)


def _python_chunks(session_ids: list[int] | None, size: int = 2000) -> Iterable[list[int]]:
    ids = list(session_ids) if session_ids is not None else list(ChatSession.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _turns_and_sessions_python(session_ids: list[int] | None, resolver: TargetResolver) -> int:
    now = timezone.now()
    total = 0
    shops: dict[int, Shop] = {}
    for chunk in _python_chunks(session_ids):
        sessions = {s.pk: s for s in ChatSession.objects.filter(pk__in=chunk).only("pk", "shop_id", "started_at")}
        for shop_id in {s.shop_id for s in sessions.values()} - shops.keys():
            shops[shop_id] = Shop.objects.get(pk=shop_id)
        by_session: dict[int, list[Message]] = defaultdict(list)
        rows = (
            ChatMessage.objects.filter(session_id__in=chunk)
            .order_by("session_id", "sent_at", "id")
            .values_list("id", "session_id", "sender", "agent_id", "sent_at")
        )
        for message_id, session_id, sender, agent_id, sent_at in rows:
            by_session[session_id].append(Message(sender=sender, sent_at=sent_at, agent=agent_id, ref=message_id))
        turn_rows, metric_rows = [], []
        for session_id, session in sessions.items():
            shop = shops[session.shop_id]
            turns = buyer_turns(by_session.get(session_id, []), lambda day, shop=shop: resolver.sla(shop, day))
            figures = summarise(turns)
            for turn in turns:
                turn_rows.append(
                    ResponseTurn(
                        session_id=session_id, shop_id=shop.pk, day=turn.local_day, started_at=turn.started_at,
                        answered_at=turn.answered_at, response_seconds=turn.response_seconds, counted=turn.counted,
                        within_target=turn.within_target, agent_id=turn.agent, first_message_id=turn.first_ref,
                        answer_message_id=turn.answer_ref,
                    )
                )
            first_agent = next((t.agent for t in turns if t.agent is not None), None)
            metric_rows.append(
                SessionMetrics(
                    session_id=session_id, shop_id=shop.pk, day=local_day(session.started_at), agent_id=first_agent,
                    counted_turns=figures.counted_turns, answered_turns=figures.answered_turns,
                    answered_within_target=figures.answered_within_target, reply_rate=figures.reply_rate,
                    first_response_seconds=figures.first_response_seconds,
                    avg_response_seconds=figures.avg_response_seconds,
                    five_minute_nonreply=figures.five_minute_nonreply, unserved=figures.unserved, computed_at=now,
                )
            )
        ResponseTurn.objects.bulk_create(turn_rows, batch_size=1000)
        SessionMetrics.objects.bulk_create(metric_rows, batch_size=1000)
        total += len(turn_rows)
    return total


# ------------------------------------------------------------------------------------------- roll-ups


def _keys_of(session_ids: list[int] | None) -> set[Key]:
    """(shop, day) pairs that turns or sessions of these sessions fall on."""
    turns = ResponseTurn.objects.all()
    sessions = SessionMetrics.objects.all()
    if session_ids is not None:
        turns = turns.filter(session_id__in=session_ids)
        sessions = sessions.filter(session_id__in=session_ids)
    keys = set(turns.values_list("shop_id", "day").distinct())
    keys |= set(sessions.values_list("shop_id", "day").distinct())
    return keys


def _key_filter(keys: set[Key], prefix: str = "") -> Q:
    days_by_shop: dict[int, set[date]] = defaultdict(set)
    for shop_id, day in keys:
        days_by_shop[shop_id].add(day)
    condition = Q(pk__in=[])
    for shop_id, days in days_by_shop.items():
        condition |= Q(**{f"{prefix}shop_id": shop_id, f"{prefix}day__in": sorted(days)})
    return condition


TURN_SUMS = {
    "counted_turns": Count("pk", filter=Q(counted=True)),
    "answered_turns": Count("pk", filter=Q(counted=True, response_seconds__isnull=False)),
    "answered_within_target": Count("pk", filter=Q(counted=True, within_target=True)),
    "response_seconds_sum": Sum("response_seconds", filter=Q(counted=True), default=0.0),
    "nonreply_turns": Count(
        "pk", filter=Q(counted=True) & (Q(response_seconds__isnull=True) | Q(response_seconds__gt=FIVE_MINUTES))
    ),
    "unserved_turns": Count(
        "pk", filter=Q(counted=True) & (Q(response_seconds__isnull=True) | Q(response_seconds__gt=ONE_HOUR))
    ),
}
SESSION_SUMS = {
    "sessions": Count("pk"),
    "first_response_sum": Sum("first_response_seconds", default=0.0),
    "first_response_count": Count("first_response_seconds"),
}


def _rollup(keys: set[Key] | None) -> None:
    """Rewrite the day roll-ups of these (shop, day) pairs (all when None) from turns and sessions."""
    turns = ResponseTurn.objects.all()
    sessions = SessionMetrics.objects.all()
    shop_days = ShopDayMetrics.objects.all()
    agent_days = AgentDayMetrics.objects.all()
    if keys is not None:
        if not keys:
            return
        condition = _key_filter(keys)
        turns, sessions = turns.filter(condition), sessions.filter(condition)
        shop_days, agent_days = shop_days.filter(condition), agent_days.filter(condition)
    shop_days.delete()
    agent_days.delete()

    shop_rows: dict[Key, dict] = defaultdict(dict)
    for row in turns.values("shop_id", "day").annotate(**TURN_SUMS).order_by():
        shop_rows[(row.pop("shop_id"), row.pop("day"))].update(row)
    for row in sessions.values("shop_id", "day").annotate(**SESSION_SUMS).order_by():
        shop_rows[(row.pop("shop_id"), row.pop("day"))].update(row)
    ShopDayMetrics.objects.bulk_create(
        [ShopDayMetrics(shop_id=shop_id, day=day, **values) for (shop_id, day), values in shop_rows.items()],
        batch_size=1000,
    )

    agent_rows: dict[tuple[int, int, date], dict] = defaultdict(dict)
    for row in turns.filter(agent_id__isnull=False).values("agent_id", "shop_id", "day").annotate(**TURN_SUMS).order_by():
        agent_rows[(row.pop("agent_id"), row.pop("shop_id"), row.pop("day"))].update(row)
    for row in (
        sessions.filter(agent_id__isnull=False).values("agent_id", "shop_id", "day").annotate(**SESSION_SUMS).order_by()
    ):
        agent_rows[(row.pop("agent_id"), row.pop("shop_id"), row.pop("day"))].update(row)
    AgentDayMetrics.objects.bulk_create(
        [
            AgentDayMetrics(agent_id=agent_id, shop_id=shop_id, day=day, **values)
            for (agent_id, shop_id, day), values in agent_rows.items()
        ],
        batch_size=1000,
    )


# ------------------------------------------------------------------------------------------- services


@transaction.atomic
def metrics_refresh(
    *, session_ids: Iterable[int] | None = None, engine: str | None = None, evaluate_alerts: bool = True
) -> RefreshResult:
    """Recompute stored metrics: all of them (session_ids=None) or only these sessions and their days."""
    from compliance.quality.services.alerts import alerts_evaluate

    engine = engine or default_engine()
    if engine == "sql" and connection.vendor != "postgresql":
        raise ValueError("the sql engine needs PostgreSQL; use engine='python'")
    ids = None if session_ids is None else sorted(set(session_ids))
    result = RefreshResult()
    resolver = TargetResolver()

    before = _keys_of(ids) if ids is not None else set()
    if ids is None:
        ResponseTurn.objects.all().delete()
        SessionMetrics.objects.all().delete()
    else:
        ResponseTurn.objects.filter(session_id__in=ids).delete()
        SessionMetrics.objects.filter(session_id__in=ids).delete()

    if engine == "sql":
        result.turns = _turns_sql(ids, resolver)
        _sessions_sql(ids)
    else:
        result.turns = _turns_and_sessions_python(ids, resolver)
    result.sessions = SessionMetrics.objects.count() if ids is None else len(ids)

    if ids is None:
        _rollup(None)
        result.days = set(ShopDayMetrics.objects.values_list("shop_id", "day"))
    else:
        result.days = before | _keys_of(ids)
        _rollup(result.days)
    if evaluate_alerts:
        result.alerts_created = alerts_evaluate(keys=result.days, resolver=resolver)
    if ids is None:  # a full recompute has seen every message
        MetricsCursor.objects.update_or_create(
            key="messages", defaults={"last_message_id": ChatMessage.objects.aggregate(m=Max("pk"))["m"] or 0}
        )
    return result


def metrics_refresh_new(*, engine: str | None = None) -> RefreshResult:
    """The incremental roll-up: sessions that received messages since the last run, and their days."""
    with transaction.atomic():
        cursor, _ = MetricsCursor.objects.select_for_update().get_or_create(key="messages")
        top = ChatMessage.objects.aggregate(m=Max("pk"))["m"] or 0
        if top <= cursor.last_message_id:
            return RefreshResult()
        session_ids = list(
            ChatMessage.objects.filter(pk__gt=cursor.last_message_id, pk__lte=top)
            .values_list("session_id", flat=True)
            .distinct()
        )
        result = metrics_refresh(session_ids=session_ids, engine=engine)
        MetricsCursor.objects.filter(pk=cursor.pk).update(last_message_id=top, updated_at=timezone.now())
    return result


def metrics_refresh_recent(*, days: int = 2, engine: str | None = None) -> RefreshResult:
    """Recompute the sessions of the last `days` days: the nightly safety net behind the cursor (a message
    committed late with a lower id than the cursor, a contract signed today with new targets)."""
    since = timezone.now() - timedelta(days=days)
    session_ids = list(ChatSession.objects.filter(ended_at__gte=since).values_list("pk", flat=True))
    return metrics_refresh(session_ids=session_ids, engine=engine)
