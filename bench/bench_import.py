"""Import of chat messages into PostgreSQL: our import vs a bare COPY of the same rows, in one run.

    .venv/bin/python bench/bench_import.py [--messages 1000000] [--pg postgres://postgres@127.0.0.1:5432]

Creates a scratch database (dropped afterwards), migrates it, generates one CSV of N messages (10 per
session, realistic Chinese text, some agent codes unknown), then times, on the same rows:
  (a) bare COPY of the same rows into the message table itself (`compliance_chatmessage`, every index and
      constraint it has), for a reference shop whose sessions exist: the rows already in the table's shape
      (session, shop and agent ids resolved before the clock starts), one COPY, commit. This is the
      baseline the target is stated against: what PostgreSQL costs to store these rows where they live;
  (b) ours: `sessions_import_file(fmt="csv")` end to end on the file's bytes into an empty shop of the same
      table (decode, validate every row, upsert the sessions, resolve agents, insert the messages, commit;
      scanning not included), after (a), so into the fuller table;
  (b') ours again on the same file (the idempotent re-import: everything skipped);
  (c) with --python-path: ours with the CSV fast path switched off (the Python validator and binary COPY,
      the path JSON lines, XLSX and declined CSV files take), into another empty shop.
For reference, not a target: (r) bare COPY of the file's bytes into a plain table of seven columns with no
index, key or constraint at all: the floor any storage with indexes sits well above (the message table's
five indexes and its session foreign key cost several times the plain COPY by themselves; compare (r) with (a)).
Figures: wall-clock seconds, plus CPU seconds of the PostgreSQL backend (from /proc, when the server runs on
this machine) and of this Python process; the machine is shared, so wall-clock is noisy: repeat runs.
Printed: speed of ours as a fraction of (a) (target >= 0.6 on 1,000,000 messages) and, for reference, of (r).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXTS = [
    "在吗？这款沙发有现货吗", "亲，在的，有现货哦，今天下单明天发", "我的快递三天没更新了",
    "亲亲别着急，我这边马上帮您联系快递核实情况", "物流显示已签收，但是我没收到",
    "非常抱歉给您带来不便，麻烦您先看看门卫或者快递柜", "能开发票吗？要公司抬头的",
    "可以的亲，您在订单里填写抬头和税号，我们发货后开具电子发票", "好的谢谢", "不客气，祝您生活愉快～",
]
COLUMNS = ["session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text"]


def generate(path: Path, messages: int) -> None:
    rng = random.Random(7)
    start = datetime(2026, 10, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(messages):
            session = i // 10
            at = start + timedelta(seconds=session * 37 + (i % 10) * 41)
            agent_turn = i % 2 == 1
            writer.writerow([
                f"s{session}", f"buyer-{session % 50000}", f"m{i}", "agent" if agent_turn else "buyer",
                f"a{rng.randint(1, 14):02d}" if agent_turn else "", at.isoformat(timespec="seconds"),
                TEXTS[i % 10],
            ])


class Clock:
    """Wall-clock, this process's CPU and the PostgreSQL backend's CPU (0 when not readable)."""

    def __init__(self, backend_pid: int):
        self.stat = Path(f"/proc/{backend_pid}/stat")
        self.tick = os.sysconf("SC_CLK_TCK")

    def backend(self) -> float:
        try:
            fields = self.stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / self.tick

    def measure(self, fn):
        w, p, b = time.perf_counter(), time.process_time(), self.backend()
        out = fn()
        return out, (time.perf_counter() - w, self.backend() - b, time.process_time() - p)


def copy_bytes(cur, sql: str, payload: bytes) -> None:
    with cur.copy(sql) as copy:
        view = memoryview(payload)
        for offset in range(0, len(payload), 1 << 20):
            copy.write(view[offset:offset + (1 << 20)])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="agency_bench_import")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (a), (b), (b'), (r); medians printed")
    parser.add_argument("--python-path", action="store_true", help="also time the Python validator path (c)")
    args = parser.parse_args()

    import psycopg

    admin = psycopg.connect(f"{args.pg}/postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{args.db}"')
    os.environ["DATABASE_URL"] = f"{args.pg}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    path = Path(f"/tmp/bench_import_{os.getpid()}.csv")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection, transaction

        from agency.models import Role, User
        from clients.models import Merchant, Shop
        from compliance.models import ChatMessage, ChatSession
        from compliance.sessions.services.importing import sessions_import_file

        call_command("migrate", verbosity=0)
        merchant = Merchant.objects.create(code="bench", name="bench")
        agents = {}
        for n in range(1, 13):
            agents[f"a{n:02d}"] = User.objects.create(username=f"agent{n:02d}", role=Role.AGENT, code=f"a{n:02d}").pk

        generate(path, args.messages)
        data = path.read_bytes()
        rows = [row for row in csv.reader(io.StringIO(data.decode())) if row[0] != "session_id"]
        session_keys = sorted({row[0] for row in rows}, key=lambda key: int(key[1:]))
        print(f"{args.messages:,} messages in {len(session_keys):,} sessions, {len(data) / 1e6:.1f} MB CSV, "
              f"{args.rounds} round(s)")

        message_table = ChatMessage._meta.db_table
        session_table = ChatSession._meta.db_table
        shaped_columns = "session_id, shop_id, external_id, sender, agent_code, agent_id, sent_at, text"
        with connection.cursor() as wrapper:
            cur = wrapper.cursor
            cur.execute("SELECT pg_backend_pid()")
            clock = Clock(cur.fetchone()[0])
            cur.execute(
                "CREATE TABLE plain_messages (session_id text, buyer text, message_id text, sender text, "
                "agent text, sent_at timestamptz, text text)"
            )
            cur.execute(
                "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'", [message_table])
            foreign_keys = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [message_table])
            indexes = cur.fetchone()[0]
        if not connection.get_autocommit():
            connection.commit()

        def shaped_for(shop) -> bytes:
            """The file's rows in the message table's shape, for `shop`, with real sessions behind them."""
            with transaction.atomic(), connection.cursor() as wrapper:
                wrapper.cursor.execute(
                    f"INSERT INTO {session_table} (shop_id, external_id, buyer, started_at, ended_at, imported_at) "
                    "SELECT %s, key, 'b', now(), now(), now() FROM unnest(%s::text[]) AS key RETURNING external_id, id",
                    [shop.pk, session_keys],
                )
                session_ids = dict(wrapper.cursor.fetchall())
            out = io.StringIO()
            writer = csv.writer(out)
            for row in rows:
                writer.writerow([session_ids[row[0]], shop.pk, row[2], row[3], row[4], agents.get(row[4], ""),
                                 row[5], row[6]])
            return out.getvalue().encode()

        def bare(table: str, payload: bytes, options: str, columns: str = ""):
            def run():
                with transaction.atomic(), connection.cursor() as wrapper:
                    copy_bytes(wrapper.cursor, f"COPY {table} {columns} FROM STDIN ({options})", payload)
            return run

        figures: dict[str, list] = {}
        for n in range(args.rounds):
            # Baseline first in each round, so ours always writes into the fuller table.
            reference = Shop.objects.create(merchant=merchant, code=f"bench-copy-{n}", name="bench copy", platform="pdd")
            shaped = shaped_for(reference)
            _, took = clock.measure(bare(
                message_table, shaped, "FORMAT csv, FORCE_NOT_NULL (agent_code)", f"({shaped_columns})"))
            figures.setdefault("a", []).append(took)
            assert ChatMessage.objects.filter(shop=reference).count() == args.messages
            del shaped

            shop = Shop.objects.create(merchant=merchant, code=f"bench-ours-{n}", name="bench ours", platform="pdd")
            def ours(shop=shop):
                return sessions_import_file(shop=shop, data=data, fmt="csv", scan=False)

            result, took = clock.measure(ours)
            figures.setdefault("b", []).append(took)
            assert result.messages_created == args.messages, result
            again, took = clock.measure(ours)
            figures.setdefault("b'", []).append(took)
            assert again.messages_created == 0 and again.messages_skipped == args.messages, again
            assert ChatMessage.objects.filter(shop=shop).count() == args.messages

            with connection.cursor() as wrapper:
                wrapper.cursor.execute("TRUNCATE plain_messages")
            if not connection.get_autocommit():
                connection.commit()
            _, took = clock.measure(bare("plain_messages", data, "FORMAT csv, HEADER"))
            figures.setdefault("r", []).append(took)
            a, b = figures["a"][-1][0], figures["b"][-1][0]
            print(f"  round {n + 1}: (a) {a:.2f} s  (b) ours {b:.2f} s  ratio {a / b:.2f}", flush=True)
        if args.python_path:
            from compliance.sessions.services import importing as session_services

            session_services._import_csv_sql = lambda **kwargs: None
            py_shop = Shop.objects.create(merchant=merchant, code="bench-py", name="bench python", platform="pdd")
            slow, took = clock.measure(lambda: sessions_import_file(shop=py_shop, data=data, fmt="csv", scan=False))
            figures["c"] = [took]
            assert slow.messages_created == args.messages, slow

        labels = {
            "a": "(a) bare COPY into the message table",
            "b": "(b) our import, end to end",
            "b'": "(b') our re-import (all skipped)",
            "c": "(c) ours, Python validator path",
            "r": "(r) reference: COPY into a bare table",
        }
        print(f"\nmedians over {args.rounds} round(s); message table: {indexes} indexes, {foreign_keys} foreign keys")
        print(f"{'':40}{'wall s':>9}{'msg/s':>11}{'PG cpu s':>10}{'py cpu s':>10}")
        median = {key: [statistics.median(column) for column in zip(*runs, strict=True)] for key, runs in figures.items()}
        for key, label in labels.items():
            if key in median:
                wall, backend, python = median[key]
                print(f"{label:40}{wall:>9.2f}{args.messages / wall:>11,.0f}{backend:>10.2f}{python:>10.2f}")
        a, b, r = median["a"][0], median["b"][0], median["r"][0]
        print(f"\nspeed of ours vs (a) bare COPY of the same rows into the message table = {a / b:.2f}  (target >= 0.6)")
        print(f"for reference: ours vs (r) bare table = {r / b:.2f}; (a) itself vs (r) = {r / a:.2f}")
    finally:
        from django.db import connections

        connections.close_all()
        path.unlink(missing_ok=True)
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
