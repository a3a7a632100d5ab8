"""Stored response metrics: buyer turns, per-session figures, and per shop/agent/day roll-ups.

Two engines give the same numbers (tests hold them to it):
- `sql` (PostgreSQL): turns are found IN THE DATABASE with window functions (LAG for the start of a
  buyer run, a running MIN over the following rows for the next agent message, a running MAX over the
  preceding rows for the last agent who spoke) and written with one INSERT … SELECT; session figures
  are one more INSERT … SELECT with ordered, filtered aggregates.
- `python` (any database, the SQLite fallback): the pure `compliance.quality.metrics.definitions` module per
  session.
The day roll-ups are ORM aggregates over the turn table, the same on both.

`metrics_refresh(session_ids=None)` recomputes everything; with ids it recomputes only those sessions
and the (shop, day) roll-ups their turns touch, before and after. `metrics_refresh_new()` is the
incremental entry point the Celery task calls: sessions that received messages since the last run.

The alerts of a recomputed (shop, day) are raised here too (`alerts_evaluate`), an SLA profile's change is
saved and queues a recompute (`sla_profile_update`), and `metrics_recompute_start` starts a full recompute
as a job.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import AuditEvent, Job, User
from agency.services import audit_record, job_start, task_queue
from clients.models import Shop
from compliance.models import ChatMessage, ChatSession
from compliance.quality.metrics.definitions import FIVE_MINUTES, ONE_HOUR, SHANGHAI, Message, buyer_turns, summarise
from compliance.quality.metrics.models import (
    LEVEL_RANK,
    AgentDayMetrics,
    MetricsCursor,
    QualityAlert,
    ResponseTurn,
    SessionMetrics,
    ShopDayMetrics,
    SlaProfile,
)
from compliance.quality.metrics.selectors import ShopDay, shop_day_filter
from compliance.quality.metrics.sla import TargetResolver, Targets

RECOMPUTE_TASK = "quality.metrics_recompute_all"

@dataclass
class RefreshResult:
    sessions: int = 0
    turns: int = 0
    days: set[ShopDay] = field(default_factory=set)
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
    params: dict[str, datetime | float | list[int]] = {"now": timezone.now(), "five": FIVE_MINUTES, "hour": ONE_HOUR}
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
            turns = buyer_turns(by_session.get(session_id, []), partial(resolver.sla, shop))
            figures = summarise(turns)
            for turn in turns:
                assert turn.first_ref is not None  # every message above carries its id as ref
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


def _keys_of(session_ids: list[int] | None) -> set[ShopDay]:
    """(shop, day) pairs that turns or sessions of these sessions fall on."""
    turns = ResponseTurn.objects.all()
    sessions = SessionMetrics.objects.all()
    if session_ids is not None:
        turns = turns.filter(session_id__in=session_ids)
        sessions = sessions.filter(session_id__in=session_ids)
    keys = set(turns.values_list("shop_id", "day").distinct())
    keys |= set(sessions.values_list("shop_id", "day").distinct())
    return keys


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


def _counters(row: Mapping[str, object], *keys: str) -> dict[str, object]:
    """A values() row without its grouping keys: the summed counters, as keyword arguments of a roll-up."""
    return {name: value for name, value in row.items() if name not in keys}


def _rollup(keys: set[ShopDay] | None) -> None:
    """Rewrite the day roll-ups of these (shop, day) pairs (all when None) from turns and sessions."""
    turns = ResponseTurn.objects.all()
    sessions = SessionMetrics.objects.all()
    shop_days = ShopDayMetrics.objects.all()
    agent_days = AgentDayMetrics.objects.all()
    if keys is not None:
        if not keys:
            return
        condition = shop_day_filter(keys)
        turns, sessions = turns.filter(condition), sessions.filter(condition)
        shop_days, agent_days = shop_days.filter(condition), agent_days.filter(condition)
    shop_days.delete()
    agent_days.delete()

    shop_rows: dict[ShopDay, dict] = defaultdict(dict)
    for row in turns.values("shop_id", "day").annotate(**TURN_SUMS).order_by():
        shop_rows[(row["shop_id"], row["day"])].update(_counters(row, "shop_id", "day"))
    for row in sessions.values("shop_id", "day").annotate(**SESSION_SUMS).order_by():
        shop_rows[(row["shop_id"], row["day"])].update(_counters(row, "shop_id", "day"))
    ShopDayMetrics.objects.bulk_create(
        [ShopDayMetrics(shop_id=shop_id, day=day, **values) for (shop_id, day), values in shop_rows.items()],
        batch_size=1000,
    )

    agent_rows: dict[tuple[int, int, date], dict] = defaultdict(dict)
    for row in turns.filter(agent_id__isnull=False).values("agent_id", "shop_id", "day").annotate(**TURN_SUMS).order_by():
        agent_rows[(row["agent_id"], row["shop_id"], row["day"])].update(_counters(row, "agent_id", "shop_id", "day"))
    for row in (
        sessions.filter(agent_id__isnull=False).values("agent_id", "shop_id", "day").annotate(**SESSION_SUMS).order_by()
    ):
        agent_rows[(row["agent_id"], row["shop_id"], row["day"])].update(_counters(row, "agent_id", "shop_id", "day"))
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


SESSIONS_EXPORT_TASK = "quality.shop_sessions_export"


def shop_sessions_export_start(*, by: User, shop: Shop, month: str, language: str = "zh-hans") -> Job:
    """A shop's per-session CSV of a month, too big to stream in a request, as a job with a file to download
    (written in `language`, the asker's)."""
    return job_start(
        task=SESSIONS_EXPORT_TASK, kind="quality.export", title=_("导出会话明细：%(shop)s %(month)s") % {
            "shop": shop.code, "month": month}, created_by=by, merchant_id=shop.merchant_id,
        kwargs={"user_id": by.pk, "shop_id": shop.pk, "month": month, "language": language}, retryable=True,
    )


def metrics_recompute_start(*, by: User) -> Job:
    """Start a full recompute as a job (the page then follows its progress)."""
    return job_start(task=RECOMPUTE_TASK, kind="quality.metrics", title=_("重新计算响应指标"), created_by=by)


# ------------------------------------------------------------------------------------------- alerts
# Warnings and breach alerts from the day roll-ups.
#
# A shop's day raises at most one alert per metric (a unique key on shop/day/metric): recomputing the same
# day again updates the figures and the linked sessions of the alert it already has, never raises a second
# one. Its level only rises: a day in the warning band that later breaches escalates the same alert (and
# reopens it if the warning had been acknowledged). New and escalated alerts are handed to the
# notification rules (`compliance.quality.alerts`) by queueing ALERTS_NOTIFY_TASK once this commits.

MAX_LINKED_SESSIONS = 200
ALERTS_NOTIFY_TASK = "quality.alerts_notify"


def breaches_for(row: ShopDayMetrics, targets: Targets) -> list[tuple[str, str, float, float]]:
    """(metric, level, value, threshold) for one shop day: at most one per metric, its worst level."""
    found: list[tuple[str, str, float, float]] = []
    rate = row.reply_rate
    if rate is not None:
        low, high = targets.warning_low, targets.warning_high
        if rate < targets.reply_rate_target:
            found.append((QualityAlert.Metric.REPLY_RATE, QualityAlert.Level.BREACH, rate, targets.reply_rate_target))
        elif low is not None and high is not None and low <= rate < high:
            found.append((QualityAlert.Metric.REPLY_RATE, QualityAlert.Level.WARNING, rate, high))
    avg, limit = row.avg_response_seconds, targets.avg_response_target_seconds
    if avg is not None and limit and avg > limit:
        found.append((QualityAlert.Metric.AVG_RESPONSE, QualityAlert.Level.BREACH, avg, float(limit)))
    return found


def _culprits(keys: set[ShopDay]) -> dict[tuple[int, date], list[tuple[int, float | None]]]:
    """Per (shop, day): the sessions whose counted turns missed the target, with those turns' times."""
    found: dict[tuple[int, date], list[tuple[int, float | None]]] = defaultdict(list)
    rows = (
        ResponseTurn.objects.filter(shop_day_filter(keys), counted=True, within_target=False)
        .order_by("shop_id", "day", "session_id")
        .values_list("shop_id", "day", "session_id", "response_seconds")
    )
    for shop_id, day, session_id, seconds in rows:
        found[(shop_id, day)].append((session_id, seconds))
    return found


def _linked_sessions(alert_metric: str, threshold: float, late: list[tuple[int, float | None]]) -> list[int]:
    if alert_metric == QualityAlert.Metric.AVG_RESPONSE:
        late = [(sid, sec) for sid, sec in late if sec is None or sec > threshold]
    return list(dict.fromkeys(sid for sid, _ in late))[:MAX_LINKED_SESSIONS]


@dataclass
class AlertChanges:
    created: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


def alerts_evaluate(*, keys: set[ShopDay], resolver: TargetResolver | None = None) -> int:
    """Raise, escalate or refresh the alerts of these (shop, day) pairs; returns how many were newly raised.

    Set-based: a handful of queries whatever the number of days, so a full recompute stays cheap.
    """
    return len(alerts_evaluate_changes(keys=keys, resolver=resolver).created)


@transaction.atomic
def alerts_evaluate_changes(*, keys: set[ShopDay], resolver: TargetResolver | None = None) -> AlertChanges:
    changes = AlertChanges()
    if not keys:
        return changes
    resolver = resolver or TargetResolver()
    rows = list(ShopDayMetrics.objects.filter(shop_day_filter(keys)).select_related("shop"))
    wanted: dict[tuple[int, date, str], tuple[str, float, float, str, Shop]] = {}
    for row in rows:
        targets = resolver.targets(row.shop, row.day)
        for metric, level, value, threshold in breaches_for(row, targets):
            wanted[(row.shop_id, row.day, metric)] = (level, value, threshold, targets.source, row.shop)
    if not wanted:
        return changes
    existing = {(a.shop_id, a.day, a.metric): a for a in QualityAlert.objects.filter(shop_day_filter(keys))}
    now = timezone.now()
    new_alerts, changed, escalated = [], [], []
    for key, (level, value, threshold, source, _shop) in wanted.items():
        alert = existing.get(key)
        if alert is None:
            new_alerts.append(
                QualityAlert(shop_id=key[0], day=key[1], metric=key[2], level=level, value=value,
                             threshold=threshold, source=source)
            )
            continue
        rank_now, rank_was = LEVEL_RANK[level], LEVEL_RANK[alert.level]
        alert.value, alert.updated_at = value, now
        if rank_now >= rank_was:  # a lower level never lowers the alert; its threshold stays the higher one's
            alert.threshold, alert.source = threshold, source
        if rank_now > rank_was:
            alert.level, alert.escalated_at = level, now
            alert.acknowledged_at, alert.acknowledged_by = None, None
            escalated.append(alert)
        changed.append(alert)
    created = QualityAlert.objects.bulk_create(new_alerts)
    QualityAlert.objects.bulk_update(
        changed,
        ["value", "threshold", "source", "updated_at", "level", "escalated_at", "acknowledged_at", "acknowledged_by"],
        batch_size=500,
    )
    alerts = created + changed

    culprits = _culprits({(a.shop_id, a.day) for a in alerts})
    through = QualityAlert.sessions.through
    through.objects.filter(qualityalert_id__in=[a.pk for a in changed]).delete()
    links = []
    for alert in alerts:
        for session_id in _linked_sessions(alert.metric, alert.threshold, culprits.get((alert.shop_id, alert.day), [])):
            links.append(through(qualityalert_id=alert.pk, chatsession_id=session_id))
    through.objects.bulk_create(links, batch_size=2000)
    merchants = {shop.pk: shop.merchant_id for *_, shop in wanted.values()}
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                verb=verb, object_type=QualityAlert._meta.label_lower, object_id=str(a.pk),
                merchant_id=merchants.get(a.shop_id),
                data={"metric": a.metric, "level": a.level, "value": a.value, "threshold": a.threshold,
                      "day": str(a.day)},
            )
            for verb, group in (("quality_alert_raised", created), ("quality_alert_escalated", escalated))
            for a in group
        ]
    )
    changes.created = [a.pk for a in created]
    changes.escalated = [a.pk for a in escalated]
    to_notify = changes.created + changes.escalated
    if to_notify:
        transaction.on_commit(lambda: task_queue(name=ALERTS_NOTIFY_TASK, kwargs={"alert_ids": to_notify}))
    return changes


def alert_acknowledge(*, alert: QualityAlert, by: User) -> QualityAlert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(actor=by, verb="quality_alert_acknowledged", target=alert, merchant_id=alert.shop.merchant_id)
    return alert


# ------------------------------------------------------------------------------------- SLA profiles
# A change is audited and the stored metrics are recomputed in the background.

EDITABLE = (
    "window_start", "window_end", "target_seconds", "holiday_window_start", "holiday_window_end",
    "reply_rate_target", "warning_low", "warning_high", "avg_response_target_seconds",
)


@transaction.atomic
def sla_profile_update(*, profile: SlaProfile, data: dict, by: User) -> SlaProfile:
    before = {f: str(getattr(profile, f)) for f in EDITABLE}
    for name in EDITABLE:
        if name in data:
            setattr(profile, name, data[name])
    profile.updated_by = by
    profile.full_clean()
    profile.save()
    after = {f: str(getattr(profile, f)) for f in EDITABLE}
    audit_record(
        actor=by, verb="sla_profile_updated", target=profile,
        data={k: [before[k], after[k]] for k in EDITABLE if before[k] != after[k]},
    )

    transaction.on_commit(lambda: task_queue(name=RECOMPUTE_TASK))
    return profile
