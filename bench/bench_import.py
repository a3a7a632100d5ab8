"""Import of chat messages into PostgreSQL: our import path vs a bare COPY of the same rows.

    .venv/bin/python bench/bench_import.py [--messages 1000000] [--pg postgres://postgres@127.0.0.1:5432]

Creates a scratch database (dropped afterwards), migrates it, generates a CSV of N messages (10 per
session, realistic Chinese text, some agent codes unknown), then times
  1. baseline: `COPY plain_table FROM STDIN (FORMAT csv, HEADER)` of the file's bytes into a table with the
     same seven columns and no index or constraint;
  2. ours: `sessions_import_file(fmt="csv")` on the same bytes into an empty shop: decoding, validating
     every row, sessions upsert, COPY into the indexed message table, commit (scanning not included);
  3. ours again on the same file (the idempotent re-import: everything skipped),
and prints the figures side by side with the ratio (target ≥ 0.3).
"""

from __future__ import annotations

import argparse
import csv
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


def generate(path: Path, messages: int) -> None:
    rng = random.Random(7)
    start = datetime(2026, 10, 1, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text"])
        for i in range(messages):
            session = i // 10
            at = start + timedelta(seconds=session * 37 + (i % 10) * 41)
            agent_turn = i % 2 == 1
            writer.writerow([
                f"s{session}", f"buyer-{session % 50000}", f"m{i}", "agent" if agent_turn else "buyer",
                f"a{rng.randint(1, 14):02d}" if agent_turn else "", at.isoformat(timespec="seconds"),
                TEXTS[i % 10],
            ])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="agency_bench_import")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    import psycopg

    admin = psycopg.connect(f"{args.pg}/postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{args.db}"')
    admin.execute(f'CREATE DATABASE "{args.db}"')
    os.environ["DATABASE_URL"] = f"{args.pg}/{args.db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from agency.models import Role, User
        from clients.models import Merchant, Shop
        from compliance.services.sessions import sessions_import_file
        from compliance.sessionfile import parse_file

        call_command("migrate", verbosity=0)
        merchant = Merchant.objects.create(code="bench", name="bench")
        shop = Shop.objects.create(merchant=merchant, code="bench-shop", name="bench", platform="pdd")
        for n in range(1, 13):
            User.objects.create(username=f"agent{n:02d}", role=Role.AGENT, code=f"a{n:02d}")

        path = Path(f"/tmp/bench_import_{os.getpid()}.csv")
        generate(path, args.messages)
        data = path.read_bytes()
        print(f"{args.messages:,} messages, {len(data) / 1e6:.1f} MB CSV")

        with connection.cursor() as wrapper:
            cur = wrapper.cursor
            cur.execute(
                "CREATE TABLE plain_messages (session_id text, buyer text, message_id text, sender text, "
                "agent text, sent_at timestamptz, text text)"
            )
            connection.commit() if not connection.get_autocommit() else None
            t0 = time.perf_counter()
            with cur.copy("COPY plain_messages FROM STDIN (FORMAT csv, HEADER)") as copy:
                view = memoryview(data)
                for offset in range(0, len(data), 1 << 20):
                    copy.write(view[offset:offset + (1 << 20)])
            baseline = time.perf_counter() - t0
            cur.execute("SELECT count(*) FROM plain_messages")
            assert cur.fetchone()[0] == args.messages

        t0 = time.perf_counter()
        result = sessions_import_file(shop=shop, data=data, fmt="csv", scan=False)
        ours = time.perf_counter() - t0
        assert result.messages_created == args.messages, result

        t0 = time.perf_counter()
        again = sessions_import_file(shop=shop, data=data, fmt="csv", scan=False)
        reimport = time.perf_counter() - t0
        assert again.messages_created == 0 and again.messages_skipped == args.messages

        t0 = time.perf_counter()
        parse_file(data, "csv")
        parse_only = time.perf_counter() - t0

        rate = args.messages / ours
        base_rate = args.messages / baseline
        print(f"{'':34}{'seconds':>10}{'messages/s':>14}")
        print(f"{'bare COPY into a plain table':34}{baseline:>10.2f}{base_rate:>14,.0f}")
        print(f"{'our import (validate+upsert+COPY)':34}{ours:>10.2f}{rate:>14,.0f}")
        print(f"{'re-import of the same file':34}{reimport:>10.2f}{args.messages / reimport:>14,.0f}")
        print(f"{'  of which decode+validate (Python)':34}{parse_only:>10.2f}{args.messages / parse_only:>14,.0f}")
        print(f"ratio ours / bare COPY = {rate / base_rate:.2f} (target >= 0.30)")
        path.unlink()
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.db}" WITH (FORCE)')
        admin.close()


if __name__ == "__main__":
    main()
