"""The chat-message table partitioned by month (PostgreSQL declarative partitioning).

A busy agency writes millions of messages a month, and every read the product makes is bounded by time (a
month's report, a day's metrics, a window's re-scan, the retention period). Partitioning the message table by
the month of `sent_at` (Asia/Shanghai) lets PostgreSQL skip the months a query does not touch, keeps each
month's indexes small enough to stay in memory, and lets retention drop a whole month at once instead of
deleting row by row.

Layout on PostgreSQL:
- `compliance_chatmessage` is a partitioned table (RANGE on `sent_at`), primary key `(id, sent_at)`, the
  per-shop message id unique together with `sent_at` (a unique key of a partitioned table must hold the
  partition key; the import keeps `(shop, external_id)` unique itself);
- one partition per month, `compliance_chatmessage_p2026_11`, holding `[2026-11-01 00:00+08, 2026-12-01
  00:00+08)`, created ahead of time by the beat task `compliance.messages_partitions_ensure` and on demand
  by the import for the months of its file;
- a default partition, `compliance_chatmessage_default`, so that no insert ever fails for want of a
  partition; `messages_partitions_ensure` moves any month found there into its own partition.

Tables that point at messages (hits, turns, auto-QA deductions) keep the reference in the application
(`db_constraint=False`): a single-column foreign key cannot name the `(id, sent_at)` key.

SQLite (the embedded default) has no partitions: every function here is a no-op there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connections, transaction
from django.utils import timezone

from compliance.sessions.models import ChatMessage

MESSAGES = ChatMessage._meta.db_table
DEFAULT_PARTITION = f"{MESSAGES}_default"
UNPARTITIONED = f"{MESSAGES}_unpartitioned"


@dataclass(frozen=True)
class Partition:
    name: str
    month: date | None  # None for the default partition
    rows_estimate: int


def _postgres(using: str) -> bool:
    return connections[using].vendor == "postgresql"


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def partition_name(month: date) -> str:
    return f"{MESSAGES}_p{month.year:04d}_{month.month:02d}"


def _bound(month: date) -> str:
    """A month's first instant in the project's time zone, as a literal PostgreSQL reads unambiguously."""
    start = timezone.make_aware(datetime(month.year, month.month, 1))
    return start.isoformat()


def messages_partitioned(*, using: str = "default") -> bool:
    if not _postgres(using):
        return False
    with connections[using].cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [MESSAGES])
        row = cur.fetchone()
    return bool(row and row[0] == "p")


@transaction.atomic
def messages_table_partition(*, using: str = "default", months_ahead: int = 3) -> bool:
    """Turn the plain message table into the partitioned one, keeping every row, id, index and reference
    it holds. Returns False (and does nothing) on SQLite or when it is partitioned already. Runs in the
    migration and, for the test database (built from the models), once per test session."""
    if not _postgres(using) or messages_partitioned(using=using):
        return False
    with connections[using].cursor() as cur:
        # References to the messages are kept by the application (see the models): drop what the
        # database still has, so that the old table can go.
        cur.execute(
            "SELECT conname, conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [MESSAGES],
        )
        for name, table in cur.fetchall():
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        # The old table's own references (to its session and rule set), and its plain indexes.
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            [MESSAGES],
        )
        references = cur.fetchall()
        cur.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid), c.contype
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
               WHERE x.indrelid = %s::regclass""",
            [MESSAGES],
        )
        indexes = cur.fetchall()
        cur.execute(f"ALTER TABLE {MESSAGES} RENAME TO {UNPARTITIONED}")
        for name, _definition, _kind in indexes:
            cur.execute(f'ALTER INDEX "{name}" RENAME TO "{name[:50]}_unpart"')
        cur.execute(
            f"CREATE TABLE {MESSAGES} (LIKE {UNPARTITIONED} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE) "
            "PARTITION BY RANGE (sent_at)"
        )
        for name, definition, kind in indexes:
            if kind == "p":
                cur.execute(f'ALTER TABLE {MESSAGES} ADD CONSTRAINT "{name}" PRIMARY KEY (id, sent_at)')
            elif kind == "u":
                cur.execute(f'ALTER TABLE {MESSAGES} ADD CONSTRAINT "{name}" UNIQUE (shop_id, external_id, sent_at)')
            else:
                on_old = definition.split(" ON ", 1)[1]
                columns_and_rest = on_old.split(" USING ", 1)[1]
                cur.execute(f'CREATE INDEX "{name}" ON {MESSAGES} USING {columns_and_rest}')
        for name, definition in references:
            cur.execute(f'ALTER TABLE {MESSAGES} ADD CONSTRAINT "{name}" {definition}')
        cur.execute(f"CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {MESSAGES} DEFAULT")
        cur.execute(
            f"SELECT DISTINCT date_trunc('month', sent_at AT TIME ZONE %s)::date FROM {UNPARTITIONED}",
            [str(timezone.get_current_timezone())],
        )
        months = {row[0] for row in cur.fetchall()}
        months |= set(_months_around(timezone.localdate(), ahead=months_ahead))
        for month in sorted(months):
            _create_partition(cur, month)
        cur.execute(f"INSERT INTO {MESSAGES} SELECT * FROM {UNPARTITIONED}")
        cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {UNPARTITIONED}")
        restart = cur.fetchone()[0]
        cur.execute(f"ALTER TABLE {MESSAGES} ALTER COLUMN id RESTART WITH {int(restart)}")
        cur.execute(f"DROP TABLE {UNPARTITIONED}")
    return True


def _months_around(today: date, *, ahead: int) -> list[date]:
    months = [month_start(today)]
    for _ in range(ahead):
        months.append(next_month(months[-1]))
    return months


def _create_partition(cur, month: date) -> bool:
    name = partition_name(month)
    cur.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
    if cur.fetchone()[0]:
        return False
    low, high = _bound(month), _bound(next_month(month))
    # Rows of this month already in the default partition move into the new one (PostgreSQL refuses to
    # create a partition whose range the default partition holds rows of).
    cur.execute(f"SELECT 1 FROM {DEFAULT_PARTITION} WHERE sent_at >= %s AND sent_at < %s LIMIT 1", [low, high])
    if cur.fetchone():
        cur.execute(f"CREATE TABLE {name} (LIKE {MESSAGES} INCLUDING DEFAULTS INCLUDING STORAGE)")
        cur.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE sent_at >= %s AND sent_at < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [low, high],
        )
        cur.execute(f"ALTER TABLE {MESSAGES} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [low, high])
    else:
        cur.execute(f"CREATE TABLE {name} PARTITION OF {MESSAGES} FOR VALUES FROM (%s) TO (%s)", [low, high])
    return True


def messages_partitions_ensure(
    *, months: Iterable[date] = (), ahead: int = 3, using: str = "default"
) -> list[str]:
    """Create the partitions of `months`, of this month and `ahead` months after it, and of every month
    found in the default partition. Returns the names created. Idempotent; a no-op off PostgreSQL."""
    if not messages_partitioned(using=using):
        return []
    wanted = {month_start(m) for m in months} | set(_months_around(timezone.localdate(), ahead=ahead))
    created: list[str] = []
    with transaction.atomic(using=using), connections[using].cursor() as cur:
        cur.execute(
            f"SELECT DISTINCT date_trunc('month', sent_at AT TIME ZONE %s)::date FROM {DEFAULT_PARTITION}",
            [str(timezone.get_current_timezone())],
        )
        wanted |= {row[0] for row in cur.fetchall()}
        for month in sorted(wanted):
            if _create_partition(cur, month):
                created.append(partition_name(month))
    return created


def messages_partitions_cover(*, first: datetime | None, last: datetime | None, using: str = "default") -> list[str]:
    """Partitions for every month from `first` to `last` (an import calls this before it inserts)."""
    if first is None or last is None or not messages_partitioned(using=using):
        return []
    months = []
    month = month_start(timezone.localtime(first).date())
    end = month_start(timezone.localtime(last).date())
    while month <= end:
        months.append(month)
        month = next_month(month)
    return messages_partitions_ensure(months=months, ahead=0, using=using)


def messages_partitions(*, using: str = "default") -> list[Partition]:
    """The partitions with the planner's row estimates (cheap: no count)."""
    if not messages_partitioned(using=using):
        return []
    with connections[using].cursor() as cur:
        cur.execute(
            """SELECT c.relname, c.reltuples::bigint FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = %s::regclass ORDER BY c.relname""",
            [MESSAGES],
        )
        rows = cur.fetchall()
    result = []
    prefix = f"{MESSAGES}_p"
    for name, estimate in rows:
        month = None
        if name.startswith(prefix):
            year, mon = name[len(prefix):].split("_")
            month = date(int(year), int(mon), 1)
        result.append(Partition(name=name, month=month, rows_estimate=max(int(estimate), 0)))
    return result


def messages_partitions_drop_before(*, month: date, using: str = "default") -> tuple[list[date], int]:
    """Retention: drop the partition of every month before `month` (instant, whatever its size, and nothing
    left for vacuum) and delete the default partition's rows older than `month`. Returns the months dropped
    and the rows deleted from the default partition. A no-op off PostgreSQL (the caller deletes rows)."""
    if not messages_partitioned(using=using):
        return [], 0
    dropped = [p for p in messages_partitions(using=using) if p.month is not None and p.month < month]
    with transaction.atomic(using=using), connections[using].cursor() as cur:
        # Deferred reference checks of rows written earlier in the same transaction must run before a table
        # they concern can go (PostgreSQL refuses to drop a table with pending trigger events).
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for partition in dropped:
            cur.execute(f"DROP TABLE {partition.name}")
        cur.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE sent_at < %s", [_bound(month)])
        deleted = cur.rowcount
    return [p.month for p in dropped if p.month is not None], max(deleted, 0)


SEARCH_INDEX = "message_text_trgm"


def messages_search_index_ensure(*, using: str = "default") -> bool:
    """PostgreSQL: a trigram index (pg_trgm, GIN) on the message text, so that a search for a phrase of three
    or more characters reads the index instead of every message. Created on the partitioned table, it
    exists on every month's partition. Returns True when it was created; a no-op on SQLite."""
    if not _postgres(using):
        return False
    with connections[using].cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [SEARCH_INDEX])
        if cur.fetchone()[0]:
            return False
        cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cur.execute(f"CREATE INDEX {SEARCH_INDEX} ON {MESSAGES} USING gin (text gin_trgm_ops)")
    return True


ANALYZE_AFTER_ROWS = 10_000


def messages_partitions_analyze_stale(*, min_rows: int = ANALYZE_AFTER_ROWS, using: str = "default") -> list[str]:
    """ANALYZE the message partitions that changed by more than `min_rows` rows (or a tenth of their size)
    since their last statistics. A large import calls it before the scan starts: autovacuum would analyze
    them too, but later, and until then the planner takes a month of new rows for an empty partition (the
    scan's chunk query then sorted every pending row instead of reading the index in order: 2 s a chunk,
    not 7 ms). Returns the partitions analyzed."""
    if not messages_partitioned(using=using):
        return []
    with connections[using].cursor() as cur:
        cur.execute(
            """SELECT s.relname FROM pg_stat_user_tables s JOIN pg_inherits i ON i.inhrelid = s.relid
               WHERE i.inhparent = %s::regclass
                 AND s.n_mod_since_analyze > greatest(%s, (SELECT c.reltuples FROM pg_class c WHERE c.oid = s.relid) / 10)""",
            [MESSAGES, min_rows],
        )
        stale = [row[0] for row in cur.fetchall()]
        for name in stale:
            cur.execute(f"ANALYZE {name}")
    return stale
