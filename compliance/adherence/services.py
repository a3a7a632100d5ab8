"""Writes of stored adherence: `ShiftAdherence` rows for the shifts of some days (contracts §10).

On PostgreSQL one set-based statement per call finds every figure in the database and upserts the rows:
the sessions that overlap the shops' shifts are read whole (so turns starting before the period and
answers after it are seen), buyer turns come from window functions over each session, and demand and
active slots from per-minute buyer buckets and the agents' own messages joined to their shifts. Elsewhere
the pure engine (`compliance.adherence.engine`) runs over the same messages. Tests hold both to the same
rows as the hand-computed cases.

Slots are whole minutes long and shifts start on whole minutes, so "a buyer message in the slot" is
"a buyer minute in the slot": the buyer side is bucketed by minute before it meets the shifts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Job, User
from agency.services import job_start
from clients.models import Shop
from compliance.adherence.engine import ChatLine, Shift, ShopLog, adherence
from compliance.adherence.models import ShiftAdherence
from compliance.sessions.models import ChatMessage, ChatSession
from staffing.models import ShiftAssignment

SLOT_MINUTES = 30


def grace_minutes() -> float:
    return float(getattr(settings, "ADHERENCE_GRACE_MINUTES", 10))


_SQL = """
WITH s AS (
    SELECT sa.id, sa.agent_id, sa.shop_id, sa.date, sa.starts_at, sa.ends_at
      FROM staffing_shiftassignment sa
     WHERE sa.date BETWEEN %(first)s AND %(last)s {shop_filter}
), span AS (
    SELECT shop_id, min(starts_at) AS lo, max(ends_at) AS hi FROM s GROUP BY shop_id
), sess AS (
    SELECT cs.id FROM compliance_chatsession cs JOIN span ON cs.shop_id = span.shop_id
     WHERE cs.started_at < span.hi AND cs.ended_at >= span.lo
), msg AS MATERIALIZED (
    -- whole sessions, so turns that began before the period and answers after it are seen
    SELECT m.id, m.session_id, m.shop_id, m.sender, m.agent_id, m.sent_at,
           (m.sent_at AT TIME ZONE %(tz)s)::date AS d
      FROM compliance_chatmessage m JOIN sess ON m.session_id = sess.id
), seq AS (
    SELECT shop_id, sender, sent_at, d,
           lag(sender) OVER (PARTITION BY session_id ORDER BY sent_at, id) AS prev_sender,
           min(sent_at) FILTER (WHERE sender = 'agent') OVER (
               PARTITION BY session_id ORDER BY sent_at DESC, id DESC
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS answered
      FROM msg
), long_turns AS MATERIALIZED (
    SELECT shop_id, d, sent_at AS started, answered FROM seq
     WHERE sender = 'buyer' AND prev_sender IS DISTINCT FROM 'buyer'
       AND (answered IS NULL OR answered - sent_at > interval '300 seconds')
), slots AS (
    SELECT s.id, s.shop_id, g.k,
           s.starts_at + make_interval(mins => g.k * %(slot_minutes)s) AS lo,
           least(s.starts_at + make_interval(mins => (g.k + 1) * %(slot_minutes)s), s.ends_at) AS hi
      FROM s CROSS JOIN LATERAL generate_series(
               0, ceil(extract(epoch FROM s.ends_at - s.starts_at) / %(slot_seconds)s)::int - 1) AS g(k)
), bslot AS (
    -- a demand slot: one index probe (shop, time) that stops at the first buyer message
    SELECT sl.id, sl.k FROM slots sl CROSS JOIN LATERAL (
        SELECT 1 FROM compliance_chatmessage m
         WHERE m.shop_id = sl.shop_id AND m.sent_at >= sl.lo AND m.sent_at < sl.hi AND m.sender = 'buyer'
         LIMIT 1) AS hit
), first_buyer AS (
    SELECT s.id, fb.sent_at AS first_buyer FROM s CROSS JOIN LATERAL (
        SELECT m.sent_at FROM compliance_chatmessage m
         WHERE m.shop_id = s.shop_id AND m.sent_at >= s.starts_at AND m.sent_at < s.ends_at AND m.sender = 'buyer'
         ORDER BY m.sent_at LIMIT 1) AS fb
), mine AS (
    -- the agent's own messages in the shop during the shift, met on (shop, agent, local day): a shift
    -- touches its own day and, past midnight, the next
    SELECT s.id, s.starts_at, a.sent_at FROM s JOIN msg a
        ON a.shop_id = s.shop_id AND a.agent_id = s.agent_id AND a.d = s.date
     WHERE a.sender = 'agent' AND a.sent_at >= s.starts_at AND a.sent_at < s.ends_at
    UNION ALL
    SELECT s.id, s.starts_at, a.sent_at FROM s JOIN msg a
        ON a.shop_id = s.shop_id AND a.agent_id = s.agent_id AND a.d = s.date + 1
     WHERE a.sender = 'agent' AND a.sent_at >= s.starts_at AND a.sent_at < s.ends_at
), act AS (
    SELECT id, min(sent_at) AS first_at, max(sent_at) AS last_at FROM mine GROUP BY id
), marks AS (
    -- each (shift, slot) with a buyer and/or the agent: one grouping, no join to misjudge
    SELECT id, k, bool_or(buyer) AS buyer, bool_or(NOT buyer) AS agent FROM (
        SELECT id, k, true AS buyer FROM bslot
        UNION ALL
        SELECT id, floor(extract(epoch FROM sent_at - starts_at) / %(slot_seconds)s)::int, false FROM mine
    ) AS marked GROUP BY id, k
), dem AS (
    SELECT id, count(*) FILTER (WHERE buyer) AS demand, count(*) FILTER (WHERE buyer AND agent) AS active
      FROM marks GROUP BY id
), waits AS (
    SELECT s.id, s.agent_id, s.shop_id, t.started, coalesce(t.answered, s.ends_at) AS until
      FROM s JOIN long_turns t ON t.shop_id = s.shop_id AND t.d = s.date
     WHERE t.started >= s.starts_at AND t.started < s.ends_at
    UNION ALL
    SELECT s.id, s.agent_id, s.shop_id, t.started, coalesce(t.answered, s.ends_at) AS until
      FROM s JOIN long_turns t ON t.shop_id = s.shop_id AND t.d = s.date + 1
     WHERE t.started >= s.starts_at AND t.started < s.ends_at
), idle AS (
    -- a wait is idle for the agent when no message of theirs in the shop falls inside it (index probe)
    SELECT w.id, count(*) AS n FROM waits w LEFT JOIN LATERAL (
        SELECT 1 AS hit FROM compliance_chatmessage a
         WHERE a.shop_id = w.shop_id AND a.sent_at >= w.started AND a.sent_at < w.until
           AND a.agent_id = w.agent_id AND a.sender = 'agent'
         LIMIT 1) AS seen ON true
     WHERE seen.hit IS NULL
     GROUP BY w.id
), result AS (
    SELECT s.id, s.agent_id, s.shop_id, s.date,
           coalesce(dem.demand, 0) AS demand, coalesce(dem.active, 0) AS active,
           act.first_at, act.last_at,
           (coalesce(dem.demand, 0) > 0 AND act.first_at IS NULL) AS no_show,
           fb.first_buyer, s.starts_at, coalesce(idle.n, 0) AS idle
      FROM s LEFT JOIN dem ON dem.id = s.id LEFT JOIN act ON act.id = s.id LEFT JOIN idle ON idle.id = s.id
             LEFT JOIN first_buyer fb ON fb.id = s.id
)
INSERT INTO compliance_shiftadherence AS x
       (assignment_id, agent_id, shop_id, date, demand_slots, active_demand_slots, adherence,
        first_activity, last_activity, late_minutes, no_show, idle_waits, computed_at)
SELECT id, agent_id, shop_id, date, demand, active,
       CASE WHEN demand > 0 THEN active::float8 / demand END,
       first_at, last_at,
       CASE WHEN no_show THEN NULL
            WHEN first_at IS NOT NULL AND first_buyer < first_at
                 THEN floor(greatest(0, extract(epoch FROM first_at - starts_at) / 60 - %(grace)s))::int
            ELSE 0 END,
       no_show, idle, %(now)s
  FROM result
ON CONFLICT (assignment_id) DO UPDATE SET
       agent_id = EXCLUDED.agent_id, shop_id = EXCLUDED.shop_id, date = EXCLUDED.date,
       demand_slots = EXCLUDED.demand_slots, active_demand_slots = EXCLUDED.active_demand_slots,
       adherence = EXCLUDED.adherence, first_activity = EXCLUDED.first_activity,
       last_activity = EXCLUDED.last_activity, late_minutes = EXCLUDED.late_minutes,
       no_show = EXCLUDED.no_show, idle_waits = EXCLUDED.idle_waits, computed_at = EXCLUDED.computed_at
"""


def _compute_sql(*, first: date, last: date, shop_ids: Sequence[int] | None) -> int:
    params: dict[str, Any] = {
        "first": first, "last": last, "slot_seconds": SLOT_MINUTES * 60, "slot_minutes": SLOT_MINUTES, "grace": grace_minutes(),
        "now": timezone.now(), "tz": settings.TIME_ZONE,
    }
    shop_filter = ""
    if shop_ids is not None:
        shop_filter = "AND sa.shop_id = ANY(%(shops)s)"
        params["shops"] = list(shop_ids)
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(shop_filter=shop_filter), params)
        return cursor.rowcount


def _compute_python(*, first: date, last: date, shop_ids: Sequence[int] | None) -> int:
    shifts_qs = ShiftAssignment.objects.filter(date__range=(first, last))
    if shop_ids is not None:
        shifts_qs = shifts_qs.filter(shop_id__in=shop_ids)
    rows = list(shifts_qs.values("id", "agent_id", "shop_id", "date", "starts_at", "ends_at"))
    if not rows:
        return 0
    log = ShopLog()
    spans: dict[int, tuple] = {}
    for r in rows:
        lo, hi = spans.get(r["shop_id"], (r["starts_at"], r["ends_at"]))
        spans[r["shop_id"]] = (min(lo, r["starts_at"]), max(hi, r["ends_at"]))
    for shop_id, (lo, hi) in spans.items():
        session_ids = ChatSession.objects.filter(shop_id=shop_id, started_at__lt=hi, ended_at__gte=lo).values("id")
        by_session: dict[int, list[ChatLine]] = {}
        for sid, sender, agent_id, sent_at in (
            ChatMessage.objects.filter(session_id__in=session_ids)
            .order_by("sent_at", "id")
            .values_list("session_id", "sender", "agent_id", "sent_at")
        ):
            by_session.setdefault(sid, []).append(ChatLine(sender=sender, sent_at=sent_at, agent=agent_id))
        for lines in by_session.values():
            log.add_session(shop_id, lines)
    shifts = [
        Shift(agent=r["agent_id"], shop=r["shop_id"], day=r["date"], code=str(r["id"]), starts_at=r["starts_at"],
              ends_at=r["ends_at"])
        for r in rows
    ]
    now = timezone.now()
    objs = [
        ShiftAdherence(
            assignment_id=int(a.shift.code), agent_id=int(a.shift.agent), shop_id=int(a.shift.shop), date=a.shift.day,
            demand_slots=a.demand_slots, active_demand_slots=a.active_demand_slots, adherence=a.adherence,
            first_activity=a.first_activity, last_activity=a.last_activity, late_minutes=a.late_minutes,
            no_show=a.no_show, idle_waits=a.idle_waits, computed_at=now,
        )
        for a in adherence(shifts, log, slot_minutes=SLOT_MINUTES, grace_minutes=grace_minutes())
    ]
    ShiftAdherence.objects.bulk_create(
        objs, update_conflicts=True, unique_fields=["assignment"],
        update_fields=["agent", "shop", "date", "demand_slots", "active_demand_slots", "adherence", "first_activity",
                       "last_activity", "late_minutes", "no_show", "idle_waits", "computed_at"],
    )
    return len(objs)


@transaction.atomic
def adherence_compute(
    *, first: date, last: date, shops: Sequence[Shop] | None = None, engine: str | None = None,
) -> int:
    """Store the adherence of every shift starting from `first` to `last` (of `shops`, else all shops).

    `engine` is "sql" or "python"; by default SQL on PostgreSQL, the pure engine elsewhere. Returns how many
    shifts were measured. Running it again replaces the rows (a late import changes the figures).
    """
    shop_ids = None if shops is None else [s.pk for s in shops]
    engine = engine or ("sql" if connection.vendor == "postgresql" else "python")
    if engine == "sql":
        return _compute_sql(first=first, last=last, shop_ids=shop_ids)
    return _compute_python(first=first, last=last, shop_ids=shop_ids)


def adherence_compute_days(
    *, first: date, last: date, report: Callable[[int, int], None] | None = None,
) -> int:
    """Day by day, so a long range reports progress and holds no lock for long."""
    total = (last - first).days + 1
    measured = 0
    for offset in range(total):
        day = first + timedelta(days=offset)
        measured += adherence_compute(first=day, last=day)
        if report is not None:
            report(offset + 1, total)
    return measured


COMPUTE_TASK = "compliance.adherence_compute"  # registered name of `compliance.adherence.tasks.adherence_compute_task`


def adherence_compute_start(*, first: date, last: date, by: User | None) -> Job:
    """Recompute a range of days as a background job (a month takes longer than a request should)."""
    if last < first:
        raise ValidationError({"last": _("结束日期早于开始日期。")})
    if (last - first).days > 92:
        raise ValidationError({"last": _("一次最多重算 93 天。")})
    return job_start(
        task=COMPUTE_TASK, kind="adherence.compute", created_by=by,
        title=_("排班遵守重算：%(first)s – %(last)s") % {"first": first.isoformat(), "last": last.isoformat()},
        kwargs={"first": first.isoformat(), "last": last.isoformat()},
    )
