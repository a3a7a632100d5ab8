"""The stored attribution and daily sales figures (contracts §8), kept current incrementally.

`sales_refresh()` (Celery beat every few minutes, and after every order import):
1. takes the agent messages that arrived since its cursor (a message id), per (shop, buyer) with their
   first and last time, and puts on the pending list (`OrderPending`) the orders they may attribute or
   remind: created within the window after one of them, within 24 h before, or unpaid at the time of one;
2. re-attributes every pending order (an import puts the orders it created or changed there already),
   replacing its `OrderAttribution` row;
3. recomputes the (shop, day) rows touched: the new messages' days and the days each re-attributed order
   left or joined (its attributing and its reminder message's days). So a refund arriving later moves the
   figures of the day the sale belongs to.

On PostgreSQL step 2 is one `INSERT … SELECT` with two `LATERAL` look-ups per order (the last agent message
to the buyer at or before `created_at` within the window; the first after it while unpaid) over the
(shop, buyer) session index and the (session, sent_at) message index, after deleting the orders' previous
rows, and step 3 one statement per batch of days. Writing narrow attribution rows, never updating the
order rows in place, keeps the stored attribution close to the cost of the look-ups alone. Elsewhere the pure engine (`compliance.quality.sales.engine.attribution`) runs per buyer and the
ORM counts per day; tests hold the two paths to identical rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum

from agency.models import Role, User
from agency.services import task_queue
from clients.models import Shop
from clients.statements.selectors import conversion_target_for_shop
from compliance.quality.metrics.models import QualityAlert
from compliance.quality.metrics.services import ALERTS_NOTIFY_TASK
from compliance.quality.sales.engine.attribution import (
    DEFAULT_WINDOW_HOURS,
    REMINDER_PERIOD,
    SHANGHAI,
    AgentMessage,
    attribute_orders,
    local_day,
)
from compliance.quality.sales.engine.attribution import Order as EngineOrder
from compliance.quality.sales.models import Order, OrderAttribution, OrderPending, SalesCursor, SalesDayMetrics
from compliance.sessions.models import ChatMessage, ChatSession, Sender

WINDOW = timedelta(hours=DEFAULT_WINDOW_HOURS)
_ORDER = Order._meta.db_table
_ATTRIBUTION = OrderAttribution._meta.db_table
_PENDING = OrderPending._meta.db_table
_SESSION = ChatSession._meta.db_table
_MESSAGE = ChatMessage._meta.db_table
_DAY = SalesDayMetrics._meta.db_table
_USER = User._meta.db_table

Pair = tuple[int, date]


@dataclass
class RefreshResult:
    new_messages: int = 0
    orders_attributed: int = 0
    days_recomputed: int = 0
    alerts_raised: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _postgres(sql: bool | None) -> bool:
    return connection.vendor == "postgresql" if sql is None else sql


def _without_jit() -> None:
    """`jit = off` for this transaction: the look-ups are many tiny index probes, and PostgreSQL's JIT
    compiler (triggered by the large row estimates of a whole order table) cost seconds of compilation
    for statements that run in milliseconds (measured with bench/bench_sales.py: about 1.9 s of a 2.5 s
    incremental attribution). `work_mem` 64 MB keeps the day roll-up's distinct-buyer sorts in memory."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL work_mem = '64MB'")


@transaction.atomic
def sales_refresh(*, sql: bool | None = None, progress: Callable[[int, int], None] | None = None) -> RefreshResult:
    """The incremental refresh (module docstring). Runs one at a time: it locks the cursor row."""
    _without_jit()
    cursor, _created = SalesCursor.objects.get_or_create(name="messages")
    cursor = SalesCursor.objects.select_for_update().get(pk=cursor.pk)
    top = ChatMessage.objects.aggregate(top=Max("id"))["top"] or 0
    result = RefreshResult()
    pairs: set[Pair] = set()
    if top > cursor.last_message_id:
        result.new_messages, message_pairs = _mark_stale_after_messages(cursor.last_message_id, top)
        pairs |= message_pairs
    attributed, order_pairs = orders_attribute(sql=sql)
    result.orders_attributed = attributed
    pairs |= order_pairs
    result.days_recomputed = sales_days_recompute(pairs=pairs, sql=sql, progress=progress)
    result.alerts_raised = sales_alerts_evaluate(pairs=pairs)
    if top > cursor.last_message_id:
        cursor.last_message_id = top
        cursor.save(update_fields=["last_message_id", "updated_at"])
    return result


@transaction.atomic
def sales_recompute_all(
    *, shops: Iterable[Shop] | None = None, sql: bool | None = None, progress: Callable[[int, int], None] | None = None,
) -> RefreshResult:
    """Everything again for some shops (all when None): every order re-attributed, every day recounted.
    For all shops the message cursor moves to the newest message, as everything up to it is counted."""
    _without_jit()
    if shops is None:
        cursor, _created = SalesCursor.objects.get_or_create(name="messages")
        cursor = SalesCursor.objects.select_for_update().get(pk=cursor.pk)
        cursor.last_message_id = ChatMessage.objects.aggregate(top=Max("id"))["top"] or 0
        cursor.save(update_fields=["last_message_id", "updated_at"])
    orders = Order.objects.all()
    messages = ChatMessage.objects.filter(sender=Sender.AGENT)
    if shops is not None:
        shop_ids = [s.pk for s in shops]
        orders = orders.filter(shop_id__in=shop_ids)
        messages = messages.filter(shop_id__in=shop_ids)
    _pending_add(orders)
    attributed, pairs = orders_attribute(sql=sql)
    pairs |= _message_days(messages)
    days = sales_days_recompute(pairs=pairs, sql=sql, progress=progress)
    return RefreshResult(new_messages=0, orders_attributed=attributed, days_recomputed=days)


def _pending_add(orders) -> None:
    """Put these orders (a queryset) on the pending list, once each."""
    if connection.vendor == "postgresql":
        sql, params = orders.values("id").query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(f"INSERT INTO {_PENDING} (order_id) SELECT q.id FROM ({sql}) q ON CONFLICT DO NOTHING", params)
        return
    ids = list(orders.values_list("id", flat=True))
    for start in range(0, len(ids), 900):
        OrderPending.objects.bulk_create([OrderPending(order_id=i) for i in ids[start:start + 900]],
                                         ignore_conflicts=True)


def _message_days(messages) -> set[Pair]:
    if connection.vendor == "postgresql":
        sql, params = messages.values("shop_id", "sent_at").query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT DISTINCT q.shop_id, (q.sent_at AT TIME ZONE 'Asia/Shanghai')::date FROM ({sql}) q", params
            )
            return {(shop_id, day) for shop_id, day in cur.fetchall()}
    return {(shop_id, local_day(sent_at)) for shop_id, sent_at in messages.values_list("shop_id", "sent_at")}


def _mark_stale_after_messages(after_id: int, upto_id: int) -> tuple[int, set[Pair]]:
    """Put on the pending list the orders the new agent messages (after_id, upto_id] may attribute or remind;
    returns how many messages and their (shop, day) pairs."""
    spans: dict[tuple[int, str], list[datetime]] = {}
    count = 0
    pairs: set[Pair] = set()
    rows = (ChatMessage.objects.filter(id__gt=after_id, id__lte=upto_id, sender=Sender.AGENT)
            .values_list("shop_id", "session__buyer", "sent_at"))
    for shop_id, buyer, sent_at in rows.iterator(chunk_size=5000):
        count += 1
        pairs.add((shop_id, local_day(sent_at)))
        span = spans.get((shop_id, buyer))
        if span is None:
            spans[(shop_id, buyer)] = [sent_at, sent_at]
        elif sent_at < span[0]:
            span[0] = sent_at
        elif sent_at > span[1]:
            span[1] = sent_at
    if not spans:
        return 0, pairs
    if connection.vendor == "postgresql":
        items = list(spans.items())
        for start in range(0, len(items), 50_000):
            part = items[start:start + 50_000]
            params: list[Any] = [[k[0] for k, _v in part], [k[1] for k, _v in part], [v[0] for _k, v in part],
                                 [v[1] for _k, v in part], REMINDER_PERIOD, WINDOW, _longest_unpaid()]
            with connection.cursor() as cur:
                cur.execute(
                    f"""
                    -- driven by the (shop, buyer) pairs, each probing the (shop, buyer, created_at) index
                    INSERT INTO {_PENDING} (order_id)
                    SELECT DISTINCT x.id
                      FROM unnest(%s::bigint[], %s::text[], %s::timestamptz[], %s::timestamptz[])
                           AS n(shop_id, buyer, lo, hi)
                     CROSS JOIN LATERAL (
                         SELECT c.id FROM {_ORDER} c
                          WHERE c.shop_id = n.shop_id AND c.buyer = n.buyer
                            AND ((c.created_at >= n.lo - %s AND c.created_at <= n.hi + %s)
                                 OR (c.paid_at > n.lo AND c.created_at < n.hi AND c.created_at >= n.lo - %s))
                     ) x
                    ON CONFLICT DO NOTHING
                    """,
                    params,
                )
    else:
        for (shop_id, buyer), (lo, hi) in spans.items():
            _pending_add(Order.objects.filter(shop_id=shop_id, buyer=buyer).filter(
                Q(created_at__gte=lo - REMINDER_PERIOD, created_at__lte=hi + WINDOW)
                | Q(paid_at__gt=lo, created_at__lt=hi, created_at__gte=lo - _longest_unpaid())
            ))
    return count, pairs


def _longest_unpaid() -> timedelta:
    """How far back a paid order may have been created and a new message still be its reminder (any agent
    message after creation and before payment is one): look back a generous 90 days. An order never paid
    can only be reminded within 24 h of its creation, which the first condition covers."""
    return timedelta(days=90)


@transaction.atomic
def orders_attribute(*, sql: bool | None = None, order_ids: Sequence[int] | None = None) -> tuple[int, set[Pair]]:
    """Attribute every pending order (or the given ones), replacing their `OrderAttribution` rows and taking
    them off the pending list; returns how many and the (shop, day) pairs touched: the days the orders left
    (their previous attribution and reminder) and the days they joined."""
    _without_jit()
    if _postgres(sql):
        count, rows = _attribute_sql(order_ids)
    else:
        chosen = (Order.objects.filter(pending__isnull=False) if order_ids is None
                  else Order.objects.filter(pk__in=order_ids))
        count, rows = _attribute_python(chosen)
    pairs: set[Pair] = set()
    for shop_id, day in rows:
        if day:
            pairs.add((shop_id, day))
    return count, pairs


_TARGET_PENDING = f"SELECT o.id, o.shop_id, o.buyer, o.created_at, o.paid_at FROM {_PENDING} p JOIN {_ORDER} o ON o.id = p.order_id"
_TARGET_IDS = f"SELECT o.id, o.shop_id, o.buyer, o.created_at, o.paid_at FROM {_ORDER} o WHERE o.id = ANY(%(ids)s)"

_ATTRIBUTE_SQL = f"""
WITH target AS (
    {{target}}
), found AS (
    SELECT t.id, t.shop_id, a.id AS a_id, a.agent_code AS a_code, a.agent_id AS a_agent, a.sent_at AS a_at,
           r.id AS r_id, r.agent_code AS r_code, r.sent_at AS r_at, t.paid_at
      FROM target t
      LEFT JOIN LATERAL (
          SELECT m.id, m.agent_code, m.agent_id, m.sent_at
            FROM {_SESSION} s JOIN {_MESSAGE} m ON m.session_id = s.id
           WHERE s.shop_id = t.shop_id AND s.buyer = t.buyer AND m.sender = 'agent'
             AND m.sent_at <= t.created_at AND m.sent_at >= t.created_at - %(window)s
           ORDER BY m.sent_at DESC, m.id DESC LIMIT 1
      ) a ON true
      LEFT JOIN LATERAL (
          SELECT m.id, m.agent_code, m.sent_at
            FROM {_SESSION} s JOIN {_MESSAGE} m ON m.session_id = s.id
           WHERE s.shop_id = t.shop_id AND s.buyer = t.buyer AND m.sender = 'agent'
             AND m.sent_at > t.created_at
             AND CASE WHEN t.paid_at IS NULL THEN m.sent_at <= t.created_at + %(period)s ELSE m.sent_at < t.paid_at END
           ORDER BY m.sent_at, m.id LIMIT 1
      ) r ON true
), inserted AS (
    INSERT INTO {_ATTRIBUTION} (order_id, shop_id, agent_code, agent_id, attributed_at, attributed_day,
                                attributed_message_id, reminder_agent_code, reminded_at, reminder_day,
                                reminder_message_id, reminder_paid)
    SELECT f.id, f.shop_id, COALESCE(f.a_code, ''), CASE WHEN f.a_code <> '' THEN f.a_agent END, f.a_at,
           (f.a_at AT TIME ZONE 'Asia/Shanghai')::date, f.a_id, COALESCE(f.r_code, ''), f.r_at,
           (f.r_at AT TIME ZONE 'Asia/Shanghai')::date, f.r_id, COALESCE(f.paid_at <= f.r_at + %(period)s, false)
      FROM found f
    RETURNING shop_id, attributed_day, reminder_day
)
SELECT count(*), NULL::bigint, NULL::date FROM inserted
UNION ALL
SELECT NULL, shop_id, day FROM (
    SELECT shop_id, attributed_day AS day FROM inserted WHERE attributed_day IS NOT NULL
    UNION SELECT shop_id, reminder_day FROM inserted WHERE reminder_day IS NOT NULL
) days
"""


def _attribute_sql(order_ids: Sequence[int] | None) -> tuple[int, list[tuple[int, date]]]:
    """Three statements in the caller's transaction: the targets' previous rows go (their days returned),
    the new rows go in (one INSERT … SELECT with the look-ups; their distinct days returned), the targets
    leave the pending list."""
    target = _TARGET_PENDING if order_ids is None else _TARGET_IDS
    params: dict = {"window": WINDOW, "period": REMINDER_PERIOD, "ids": list(order_ids or [])}
    with connection.cursor() as cur:
        if order_ids is None:
            # The pending list stays as it is until this transaction ends (imports and the message step wait to
            # add to it), so the three statements below see the same targets.
            cur.execute(f"LOCK TABLE {_PENDING} IN EXCLUSIVE MODE")
        cur.execute(
            f"""WITH target AS ({target}), gone AS (
                    DELETE FROM {_ATTRIBUTION} a USING target t WHERE a.order_id = t.id
                    RETURNING a.shop_id, a.attributed_day, a.reminder_day)
                SELECT shop_id, attributed_day FROM gone WHERE attributed_day IS NOT NULL
                UNION SELECT shop_id, reminder_day FROM gone WHERE reminder_day IS NOT NULL""",
            params,
        )
        left = cur.fetchall()
        cur.execute(_ATTRIBUTE_SQL.format(target=target), params)
        joined = cur.fetchall()
        if order_ids is None:
            cur.execute(f"DELETE FROM {_PENDING}")
        else:
            cur.execute(f"DELETE FROM {_PENDING} WHERE order_id = ANY(%(ids)s)", params)
    count = next(n for n, shop_id, _day in joined if shop_id is None)
    return count, [*left, *[(shop_id, day) for _n, shop_id, day in joined if shop_id is not None]]


def _attribute_python(chosen) -> tuple[int, list[tuple[int, date]]]:
    orders = list(chosen.only("id", "shop_id", "buyer", "created_at", "paid_at", "amount", "refund_amount"))
    by_shop: dict[int, list[Order]] = defaultdict(list)
    for order in orders:
        by_shop[order.shop_id].append(order)
    agent_ids = dict(User.objects.filter(role=Role.AGENT, code__isnull=False).values_list("code", "id"))
    ids = [o.pk for o in orders]
    touched: list[tuple[int, date]] = []
    for start in range(0, len(ids), 900):
        for shop_id, attributed_day, reminder_day in OrderAttribution.objects.filter(
                order_id__in=ids[start:start + 900]).values_list("shop_id", "attributed_day", "reminder_day"):
            touched += [(shop_id, d) for d in (attributed_day, reminder_day) if d]
        OrderAttribution.objects.filter(order_id__in=ids[start:start + 900]).delete()
    rows: list[OrderAttribution] = []
    for shop_id, shop_orders in by_shop.items():
        buyers = {o.buyer for o in shop_orders}
        messages = [
            AgentMessage(buyer=buyer, agent=code or None, sent_at=sent_at, ref=mid)
            for mid, buyer, code, sent_at in ChatMessage.objects.filter(
                shop_id=shop_id, sender=Sender.AGENT, session__buyer__in=buyers
            ).order_by("sent_at", "id").values_list("id", "session__buyer", "agent_code", "sent_at")
        ]
        engine_orders = [
            EngineOrder(str(o.pk), o.buyer, o.created_at, o.paid_at, o.amount, o.refund_amount) for o in shop_orders
        ]
        for order, found in zip(shop_orders, attribute_orders(messages, engine_orders), strict=True):
            row = OrderAttribution(
                order_id=order.pk, shop_id=shop_id,
                agent_code=found.agent or "", agent_id=agent_ids.get(found.agent) if found.agent else None,
                attributed_at=found.attributed_at,
                attributed_day=local_day(found.attributed_at) if found.attributed_at else None,
                attributed_message_id=found.attributed_ref if isinstance(found.attributed_ref, int) else None,
                reminder_agent_code=found.reminder_agent or "", reminded_at=found.reminded_at,
                reminder_day=local_day(found.reminded_at) if found.reminded_at else None,
                reminder_message_id=found.reminder_ref if isinstance(found.reminder_ref, int) else None,
                reminder_paid=found.reminder_paid,
            )
            rows.append(row)
            touched += [(shop_id, d) for d in (row.attributed_day, row.reminder_day) if d]
    OrderAttribution.objects.bulk_create(rows, batch_size=500)
    for start in range(0, len(ids), 900):
        OrderPending.objects.filter(order_id__in=ids[start:start + 900]).delete()
    return len(orders), touched


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=SHANGHAI)
    return start, start + timedelta(days=1)


DAY_BATCH = 400


def sales_days_recompute(
    *, pairs: Iterable[Pair], sql: bool | None = None, progress: Callable[[int, int], None] | None = None
) -> int:
    """Replace the stored rows of these (shop, day) pairs by freshly counted ones; returns how many pairs."""
    ordered = sorted(set(pairs))
    for start in range(0, len(ordered), DAY_BATCH):
        batch = ordered[start:start + DAY_BATCH]
        if _postgres(sql):
            _days_sql(batch)
        else:
            _days_orm(batch)
        if progress:
            progress(min(start + DAY_BATCH, len(ordered)), len(ordered))
    return len(ordered)


_DAYS_SQL = f"""
WITH pairs AS (
    SELECT p.shop_id, p.day, (p.day::timestamp AT TIME ZONE 'Asia/Shanghai') AS lo,
           ((p.day + 1)::timestamp AT TIME ZONE 'Asia/Shanghai') AS hi
      FROM unnest(%(shops)s::bigint[], %(days)s::date[]) AS p(shop_id, day)
), msgs AS (
    -- one range probe of the (shop, sent_at) index per (shop, day)
    SELECT p.shop_id, p.day, x.agent_code, s.buyer
      FROM pairs p
     CROSS JOIN LATERAL (
         SELECT m.session_id, m.agent_code FROM {_MESSAGE} m
          WHERE m.shop_id = p.shop_id AND m.sent_at >= p.lo AND m.sent_at < p.hi AND m.sender = 'agent'
          OFFSET 0
     ) x
      JOIN {_SESSION} s ON s.id = x.session_id
), inq AS (
    SELECT shop_id, day, agent_code, count(DISTINCT buyer) AS n FROM msgs WHERE agent_code <> '' GROUP BY 1, 2, 3
    UNION ALL
    SELECT shop_id, day, '', count(DISTINCT buyer) FROM msgs GROUP BY 1, 2
), sold AS (
    SELECT a.shop_id, a.attributed_day AS day, a.agent_code, o.buyer, o.amount - o.refund_amount AS net
      FROM pairs p JOIN {_ATTRIBUTION} a ON a.shop_id = p.shop_id AND a.attributed_day = p.day
      JOIN {_ORDER} o ON o.id = a.order_id
     WHERE o.paid_at IS NOT NULL
), conv AS (
    SELECT shop_id, day, agent_code, count(DISTINCT buyer) AS n, sum(net) AS sales
      FROM sold WHERE agent_code <> '' GROUP BY 1, 2, 3
    UNION ALL
    SELECT shop_id, day, '', count(DISTINCT buyer), sum(net) FROM sold GROUP BY 1, 2
), reminded AS (
    SELECT a.shop_id, a.reminder_day AS day, a.reminder_agent_code AS agent_code, a.reminder_paid AS paid
      FROM pairs p JOIN {_ATTRIBUTION} a ON a.shop_id = p.shop_id AND a.reminder_day = p.day
), rem AS (
    SELECT shop_id, day, agent_code, count(*) AS n, count(*) FILTER (WHERE paid) AS paid
      FROM reminded WHERE agent_code <> '' GROUP BY 1, 2, 3
    UNION ALL
    SELECT shop_id, day, '', count(*), count(*) FILTER (WHERE paid) FROM reminded GROUP BY 1, 2
)
INSERT INTO {_DAY} (shop_id, day, agent_code, agent_id, inquiring_buyers, converted_buyers, sales, paying_buyers,
                    reminded_orders, reminders_paid)
SELECT k.shop_id, k.day, k.agent_code,
       CASE WHEN k.agent_code <> '' THEN (SELECT u.id FROM {_USER} u WHERE u.code = k.agent_code AND u.role = 'agent') END,
       COALESCE(inq.n, 0), COALESCE(conv.n, 0), COALESCE(conv.sales, 0), COALESCE(conv.n, 0),
       COALESCE(rem.n, 0), COALESCE(rem.paid, 0)
  FROM (SELECT shop_id, day, agent_code FROM inq UNION SELECT shop_id, day, agent_code FROM conv
        UNION SELECT shop_id, day, agent_code FROM rem) k
  LEFT JOIN inq USING (shop_id, day, agent_code)
  LEFT JOIN conv USING (shop_id, day, agent_code)
  LEFT JOIN rem USING (shop_id, day, agent_code)
"""


def _days_sql(batch: Sequence[Pair]) -> None:
    with connection.cursor() as cur:
        # The DELETE in a data-modifying CTE does not see rows it would be inserting: delete first, separately,
        # so the unique constraint never meets an old row.
        cur.execute(
            f"DELETE FROM {_DAY} d USING unnest(%s::bigint[], %s::date[]) AS p(shop_id, day) "
            "WHERE d.shop_id = p.shop_id AND d.day = p.day",
            [[s for s, _d in batch], [d for _s, d in batch]],
        )
        cur.execute(_DAYS_SQL, {"shops": [s for s, _d in batch], "days": [d for _s, d in batch]})


def _days_orm(batch: Sequence[Pair]) -> None:
    agent_ids = dict(User.objects.filter(role=Role.AGENT, code__isnull=False).values_list("code", "id"))
    for shop_id, day in batch:
        SalesDayMetrics.objects.filter(shop_id=shop_id, day=day).delete()
        start, end = _day_bounds(day)
        rows: dict[str, dict] = defaultdict(lambda: {
            "inquiring_buyers": 0, "converted_buyers": 0, "sales": Decimal("0.00"), "paying_buyers": 0,
            "reminded_orders": 0, "reminders_paid": 0,
        })
        messages = ChatMessage.objects.filter(shop_id=shop_id, sender=Sender.AGENT, sent_at__gte=start, sent_at__lt=end)
        shop_count = messages.aggregate(n=Count("session__buyer", distinct=True))["n"]
        if shop_count:
            rows[""]["inquiring_buyers"] = shop_count
            for code, n in (messages.exclude(agent_code="").values_list("agent_code")
                            .annotate(n=Count("session__buyer", distinct=True)).order_by()):
                rows[code]["inquiring_buyers"] = n
        sold = Order.objects.filter(attribution__shop_id=shop_id, attribution__attributed_day=day,
                                    paid_at__isnull=False)
        totals = sold.aggregate(n=Count("buyer", distinct=True), s=Sum("amount"), r=Sum("refund_amount"))
        if totals["n"]:
            rows[""].update(converted_buyers=totals["n"], paying_buyers=totals["n"], sales=totals["s"] - totals["r"])
            for code, n, s, r in (sold.exclude(attribution__agent_code="").values_list("attribution__agent_code")
                                  .annotate(n=Count("buyer", distinct=True), s=Sum("amount"), r=Sum("refund_amount"))
                                  .order_by()):
                rows[code].update(converted_buyers=n, paying_buyers=n, sales=s - r)
        reminded = OrderAttribution.objects.filter(shop_id=shop_id, reminder_day=day)
        count = reminded.count()
        if count:
            rows[""].update(reminded_orders=count, reminders_paid=reminded.filter(reminder_paid=True).count())
            for code, n, n_paid in (reminded.exclude(reminder_agent_code="").values_list("reminder_agent_code")
                                    .annotate(n=Count("pk"), n_paid=Count("pk", filter=Q(reminder_paid=True)))
                                    .order_by()):
                rows[code].update(reminded_orders=n, reminders_paid=n_paid)
        SalesDayMetrics.objects.bulk_create([
            SalesDayMetrics(shop_id=shop_id, day=day, agent_code=code, agent_id=agent_ids.get(code) if code else None,
                            **figures)
            for code, figures in rows.items()
        ])


def sales_alerts_evaluate(*, pairs: Iterable[Pair]) -> int:
    """Raise or refresh a conversion alert on each (shop, day) whose 询单转化率 falls below the target the
    shop's contract sets (an absolute floor, or a share of the shop's own average over the three months
    before that day's month). One alert per shop/day, like the SLA alerts; returns how many were raised."""
    keys = set(pairs)
    if not keys:
        return 0
    rows = SalesDayMetrics.objects.filter(agent_code="", inquiring_buyers__gt=0).filter(
        _pairs_q(keys)).select_related("shop")
    averages: dict[tuple[int, date], float | None] = {}
    raised: list[int] = []
    for row in rows:
        target = conversion_target_for_shop(shop=row.shop, on=row.day)
        if target is None:
            continue
        threshold = target.target
        if target.share_of_average is not None:
            month = row.day.replace(day=1)
            if (row.shop_id, month) not in averages:
                first = month
                for _ in range(3):
                    first = (first - timedelta(days=1)).replace(day=1)
                sums = SalesDayMetrics.objects.filter(shop_id=row.shop_id, agent_code="", day__gte=first,
                                                      day__lt=month).aggregate(c=Sum("converted_buyers"),
                                                                               i=Sum("inquiring_buyers"))
                averages[(row.shop_id, month)] = sums["c"] / sums["i"] if sums["i"] else None
            average = averages[(row.shop_id, month)]
            threshold = average * target.share_of_average if average is not None else None
        if threshold is None:
            continue
        rate = row.converted_buyers / row.inquiring_buyers
        if rate < threshold:
            alert, created = QualityAlert.objects.update_or_create(
                shop_id=row.shop_id, day=row.day, metric=QualityAlert.Metric.CONVERSION,
                defaults={"level": QualityAlert.Level.BREACH, "value": rate, "threshold": threshold,
                          "source": "contract"})
            if created:
                raised.append(alert.pk)
    if raised:
        # through the users' notification rules, like the SLA alerts (each alert at most once per rule)
        transaction.on_commit(lambda: task_queue(name=ALERTS_NOTIFY_TASK, kwargs={"alert_ids": raised}))
    return len(raised)


def _pairs_q(keys: set[Pair]) -> Q:
    by_shop: dict[int, set[date]] = defaultdict(set)
    for shop_id, day in keys:
        by_shop[shop_id].add(day)
    condition = Q(pk__in=[])
    for shop_id, days in by_shop.items():
        condition |= Q(shop_id=shop_id, day__in=sorted(days))
    return condition
