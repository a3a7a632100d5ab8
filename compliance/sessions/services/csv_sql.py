"""The fast path of the CSV import on PostgreSQL: the database parses, checks and writes the rows.

The file's bytes go by `COPY` into a temporary table of text columns; set-based SQL then checks every row,
upserts the sessions and inserts the new messages in one `INSERT … SELECT`. No Python object per row.

This path only ever *accepts* files; it never reports errors. It accepts a file only when it can vouch that
the Python validator (`compliance.sessions.sessionfile`, the reference) would accept it too and read it the same way:
the checks below are the validator's rules or stricter (values that would need trimming, times in a form
other than the usual ISO 8601 one, quotes that the two CSV readers could split differently, ...). Anything
else (an invalid row, COPY refusing a line, a duplicate id) returns None after rolling the attempt back, and
the caller runs the Python validator, which names every bad row by line and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from django.db import DatabaseError, connection, transaction

from compliance.sessions.models import ChatMessage, ChatSession
from compliance.sessions.services.partitions import messages_partitions_cover
from compliance.sessions.sessionfile import COLUMNS, MAX_AGENT, MAX_ID, MAX_TEXT, SENDERS

# Every character str.strip() removes: a value starting or ending with one would be trimmed by the validator.
WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
# ISO 8601 as platforms export it: a strict subset of what datetime.fromisoformat reads, read the same way
# by both. Checked by shape (each digit 0-8 translated to 9) rather than by a regular expression, which
# costs several times more per row; hours 00-23 and seconds 00-59 are checked apart, because PostgreSQL
# would read 24:00:00 and 23:59:60. Impossible dates (2026-02-30) make the cast fail: the file goes back.
TIME_SHAPES = sorted(
    f"9999-99-99{sep}99:99:99{fraction}{zone}"
    for sep in ("T", " ")
    for fraction in ["", *("." + "9" * n for n in range(1, 7))]
    for zone in ("", "Z", "+99:99", "-99:99")
)
# A field-start quoted CSV field; any other quote character could be read differently by PostgreSQL's COPY
# (which opens a quoted section anywhere in a field) and Python's csv module (which keeps it literally).
_QUOTED_FIELD = re.compile(rb'(?:(?<=[,\r\n])|^)"(?:[^"]++|"")*+"(?=[,\r\n]|$)', re.M)
_END_MARKER = re.compile(rb"(?:^|[\r\n])\\\.(?:[\r\n]|$)")

_SESSIONS = ChatSession._meta.db_table
_MESSAGES = ChatMessage._meta.db_table


class _NotVouched(Exception):
    """The fast path cannot vouch for the file; roll back to the savepoint and let Python validate."""


@dataclass
class Loaded:
    rows: int
    sessions_created: int
    sessions_updated: int
    messages_created: int
    unknown_agents: list[str]


def utf8_payload(data: bytes) -> bytes | None:
    """The file as UTF-8 bytes without BOM, decoded by the validator's rules (UTF-8, else GB18030)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError:
        return None


def _header(payload: bytes) -> list[str] | None:
    import csv
    import io

    end = payload.find(b"\n")
    first = payload if end < 0 else payload[:end]
    if b'"' in first:
        return None
    try:
        row = next(csv.reader(io.StringIO(first.decode("utf-8").rstrip("\r"))))
    except (StopIteration, csv.Error, UnicodeDecodeError):
        return None
    return [h.strip().lstrip("\ufeff").lower() for h in row]


def _readers_agree(payload: bytes) -> bool:
    if b"\\." in payload and _END_MARKER.search(payload):
        return False  # COPY would stop at a "\." line
    return not (b'"' in payload and b'"' in _QUOTED_FIELD.sub(b"", payload))


def csv_load(*, shop_id: int, data: bytes) -> Loaded | None:
    """Import one CSV file for one shop (inside the caller's transaction, which holds the shop's lock).

    Returns None, with nothing written, when the file must go through the Python validator instead."""
    payload = utf8_payload(data)
    if payload is None:
        return None
    names = _header(payload)
    if names is None or any(c not in names for c in COLUMNS) or not _readers_agree(payload):
        return None
    col = {c: f"c{names.index(c)}" for c in COLUMNS}
    try:
        with transaction.atomic():
            return _load(shop_id, payload, len(names), col)
    except (_NotVouched, DatabaseError, psycopg.Error):  # the raw cursor raises psycopg's own errors
        return None


def _load(shop_id: int, payload: bytes, width: int, col: dict[str, str]) -> Loaded:
    from agency.models import Role, User

    sid, buyer, mid, sender, agent, sent_at, text = (col[c] for c in COLUMNS)
    with connection.cursor() as wrapper:
        cur = wrapper.cursor
        columns = ", ".join(f"c{i} text" for i in range(width))
        # Room for the staging table in this backend's memory (allocated as used). Without it, 8 MB by
        # default, a large file's staging rows are written out to disk and read back. PostgreSQL refuses
        # the change once the connection has used a temporary table: then the setting stays as it is.
        cur.execute(
            "DO $$ BEGIN PERFORM set_config('temp_buffers', '256MB', false); "
            "EXCEPTION WHEN invalid_parameter_value THEN NULL; END $$"
        )
        cur.execute("DROP TABLE IF EXISTS import_stage, import_sess")
        cur.execute(f"CREATE TEMP TABLE import_stage ({columns}) ON COMMIT DROP")
        force = ", ".join(f"c{i}" for i in range(width))
        with cur.copy(f"COPY import_stage FROM STDIN (FORMAT csv, HEADER true, FORCE_NOT_NULL ({force}))") as copy:
            view = memoryview(payload)
            for offset in range(0, len(payload), 1 << 20):
                copy.write(view[offset:offset + (1 << 20)])
        cur.execute("SHOW TimeZone")
        zone = cur.fetchone()[0]
        cur.execute("SET LOCAL work_mem = '256MB'")
        # A time without an offset is Shanghai time, as in the validator.
        cur.execute("SET LOCAL TimeZone = 'Asia/Shanghai'")

        # One pass: every row's checks, grouped into sessions (span, buyer, ok). OFFSET 0 keeps the inner
        # query's results computed once per row.
        ws = WHITESPACE
        cur.execute(
            f"""
            CREATE TEMP TABLE import_sess ON COMMIT DROP AS
            SELECT sid, min(buyer COLLATE "C") AS buyer, max(buyer COLLATE "C") AS buyer_max,
                   min(ts) AS started_at, max(ts) AS ended_at, bool_and(ok) AS ok, count(*) AS rows,
                   NULL::bigint AS id
              FROM (SELECT sid, buyer, time_ok AND mid_ok AS ok, CASE WHEN time_ok THEN sent_at::timestamptz END AS ts
                      FROM (SELECT {sid} AS sid, {buyer} AS buyer, {sent_at} AS sent_at,
                                   translate({sent_at}, '012345678', '999999999') = ANY(%(shapes)s)
                                   AND substr({sent_at}, 1, 2) IN ('19', '20')
                                   AND substr({sent_at}, 12, 2) COLLATE "C" < '24'
                                   AND substr({sent_at}, 18, 2) COLLATE "C" < '60' AS time_ok,
                                   length({mid}) BETWEEN 1 AND {MAX_ID} AND strpos(%(ws)s, left({mid}, 1)) = 0
                                   AND strpos(%(ws)s, right({mid}, 1)) = 0 AND {sender} = ANY(%(senders)s)
                                   AND length({text}) <= {MAX_TEXT} AS mid_ok
                              FROM import_stage OFFSET 0) AS shaped
                    OFFSET 0) AS checked
             GROUP BY sid
            """,
            {"ws": ws, "senders": sorted(SENDERS), "shapes": TIME_SHAPES},
        )
        cur.execute(
            f"""
            SELECT count(*), sum(rows)::bigint, coalesce(bool_and(ok AND buyer = buyer_max
                   AND length(sid) BETWEEN 1 AND {MAX_ID} AND length(buyer) BETWEEN 1 AND {MAX_ID}
                   AND strpos(%(ws)s, left(sid, 1)) = 0 AND strpos(%(ws)s, right(sid, 1)) = 0
                   AND strpos(%(ws)s, left(buyer, 1)) = 0 AND strpos(%(ws)s, right(buyer, 1)) = 0), false)
              FROM import_sess
            """,
            {"ws": ws},
        )
        session_count, rows, all_ok = cur.fetchone()
        if not session_count or not all_ok:
            raise _NotVouched
        cur.execute(f"SELECT DISTINCT {agent} FROM import_stage")
        codes = [code for (code,) in cur.fetchall()]
        if any(len(code) > MAX_AGENT or code != code.strip() for code in codes):
            raise _NotVouched
        codes = [code for code in codes if code]
        agent_ids = dict(
            User.objects.filter(code__in=codes, role=Role.AGENT).values_list("code", "id")
        ) if codes else {}

        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {_MESSAGES} WHERE shop_id = %s)", [shop_id])
        shop_has_messages = cur.fetchone()[0]
        # A message id repeated in the file: the Python validator names both lines. (The database's unique
        # key holds `sent_at` too, the partition key, so it would not refuse a repeat at another time.)
        cur.execute(f"SELECT 1 FROM import_stage GROUP BY {mid} HAVING count(*) > 1 LIMIT 1")
        if cur.fetchone():
            raise _NotVouched

        cur.execute(
            f"""
            WITH upserted AS (
                INSERT INTO {_SESSIONS} AS s (shop_id, external_id, buyer, started_at, ended_at, imported_at)
                SELECT %s, sid, buyer, started_at, ended_at, now() FROM import_sess ORDER BY started_at, sid
                ON CONFLICT (shop_id, external_id) DO UPDATE
                   SET started_at = LEAST(s.started_at, EXCLUDED.started_at),
                       ended_at = GREATEST(s.ended_at, EXCLUDED.ended_at)
                 WHERE EXCLUDED.started_at < s.started_at OR EXCLUDED.ended_at > s.ended_at
                RETURNING (xmax = 0) AS created
            )
            SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) FROM upserted
            """,
            [shop_id],
        )
        sessions_created, sessions_updated = cur.fetchone()
        cur.execute("SELECT min(started_at), max(ended_at) FROM import_sess")
        first, last = cur.fetchone()
        messages_partitions_cover(first=first, last=last)
        cur.execute(
            f"UPDATE import_sess t SET id = s.id FROM {_SESSIONS} s WHERE s.shop_id = %s AND s.external_id = t.sid",
            [shop_id],
        )
        cur.execute("ANALYZE import_sess")
        skip_stored = (
            f"WHERE NOT EXISTS (SELECT 1 FROM {_MESSAGES} m WHERE m.shop_id = %(shop)s AND m.external_id = st.{mid})"
            if shop_has_messages else ""
        )
        # Rows go in session by session (new sessions got their ids in time order) and by time: the session,
        # shop and id indexes then grow at their right edge instead of all over. Within a session, equal
        # times keep the file's order (ctid of the freshly loaded stage), which the id then records.
        cur.execute(
            f"""
            INSERT INTO {_MESSAGES} (session_id, shop_id, external_id, sender, agent_code, agent_id, sent_at, text)
            SELECT t.id, %(shop)s, st.{mid}, st.{sender}, st.{agent}, a.id, st.{sent_at}::timestamptz, st.{text}
              FROM import_stage st
              JOIN import_sess t ON t.sid = st.{sid}
              LEFT JOIN unnest(%(codes)s::text[], %(ids)s::bigint[]) AS a (code, id) ON a.code = st.{agent}
              {skip_stored}
             ORDER BY t.id, 7, st.ctid
            """,
            {"shop": shop_id, "codes": list(agent_ids), "ids": list(agent_ids.values())},
        )
        messages_created = cur.rowcount
        cur.execute("SELECT set_config('TimeZone', %s, true)", [zone])
        cur.execute("DROP TABLE import_stage, import_sess")
    return Loaded(
        rows=rows, sessions_created=sessions_created, sessions_updated=sessions_updated,
        messages_created=messages_created, unknown_agents=sorted(set(codes) - agent_ids.keys()),
    )
