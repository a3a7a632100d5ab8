"""Benchmark: full recompute of the response metrics vs the incremental update for one new day.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agency_x .venv/bin/python bench/bench_metrics.py [--messages 1000000]

Works in a scratch database `<name of DATABASE_URL's database>_bench` on the same server (created,
migrated, filled with COPY, dropped at the end unless --keep). Generates `--messages` chat messages
over `--days` days for several shops on every platform, times a full recompute (turns by window
functions, session figures, day roll-ups, alerts), then adds one new day of messages (the same daily
volume) and times the incremental update the Celery task runs. Prints both side by side and the ratio;
the target is an incremental update under 5% of the full recompute.
"""

from __future__ import annotations

import argparse
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
from bench.scratch import django_on_scratch  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLATFORMS = ["pdd", "taobao", "tmall", "jd", "douyin"]


def session_script(rng: random.Random, start: datetime) -> list[tuple[str, datetime, bool]]:
    """A plausible conversation: buyer runs, agent answers (mostly fast), the odd bot or unanswered turn."""
    messages: list[tuple[str, datetime, bool]] = []
    now = start
    for _turn in range(rng.randint(2, 4)):
        for _ in range(rng.choice((1, 1, 1, 2))):
            messages.append(("buyer", now, False))
            now += timedelta(seconds=rng.randint(3, 40))
        if rng.random() < 0.1:
            messages.append(("bot", now, False))
            now += timedelta(seconds=2)
        if rng.random() < 0.04:
            break  # left unanswered
        now += timedelta(seconds=int(rng.expovariate(1 / 70)))
        for _ in range(rng.choice((1, 1, 2))):
            messages.append(("agent", now, True))
            now += timedelta(seconds=rng.randint(5, 60))
    return messages


def fill(conn, *, shops, agents, first_day, days, per_day, rng, session_seq, message_seq):
    """COPY sessions and messages for `days` days starting at `first_day`; returns messages written."""
    sessions_buf, messages_buf = io.StringIO(), io.StringIO()
    written = 0
    imported = datetime.now(SHANGHAI).isoformat()
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        day_written = 0
        while day_written < per_day:
            shop_id = rng.choice(shops)
            # busier by day, some traffic at night too (outside every window)
            hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 9, 10, 10, 9, 8, 8, 9, 10, 9, 6, 3])[0]
            start = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), rng.randint(0, 59), tzinfo=SHANGHAI)
            script = session_script(rng, start)
            session_seq[0] += 1
            sid = session_seq[0]
            sessions_buf.write(
                f"{sid}\t{shop_id}\tbs{sid}\tbuyer-{sid}\t{script[0][1].isoformat()}\t{script[-1][1].isoformat()}\t{imported}\n"
            )
            agent_id = rng.choice(agents)
            for sender, when, is_agent in script:
                message_seq[0] += 1
                mid = message_seq[0]
                agent = str(agent_id) if is_agent else "\\N"
                code = f"b{agent_id}" if is_agent else ""
                messages_buf.write(f"{mid}\t{sid}\t{shop_id}\tbm{mid}\t{sender}\t{code}\t{agent}\t{when.isoformat()}\t亲\n")
                day_written += 1
        written += day_written
    sessions_buf.seek(0)
    messages_buf.seek(0)
    with conn.cursor() as cur:
        with cur.copy(
            "COPY compliance_chatsession (id, shop_id, external_id, buyer, started_at, ended_at, imported_at) FROM STDIN"
        ) as copy:
            copy.write(sessions_buf.read())
        with cur.copy(
            "COPY compliance_chatmessage (id, session_id, shop_id, external_id, sender, agent_code, agent_id, sent_at, text) "
            "FROM STDIN"
        ) as copy:
            copy.write(messages_buf.read())
        cur.execute("SELECT setval(pg_get_serial_sequence('compliance_chatsession', 'id'), %s)", [session_seq[0]])
        cur.execute("SELECT setval(pg_get_serial_sequence('compliance_chatmessage', 'id'), %s)", [message_seq[0]])
    conn.commit()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args()

    scratch = django_on_scratch(bench="bench_metrics", suffix="bench")
    from django.db import connection

    from agency.models import Role, User
    from clients.models import Merchant, Shop
    from compliance.models import ChatMessage
    from compliance.quality.metrics.services import metrics_refresh, metrics_refresh_new
    from compliance.quality.models import ResponseTurn, ShopDayMetrics

    rng = random.Random(args.seed)
    merchant = Merchant.objects.create(code="bench", name="基准商家")
    shops = [
        Shop.objects.create(merchant=merchant, code=f"bench-{i}", name=f"基准店铺{i}", platform=PLATFORMS[i % len(PLATFORMS)]).pk
        for i in range(args.shops)
    ]
    agents = [User.objects.create(username=f"bench{i}", role=Role.AGENT, code=f"b{i}").pk for i in range(60)]
    per_day = args.messages // args.days
    first_day = datetime(2026, 9, 1).date()
    # The month partitions the generated messages fall in (else they all land in the default partition).
    from compliance.sessions.services.partitions import messages_partitions_ensure

    messages_partitions_ensure(months=[first_day + timedelta(days=d) for d in range(0, args.days + 1, 28)]
                               + [first_day + timedelta(days=args.days)])
    session_seq, message_seq = [0], [0]
    t0 = time.perf_counter()
    conn = connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)
    total = fill(conn, shops=shops, agents=agents, first_day=first_day, days=args.days, per_day=per_day, rng=rng,
                 session_seq=session_seq, message_seq=message_seq)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"generated {total:,} messages in {session_seq[0]:,} sessions over {args.days} days, "
          f"{args.shops} shops ({time.perf_counter() - t0:.1f} s)")

    t0 = time.perf_counter()
    full = metrics_refresh(evaluate_alerts=os.environ.get("BENCH_ALERTS", "1") == "1")
    full_seconds = time.perf_counter() - t0

    new_messages = fill(conn, shops=shops, agents=agents, first_day=first_day + timedelta(days=args.days), days=1,
                        per_day=per_day, rng=rng, session_seq=session_seq, message_seq=message_seq)
    t0 = time.perf_counter()
    incremental = metrics_refresh_new()
    incremental_seconds = time.perf_counter() - t0

    turns = ResponseTurn.objects.count()
    print()
    print(f"{'':34}{'full recompute':>18}{'incremental (1 new day)':>26}")
    print(f"{'messages in the database':34}{total:>18,}{total + new_messages:>26,}")
    print(f"{'sessions recomputed':34}{full.sessions:>18,}{incremental.sessions:>26,}")
    print(f"{'turns written':34}{full.turns:>18,}{incremental.turns:>26,}")
    print(f"{'shop-days rolled up':34}{len(full.days):>18,}{len(incremental.days):>26,}")
    print(f"{'wall time (s)':34}{full_seconds:>18.2f}{incremental_seconds:>26.2f}")
    ratio = incremental_seconds / full_seconds
    print(f"\nincremental / full = {ratio:.2%}  (target < 5%: {'met' if ratio < 0.05 else 'NOT met'})")
    print(f"stored: {turns:,} turns, {ShopDayMetrics.objects.count():,} shop-days, {ChatMessage.objects.count():,} messages")

    connection.close()
    if not args.keep:
        scratch.drop()


if __name__ == "__main__":
    main()
