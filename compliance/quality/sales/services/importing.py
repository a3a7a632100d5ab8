"""Importing a shop's order export (contracts §8): all or nothing per file, re-imports update, never duplicate.

- Every row is checked first (`compliance.quality.sales.engine.orderfile`); a file with any bad row writes
  nothing and the caller gets every bad row (`OrderImportError.errors`).
- Order ids are unique per shop. A row for an order already stored updates it when anything differs (paid
  later, refunded, corrected), and records an `OrderChange` (field → [old, new]) stamped with the moment
  the change arrived; an identical row changes nothing. A new order records its creation the same way.
- Created or changed orders go on the pending list (`OrderPending`); after commit the sales refresh re-attributes them and
  recomputes the days they left and joined (a refund moves the figures of the day the sale belongs to).
- PostgreSQL: under a lock on the shop's row, the checked rows go by binary COPY into a temporary table,
  and three set-based statements record the changes, update the changed orders and insert the new ones.
  Elsewhere (SQLite in development) the ORM does the same in chunks. Tests hold the two to the same rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from agency.models import Job, User
from agency.services import audit_record, job_start, task_queue
from clients.models import Shop
from compliance.quality.sales.engine.orderfile import FileFormatError, OrderRow, RowError, parse_orders
from compliance.quality.sales.models import Order, OrderChange, OrderPending

log = logging.getLogger(__name__)

CHUNK = 900
FIELDS = ("buyer", "created_at", "paid_at", "amount", "refund_amount")


class OrderImportError(Exception):
    """The file was not imported; `errors` lists every bad row (line, field, why)."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s); nothing was imported")

    def as_dicts(self) -> list[dict]:
        return [e.as_dict() for e in self.errors]


@dataclass
class OrderImportResult:
    shop: str
    rows: int
    orders_created: int
    orders_updated: int
    orders_unchanged: int

    def as_dict(self) -> dict:
        return asdict(self)


def orders_import_file(
    *, shop: Shop, data: bytes, fmt: str, by: User | None = None,
    progress: Callable[[float, str], None] | None = None, refresh: bool = True,
) -> OrderImportResult:
    """Parse and import one order file; raises OrderImportError (nothing written) when any row is bad."""
    try:
        parsed = parse_orders(data, fmt)
    except FileFormatError as exc:
        text = str(exc)
        line = 1 if text.startswith("line 1") else 0
        raise OrderImportError([RowError(line, "", text.removeprefix("line 1: "))]) from None
    if parsed.errors:
        raise OrderImportError(parsed.errors)
    if not parsed.rows:
        raise OrderImportError([RowError(0, "", "the file holds no orders")])
    if progress:
        progress(0.3, f"{len(parsed.rows)} rows valid")
    return orders_import_rows(shop=shop, rows=parsed.rows, by=by, refresh=refresh)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@transaction.atomic
def orders_import_rows(
    *, shop: Shop, rows: Sequence[OrderRow], by: User | None = None, refresh: bool = True, fast: bool | None = None
) -> OrderImportResult:
    """Store checked rows of one shop in one transaction (module docstring); `fast=False` forces the ORM path."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    now = timezone.now()
    use_sql = connection.vendor == "postgresql" if fast is None else fast
    created, updated = (_write_postgres if use_sql else _write_orm)(shop, rows, now)
    result = OrderImportResult(
        shop=shop.code, rows=len(rows), orders_created=created, orders_updated=updated,
        orders_unchanged=len(rows) - created - updated,
    )
    audit_record(actor=by, verb="orders.import", target=shop, merchant_id=shop.merchant_id, data=result.as_dict())
    if refresh and (created or updated):
        transaction.on_commit(_queue_refresh)
    return result


def _queue_refresh() -> None:
    try:
        task_queue(name="quality.sales_refresh")
    except Exception:  # the broker being down must not fail a committed import; beat catches up
        log.warning("could not queue the sales refresh; the next scheduled run will do it", exc_info=True)


def _chunks(items: Sequence, size: int = CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write_orm(shop: Shop, rows: Sequence[OrderRow], now: datetime) -> tuple[int, int]:
    existing: dict[str, Order] = {}
    for chunk in _chunks([r.order_id for r in rows]):
        existing.update((o.external_id, o) for o in Order.objects.filter(shop=shop, external_id__in=chunk))
    new_orders: list[Order] = []
    changed: list[Order] = []
    changes: list[OrderChange] = []
    for row in rows:
        order = existing.get(row.order_id)
        if order is None:
            new_orders.append(Order(
                shop=shop, external_id=row.order_id, buyer=row.buyer, created_at=row.created_at,
                paid_at=row.paid_at, amount=row.amount, refund_amount=row.refund_amount, changed_at=now,
            ))
            continue
        diff = {}
        for name in FIELDS:
            old, new = getattr(order, name), getattr(row, name)
            if old != new:
                diff[name] = [_json_value(old), _json_value(new)]
                setattr(order, name, new)
        if diff:
            order.changed_at = now
            changed.append(order)
            changes.append(OrderChange(order=order, arrived_at=now, created=False, changes=diff))
    Order.objects.bulk_create(new_orders, batch_size=500)
    if changed:
        Order.objects.bulk_update(changed, [*FIELDS, "changed_at"], batch_size=500)
    OrderPending.objects.bulk_create([OrderPending(order_id=o.pk) for o in [*new_orders, *changed]], batch_size=500,
                                     ignore_conflicts=True)
    for order in new_orders:
        changes.append(OrderChange(order=order, arrived_at=now, created=True, changes={
            name: [None, _json_value(getattr(order, name))] for name in FIELDS if getattr(order, name) is not None
        }))
    OrderChange.objects.bulk_create(changes, batch_size=500)
    return len(new_orders), len(changed)


_ORDER = Order._meta.db_table
_CHANGE = OrderChange._meta.db_table
_PENDING = OrderPending._meta.db_table


def _diff_json(old: str, new: str) -> str:
    """SQL for the jsonb {field: [old, new]} of the fields that differ between two row aliases."""
    parts = []
    for name in FIELDS:
        cast = "::text" if name in ("amount", "refund_amount") else ""
        parts.append(
            f"'{name}', CASE WHEN {old}.{name} IS DISTINCT FROM {new}.{name} "
            f"THEN jsonb_build_array(to_jsonb({old}.{name}{cast}), to_jsonb({new}.{name}{cast})) END"
        )
    return f"jsonb_strip_nulls(jsonb_build_object({', '.join(parts)}))"


def _write_postgres(shop: Shop, rows: Sequence[OrderRow], now: datetime) -> tuple[int, int]:
    with connection.cursor() as wrapper:
        cur = wrapper.cursor  # psycopg 3 underneath Django's wrapper
        cur.execute("SET LOCAL TimeZone = 'UTC'")  # the change history's times in UTC, as the ORM path writes them
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS order_import_stage (external_id text, buyer text, "
            "created_at timestamptz, paid_at timestamptz, amount numeric(12, 2), refund_amount numeric(12, 2)) "
            "ON COMMIT DELETE ROWS"
        )
        cur.execute("TRUNCATE order_import_stage")
        columns = "external_id, buyer, created_at, paid_at, amount, refund_amount"
        with cur.copy(f"COPY order_import_stage ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["text", "text", "timestamptz", "timestamptz", "numeric", "numeric"])
            for r in rows:
                copy.write_row((r.order_id, r.buyer, r.created_at, r.paid_at, r.amount, r.refund_amount))
        distinct = " OR ".join(f"o.{name} IS DISTINCT FROM s.{name}" for name in FIELDS)
        cur.execute(
            f"INSERT INTO {_CHANGE} (order_id, arrived_at, created, changes) "
            f"SELECT o.id, %s, false, {_diff_json('o', 's')} FROM {_ORDER} o JOIN order_import_stage s "
            f"ON o.shop_id = %s AND o.external_id = s.external_id WHERE {distinct}",
            [now, shop.pk],
        )
        assignments = ", ".join(f"{name} = s.{name}" for name in FIELDS)
        cur.execute(
            f"WITH changed AS (UPDATE {_ORDER} o SET {assignments}, changed_at = %s FROM order_import_stage s "
            f"WHERE o.shop_id = %s AND o.external_id = s.external_id AND ({distinct}) RETURNING o.id), "
            f"queued AS (INSERT INTO {_PENDING} (order_id) SELECT id FROM changed ON CONFLICT DO NOTHING) "
            "SELECT count(*) FROM changed",
            [now, shop.pk],
        )
        updated = cur.fetchone()[0]
        cur.execute(
            f"""
            WITH inserted AS (
                INSERT INTO {_ORDER} (shop_id, external_id, buyer, created_at, paid_at, amount, refund_amount,
                                      imported_at, changed_at)
                SELECT %s, s.external_id, s.buyer, s.created_at, s.paid_at, s.amount, s.refund_amount, %s, %s
                  FROM order_import_stage s
                 WHERE NOT EXISTS (SELECT 1 FROM {_ORDER} o WHERE o.shop_id = %s AND o.external_id = s.external_id)
                RETURNING *
            ), queued AS (
                INSERT INTO {_PENDING} (order_id) SELECT id FROM inserted
            )
            INSERT INTO {_CHANGE} (order_id, arrived_at, created, changes)
            SELECT n.id, %s, true, {_diff_json('z', 'n')}
              FROM inserted n
              LEFT JOIN (SELECT NULL::text AS buyer, NULL::timestamptz AS created_at, NULL::timestamptz AS paid_at,
                                NULL::numeric AS amount, NULL::numeric AS refund_amount) z ON true
            """,
            [shop.pk, now, now, shop.pk, now],
        )
        created = cur.rowcount
        cur.execute("TRUNCATE order_import_stage")
    return created, updated


def orders_import_enqueue(*, shop: Shop, chunks: Iterable[bytes], fmt: str, filename: str, by: User | None) -> Job:
    """Keep an uploaded order file and import it as a background Job (progress at /jobs/<id>/)."""
    return job_start(
        task="quality.import_orders_file", kind="quality.orders_import",
        title=f"导入订单 {shop.code} · {filename[:80]}", created_by=by, merchant_id=shop.merchant_id,
        upload=chunks, upload_suffix=f".{fmt}",
        kwargs={"shop_id": shop.pk, "fmt": fmt, "user_id": by.pk if by is not None and by.is_authenticated else None},
    )
