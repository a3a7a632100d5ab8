"""Import of chat messages into PostgreSQL: our import path vs bare COPYs of the same rows, in one run.

    .venv/bin/python bench/bench_import.py [--messages 1000000] [--pg postgres://postgres@127.0.0.1:5432]

Creates a scratch database (dropped afterwards), migrates it, generates one CSV of N messages (10 per
session, realistic Chinese text, some agent codes unknown), then times, on the same rows:
  (a) bare COPY of the file's bytes into a plain table with the same seven columns, no index/constraint;
  (b) bare COPY of the same rows, already in the message table's shape (session/shop/agent ids resolved
      outside the timing), into a table created `LIKE compliance_chatmessage INCLUDING ALL`: the same
      indexes, no foreign keys (LIKE never copies them): what the database itself costs for these rows;
  (b') the same as (b) plus the message table's foreign keys (referencing real sessions): what the
      database costs with every constraint the real table has;
  (c) ours: `sessions_import_file(fmt="csv")` end to end on the same bytes into an empty shop (decode,
      validate every row, sessions upsert, messages, commit; scanning not included);
  (c') ours again on the same file (the idempotent re-import: everything skipped);
  (d) with --python-path: ours with the CSV fast path switched off (the Python validator and binary COPY,
      the path JSON lines, XLSX and declined CSV files take), into another empty shop.
Figures: wall-clock seconds, plus CPU seconds of the PostgreSQL backend (from /proc, when the server runs on
this machine) and of this Python process; the machine is shared, so wall-clock is noisy: repeat runs.
Ratios printed: (a)/(c) and (b)/(c) (speed of ours as a fraction of each bare COPY; target (a)/(c) >= 0.3).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
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
    parser.add_argument("--python-path", action="store_true", help="also time the Python validator path (d)")
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
        from compliance.services.sessions import sessions_import_file

        call_command("migrate", verbosity=0)
        merchant = Merchant.objects.create(code="bench", name="bench")
        shop = Shop.objects.create(merchant=merchant, code="bench-shop", name="bench", platform="pdd")
        ref_shop = Shop.objects.create(merchant=merchant, code="bench-ref", name="bench ref", platform="pdd")
        py_shop = Shop.objects.create(merchant=merchant, code="bench-py", name="bench python", platform="pdd")
        agents = {}
        for n in range(1, 13):
            agents[f"a{n:02d}"] = User.objects.create(username=f"agent{n:02d}", role=Role.AGENT, code=f"a{n:02d}").pk

        generate(path, args.messages)
        data = path.read_bytes()
        sessions = args.messages // 10 + 1
        print(f"{args.messages:,} messages in {sessions:,} sessions, {len(data) / 1e6:.1f} MB CSV")

        message_table = ChatMessage._meta.db_table
        session_table = ChatSession._meta.db_table
        with connection.cursor() as wrapper:
            cur = wrapper.cursor
            cur.execute("SELECT pg_backend_pid()")
            clock = Clock(cur.fetchone()[0])
            # Sessions for (b'): real rows its foreign keys can reference; ids resolved outside the timing.
            cur.execute(
                f"INSERT INTO {session_table} (shop_id, external_id, buyer, started_at, ended_at, imported_at) "
                "SELECT %s, 's' || n, 'b', now(), now(), now() FROM generate_series(0, %s) n RETURNING external_id, id",
                [ref_shop.pk, sessions],
            )
            session_ids = dict(cur.fetchall())
            shaped = io.StringIO()
            writer = csv.writer(shaped)
            for row in csv.reader(io.StringIO(data.decode())):
                if row[0] == "session_id":
                    continue
                writer.writerow([session_ids[row[0]], ref_shop.pk, row[2], row[3], row[4], agents.get(row[4], ""), row[5], row[6]])
            shaped_bytes = shaped.getvalue().encode()
            del shaped
            cur.execute(
                "CREATE TABLE plain_messages (session_id text, buyer text, message_id text, sender text, "
                "agent text, sent_at timestamptz, text text)"
            )
            cur.execute(f"CREATE TABLE like_messages (LIKE {message_table} INCLUDING ALL)")
            cur.execute(f"CREATE TABLE like_fk_messages (LIKE {message_table} INCLUDING ALL)")
            cur.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [message_table],
            )
            foreign_keys = [d for (d,) in cur.fetchall()]
            for definition in foreign_keys:
                cur.execute(f"ALTER TABLE like_fk_messages ADD {definition}")
        if not connection.get_autocommit():
            connection.commit()

        shaped_columns = "session_id, shop_id, external_id, sender, agent_code, agent_id, sent_at, text"

        def bare(table: str, payload: bytes, options: str, columns: str = ""):
            def run():
                with transaction.atomic(), connection.cursor() as wrapper:
                    copy_bytes(wrapper.cursor, f"COPY {table} {columns} FROM STDIN ({options})", payload)
            return run

        figures = {}
        _, figures["a"] = clock.measure(bare("plain_messages", data, "FORMAT csv, HEADER"))
        _, figures["b"] = clock.measure(
            bare("like_messages", shaped_bytes, "FORMAT csv, FORCE_NOT_NULL (agent_code)", f"({shaped_columns})"))
        _, figures["b'"] = clock.measure(
            bare("like_fk_messages", shaped_bytes, "FORMAT csv, FORCE_NOT_NULL (agent_code)", f"({shaped_columns})"))
        result, figures["c"] = clock.measure(lambda: sessions_import_file(shop=shop, data=data, fmt="csv", scan=False))
        assert result.messages_created == args.messages, result
        again, figures["c'"] = clock.measure(lambda: sessions_import_file(shop=shop, data=data, fmt="csv", scan=False))
        assert again.messages_created == 0 and again.messages_skipped == args.messages, again
        assert ChatMessage.objects.filter(shop=shop).count() == args.messages
        if args.python_path:
            from compliance.services import sessions as session_services

            session_services._import_csv_sql = lambda **kwargs: None
            slow, figures["d"] = clock.measure(
                lambda: sessions_import_file(shop=py_shop, data=data, fmt="csv", scan=False))
            assert slow.messages_created == args.messages, slow

        labels = {
            "a": "(a) bare COPY, plain table",
            "b": "(b) bare COPY, LIKE … INCLUDING ALL",
            "b'": "(b') (b) + the table's foreign keys",
            "c": "(c) our import, end to end",
            "c'": "(c') our re-import (all skipped)",
            "d": "(d) ours, Python validator path",
        }
        print(f"\n{'':40}{'wall s':>9}{'msg/s':>11}{'PG cpu s':>10}{'py cpu s':>10}")
        for key, label in labels.items():
            if key not in figures:
                continue
            wall, backend, python = figures[key]
            print(f"{label:40}{wall:>9.2f}{args.messages / wall:>11,.0f}{backend:>10.2f}{python:>10.2f}")
        a, b, c = figures["a"][0], figures["b"][0], figures["c"][0]
        print(f"\nspeed of ours vs (a) plain COPY = {a / c:.2f}  (target >= 0.30)")
        print(f"speed of ours vs (b) LIKE INCLUDING ALL COPY = {b / c:.2f}")
        print(f"(foreign keys in (b'): {len(foreign_keys)}; (b) has none, as LIKE does not copy them)")
    finally:
        from django.db import connections

        connections.close_all()
        path.unlink(missing_ok=True)
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
