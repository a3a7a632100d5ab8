"""Importing chat sessions (contracts §4): all-or-nothing per file, idempotent, fast on PostgreSQL.

- Every row is validated first (`compliance.sessions.sessionfile`); a file with any bad row writes nothing and the
  caller gets every bad row (`SessionImportError.errors`).
- Message ids are unique per shop: a message already stored is skipped, so importing the same file again
  adds nothing. A session already stored keeps its id; its start/end widen to cover new messages.
- Agent codes map to `User.code`. An unknown code is kept in `agent_code` with `agent` left empty, so
  nothing is lost and the message links up once someone fixes the code (`messages_link_agents`).
- PostgreSQL: one transaction holding the shop's row lock (imports of one shop run one at a time), with
  `synchronous_commit = off` (see `_commit_without_waiting_for_flush`).
  CSV files first try the fast path (`compliance.sessions.services.csv_sql`): the file is COPYed into a temporary
  table and checked, upserted and inserted in set-based SQL, with no Python object per row. It accepts
  only files it can vouch for (the Python validator's rules or stricter); any other file is rolled back
  to a savepoint and goes through the Python path below, which names every bad row.
  Python path (JSON lines, XLSX, CSV the fast path declined): rows validated in Python, sessions through a
  temporary table and one `INSERT … ON CONFLICT … DO UPDATE`, new messages streamed with binary `COPY`.
  Either way the unique constraint stays the safety net: a conflict aborts the whole file.
  SQLite (development) validates in Python and uses bulk_create in the same transaction.
- New messages are left unscanned (`scanned_ruleset` null); after commit the scan task picks them up.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import IO, cast

from django.db import connection, transaction
from django.db.models import QuerySet

from agency.models import Job, Role, User
from agency.services import audit_record, job_start, task_queue
from clients.models import Shop
from compliance.sessions.models import ChatMessage, ChatSession
from compliance.sessions.services.csv_sql import csv_load
from compliance.sessions.services.partitions import messages_partitions_cover
from compliance.sessions.sessionfile import FileFormatError, MessageRow, RowError, check_upload, parse_file

log = logging.getLogger(__name__)

CHUNK = 900  # stays under SQLite's bound-parameter limit in IN (...) lookups


class SessionImportError(Exception):
    """The file was not imported; `errors` lists every bad row (line, field, why)."""

    def __init__(self, errors: Sequence[RowError]):
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} problem(s); nothing was imported")

    def as_dicts(self) -> list[dict]:
        return [e.as_dict() for e in self.errors]


@dataclass
class ImportResult:
    shop: str
    rows: int
    sessions_created: int
    sessions_updated: int
    messages_created: int
    messages_skipped: int
    unknown_agents: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def sessions_import_file(
    *, shop: Shop, data: bytes, fmt: str, by: User | None = None, scan: bool = True,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Parse and import one file; raises SessionImportError (nothing written) when any row is bad."""
    if fmt == "csv" and connection.vendor == "postgresql":
        result = _import_csv_sql(shop=shop, data=data, by=by, scan=scan)
        if result is not None:
            return result
    with _gc_paused():
        return _import_file(shop=shop, data=data, fmt=fmt, by=by, scan=scan, progress=progress)


@contextmanager
def _gc_paused():
    """A million rows are a million small objects that all stay alive until the end: the cyclic GC would
    walk them again and again (about 40% of the import's Python time) and can free none of them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _import_file(*, shop, data, fmt, by, scan, progress) -> ImportResult:
    try:
        parsed = parse_file(data, fmt)
    except FileFormatError as exc:
        text = str(exc)
        line = 1 if text.startswith("line 1") else 0
        raise SessionImportError([RowError(line, "", text.removeprefix("line 1: "))]) from None
    if parsed.errors:
        raise SessionImportError(parsed.errors)
    if not parsed.rows:
        raise SessionImportError([RowError(0, "", "the file holds no messages")])
    if progress:
        progress(0.3, f"{len(parsed.rows)} rows valid")
    return sessions_import_rows(shop=shop, rows=parsed.rows, by=by, scan=scan)


@transaction.atomic
def sessions_import_rows(
    *, shop: Shop, rows: Sequence[MessageRow], by: User | None = None, scan: bool = True
) -> ImportResult:
    """Store validated rows for one shop in one transaction (see the module docstring)."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    spans: dict[str, list] = {}
    for row in rows:
        span = spans.get(row.session_id)
        if span is None:
            spans[row.session_id] = [row.buyer, row.sent_at, row.sent_at]
        elif row.sent_at < span[1]:
            span[1] = row.sent_at
        elif row.sent_at > span[2]:
            span[2] = row.sent_at
    codes = {row.agent for row in rows if row.agent}
    agent_ids = dict(
        cast("QuerySet[User, tuple[str, int]]",  # code__in leaves no null codes
             User.objects.filter(code__in=codes, role=Role.AGENT).values_list("code", "id"))
    ) if codes else {}
    if connection.vendor == "postgresql":
        _commit_without_waiting_for_flush()
        if spans:
            messages_partitions_cover(
                first=min(span[1] for span in spans.values()), last=max(span[2] for span in spans.values())
            )
        writer = _write_postgres
    else:
        writer = _write_orm
    created_s, updated_s, created_m = writer(shop, spans, rows, agent_ids)
    result = ImportResult(
        shop=shop.code, rows=len(rows), sessions_created=created_s, sessions_updated=updated_s,
        messages_created=created_m, messages_skipped=len(rows) - created_m,
        unknown_agents=sorted(codes - agent_ids.keys()),
    )
    return _imported(shop, result, by=by, scan=scan)


@transaction.atomic
def _import_csv_sql(*, shop: Shop, data: bytes, by: User | None, scan: bool) -> ImportResult | None:
    """PostgreSQL parses, checks and writes a CSV file (`compliance.sessions.services.csv_sql`); None when that
    path cannot vouch for the file, which then goes through the Python validator (it names bad rows)."""
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    _commit_without_waiting_for_flush()
    loaded = csv_load(shop_id=shop.pk, data=data)
    if loaded is None:
        return None
    result = ImportResult(
        shop=shop.code, rows=loaded.rows, sessions_created=loaded.sessions_created,
        sessions_updated=loaded.sessions_updated, messages_created=loaded.messages_created,
        messages_skipped=loaded.rows - loaded.messages_created, unknown_agents=loaded.unknown_agents,
    )
    return _imported(shop, result, by=by, scan=scan)


def _commit_without_waiting_for_flush() -> None:
    """`synchronous_commit = off` for this transaction only: its commit returns before the WAL reaches the
    disk. Losing the last moments of commits in a server crash is acceptable here because an import is
    all-or-nothing and idempotent: importing the same file again restores exactly what was lost."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _imported(shop: Shop, result: ImportResult, *, by: User | None, scan: bool) -> ImportResult:
    audit_record(actor=by, verb="sessions.import", target=shop, merchant_id=shop.merchant_id, data=result.as_dict())
    if scan and result.messages_created:
        shop_id = shop.pk
        transaction.on_commit(lambda: _queue_scan(shop_id))
    return result


def _queue_scan(shop_id: int) -> None:
    """Queue the scan of the new messages. The import is already committed: if the broker is down, say so
    and carry on; the nightly scan picks up every message still unscanned."""
    try:
        task_queue(name="compliance.scan_new_messages", kwargs={"shop_id": shop_id})
    except Exception:  # kombu/redis raise many kinds of connection errors
        log.warning("could not queue the scan of shop %s; the nightly scan will do it", shop_id, exc_info=True)


def messages_link_agents(*, codes: Sequence[str] | None = None) -> int:
    """Link messages whose agent code now matches an agent user (after an unknown code was fixed)."""
    agents = User.objects.filter(role=Role.AGENT, code__isnull=False)
    if codes is not None:
        agents = agents.filter(code__in=codes)
    linked = 0
    for code, user_id in agents.values_list("code", "id"):
        linked += ChatMessage.objects.filter(agent_code=code, agent__isnull=True).update(agent_id=user_id)
    return linked


# --- SQLite / generic path ------------------------------------------------------------------------------

def _chunks(items: Sequence, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _write_orm(shop: Shop, spans: dict[str, list], rows: Sequence[MessageRow], agent_ids: dict[str, int]):
    session_ids: dict[str, int] = {}
    to_update: list[ChatSession] = []
    for chunk in _chunks(list(spans)):
        for session in ChatSession.objects.filter(shop=shop, external_id__in=chunk).only("id", "external_id", "started_at", "ended_at"):
            session_ids[session.external_id] = session.pk
            _buyer, first, last = spans[session.external_id]
            if first < session.started_at or last > session.ended_at:
                session.started_at = min(first, session.started_at)
                session.ended_at = max(last, session.ended_at)
                to_update.append(session)
    new_sessions = [
        ChatSession(shop=shop, external_id=sid, buyer=buyer, started_at=first, ended_at=last)
        for sid, (buyer, first, last) in spans.items() if sid not in session_ids
    ]
    ChatSession.objects.bulk_create(new_sessions, batch_size=500)
    if to_update:
        ChatSession.objects.bulk_update(to_update, ["started_at", "ended_at"], batch_size=500)
    for chunk in _chunks([s.external_id for s in new_sessions]):
        session_ids.update(ChatSession.objects.filter(shop=shop, external_id__in=chunk).values_list("external_id", "id"))
    existing: set[str] = set()
    if ChatMessage.objects.filter(shop=shop).exists():
        for chunk in _chunks([r.message_id for r in rows]):
            existing.update(ChatMessage.objects.filter(shop=shop, external_id__in=chunk).values_list("external_id", flat=True))
    new_messages = [
        ChatMessage(
            session_id=session_ids[r.session_id], shop=shop, external_id=r.message_id, sender=r.sender,
            agent_code=r.agent, agent_id=agent_ids.get(r.agent), sent_at=r.sent_at, text=r.text,
        )
        for r in rows if r.message_id not in existing
    ]
    ChatMessage.objects.bulk_create(new_messages, batch_size=500)
    return len(new_sessions), len(to_update), len(new_messages)


# --- PostgreSQL path ----------------------------------------------------------------------------------

_SESSION_TABLE = ChatSession._meta.db_table
_MESSAGE_TABLE = ChatMessage._meta.db_table


def _write_postgres(shop: Shop, spans: dict[str, list], rows: Sequence[MessageRow], agent_ids: dict[str, int]):
    with connection.cursor() as wrapper:
        cur = wrapper.cursor  # the psycopg 3 cursor underneath Django's wrapper
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS import_session_stage "
            "(external_id text, buyer text, started_at timestamptz, ended_at timestamptz) ON COMMIT DELETE ROWS"
        )
        cur.execute("TRUNCATE import_session_stage")
        stage = "COPY import_session_stage (external_id, buyer, started_at, ended_at) FROM STDIN (FORMAT BINARY)"
        with cur.copy(stage) as copy:
            copy.set_types(["text", "text", "timestamptz", "timestamptz"])
            for sid, (buyer, first, last) in spans.items():
                copy.write_row((sid, buyer, first, last))
        cur.execute(
            f"""
            INSERT INTO {_SESSION_TABLE} AS s (shop_id, external_id, buyer, started_at, ended_at, imported_at)
            SELECT %s, external_id, buyer, started_at, ended_at, now() FROM import_session_stage
            ON CONFLICT (shop_id, external_id) DO UPDATE
               SET started_at = LEAST(s.started_at, EXCLUDED.started_at),
                   ended_at = GREATEST(s.ended_at, EXCLUDED.ended_at)
             WHERE EXCLUDED.started_at < s.started_at OR EXCLUDED.ended_at > s.ended_at
            RETURNING (xmax = 0)
            """,
            [shop.pk],
        )
        flags = [inserted for (inserted,) in cur.fetchall()]
        created_s = sum(1 for f in flags if f)
        updated_s = len(flags) - created_s
        cur.execute(
            f"SELECT s.external_id, s.id FROM {_SESSION_TABLE} s JOIN import_session_stage t "
            "ON s.external_id = t.external_id WHERE s.shop_id = %s",
            [shop.pk],
        )
        session_ids = dict(cur.fetchall())

        existing: set[str] = set()
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {_MESSAGE_TABLE} WHERE shop_id = %s)", [shop.pk])
        if cur.fetchone()[0]:
            ids = [r.message_id for r in rows]
            for start in range(0, len(ids), 50_000):
                cur.execute(
                    f"SELECT external_id FROM {_MESSAGE_TABLE} WHERE shop_id = %s AND external_id = ANY(%s)",
                    [shop.pk, ids[start:start + 50_000]],
                )
                existing.update(x for (x,) in cur.fetchall())

        shop_id = shop.pk
        created_m = 0
        columns = "session_id, shop_id, external_id, sender, agent_code, agent_id, sent_at, text"
        with cur.copy(f"COPY {_MESSAGE_TABLE} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int8", "varchar", "varchar", "varchar", "int8", "timestamptz", "text"])
            write_row = copy.write_row
            get_agent = agent_ids.get
            for r in rows:
                if r.message_id in existing:
                    continue
                write_row((session_ids[r.session_id], shop_id, r.message_id, r.sender, r.agent,
                           get_agent(r.agent), r.sent_at, r.text))
                created_m += 1
        cur.execute("TRUNCATE import_session_stage")
    return created_s, updated_s, created_m



def sessions_upload_check(*, stream: IO[bytes], size: int, fmt: str) -> None:
    """What a web request checks before it queues a file: size, row count and, for XLSX, the workbook's
    claims (`sessionfile.check_upload`), all without parsing. Raises SessionImportError naming the limit."""
    try:
        check_upload(stream, size=size, fmt=fmt)
    except FileFormatError as exc:
        raise SessionImportError([RowError(0, "file", str(exc))]) from None


def sessions_import_enqueue(*, shop: Shop, chunks: Iterable[bytes], fmt: str, filename: str, by: User | None) -> Job:
    """Keep an uploaded file (under MEDIA_ROOT/jobs/) and import it as a background Job.

    The task starts after the caller's transaction commits; its progress shows at /jobs/<id>/."""
    return job_start(
        task="compliance.import_sessions_file", kind="compliance.import",
        title=f"导入会话 {shop.code} · {filename[:80]}", created_by=by, merchant_id=shop.merchant_id,
        upload=chunks, upload_suffix=f".{fmt}",
        kwargs={"shop_id": shop.pk, "fmt": fmt, "user_id": by.pk if by is not None and by.is_authenticated else None},
        retryable=True,  # all-or-nothing and idempotent per message id: running it again is always safe
    )
