"""Benchmark: the stored sales attribution (contracts §8) beside one bare SQL statement doing the same window
match, and the incremental update for one new day beside the full run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agency_x .venv/bin/python bench/bench_sales.py \
        [--orders 1000000 --messages 5000000]

Works in a scratch database `<DATABASE_URL's database>_sales_bench` (created, migrated, filled with COPY,
dropped at the end unless --keep). Buyers have one to three sessions; about half the orders follow a
buyer's chat (within or beyond the 24-hour window), the rest come from buyers at random times.

Printed side by side, in one run:
- **floor**: one `CREATE TEMP TABLE … AS SELECT` with the same two LATERAL window look-ups per order (the
  attributing message, the reminder) and nothing else: no update, no day figures;
- **ours, attribution**: `orders_attribute` over the freshly imported orders (the same look-ups, stored as
  one attribution row per order, the orders taken off the pending list);
- **ours, full**: `sales_recompute_all` (attribution plus every (shop, day) row of §8 figures);
- **incremental**: one new day of messages and orders, then `sales_refresh` (what Celery beat runs).
Targets: floor ÷ ours ≥ 0.5 (attribution), incremental < 5% of the full run. The floor and our attribution are
timed alternately, twice each (the state reset to "just imported" between ours), and the faster of each shown.
"""

from __future__ import annotations

import argparse
import io
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


class Generator:
    def __init__(self, *, shops: list[int], agents: list[str], agent_ids: dict[str, int], rng: random.Random,
                 buyers_per_shop: int) -> None:
        self.shops, self.agents, self.agent_ids, self.rng = shops, agents, agent_ids, rng
        self.buyers_per_shop = buyers_per_shop
        self.session_seq = 0
        self.message_seq = 0
        self.order_seq = 0
        self.ends: list[tuple[int, str, datetime]] = []  # (shop, buyer, last agent message) of recent sessions

    def messages(self, conn, first_day, days: int, per_day: int) -> int:
        rng = self.rng
        sessions, messages = io.StringIO(), io.StringIO()
        written = 0
        stamp = datetime.now(SHANGHAI).isoformat()
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            count = 0
            while count < per_day:
                shop = rng.choice(self.shops)
                buyer = f"u{rng.randrange(self.buyers_per_shop)}"
                hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 10, 9, 9, 10, 10, 9, 8,
                                                       8, 9, 10, 9, 6, 3])[0]
                now = datetime(day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60),
                               tzinfo=SHANGHAI)
                start = now
                self.session_seq += 1
                sid = self.session_seq
                code = rng.choice(self.agents)
                last_agent = None
                for _ in range(rng.randint(3, 12)):
                    sender = "agent" if rng.random() < 0.5 else "buyer"
                    self.message_seq += 1
                    agent_code, agent_id = (code, str(self.agent_ids[code])) if sender == "agent" else ("", "\\N")
                    messages.write(f"{self.message_seq}\t{sid}\t{shop}\tm{self.message_seq}\t{sender}\t{agent_code}\t"
                                   f"{agent_id}\t{now.isoformat()}\t亲\n")
                    if sender == "agent":
                        last_agent = now
                    now += timedelta(seconds=rng.randint(5, 240))
                    count += 1
                sessions.write(f"{sid}\t{shop}\ts{sid}\t{buyer}\t{start.isoformat()}\t{now.isoformat()}\t{stamp}\n")
                if last_agent is not None:
                    self.ends.append((shop, buyer, last_agent))
            written += count
        sessions.seek(0)
        messages.seek(0)
        with conn.cursor() as cur:
            with cur.copy("COPY compliance_chatsession (id, shop_id, external_id, buyer, started_at, ended_at, "
                          "imported_at) FROM STDIN") as copy:
                copy.write(sessions.read())
            with cur.copy("COPY compliance_chatmessage (id, session_id, shop_id, external_id, sender, agent_code, "
                          "agent_id, sent_at, text) FROM STDIN") as copy:
                copy.write(messages.read())
            cur.execute("SELECT setval(pg_get_serial_sequence('compliance_chatsession', 'id'), %s)", [self.session_seq])
            cur.execute("SELECT setval(pg_get_serial_sequence('compliance_chatmessage', 'id'), %s)", [self.message_seq])
        conn.commit()
        return written

    def orders(self, conn, n: int, first: datetime, last: datetime) -> int:
        rng = self.rng
        buf = io.StringIO()
        span = int((last - first).total_seconds())
        stamp = datetime.now(SHANGHAI).isoformat()
        for _ in range(n):
            self.order_seq += 1
            if self.ends and rng.random() < 0.5:
                shop, buyer, after = rng.choice(self.ends)
                created = after + timedelta(minutes=rng.randint(-30, 30 * 60))
            else:
                shop, buyer = rng.choice(self.shops), f"u{rng.randrange(self.buyers_per_shop)}"
                created = first + timedelta(seconds=rng.randrange(span))
            paid = created + timedelta(minutes=rng.randint(0, 600)) if rng.random() < 0.85 else None
            amount = rng.randint(500, 99999) / 100
            refund = round(amount * rng.choice((0.3, 1.0)), 2) if paid and rng.random() < 0.08 else 0
            buf.write(f"{self.order_seq}\t{shop}\to{self.order_seq}\t{buyer}\t{created.isoformat()}\t"
                      f"{paid.isoformat() if paid else chr(92) + 'N'}\t{amount:.2f}\t{refund:.2f}\t{stamp}\t{stamp}\n")
        buf.seek(0)
        with conn.cursor() as cur:
            first_id = self.order_seq - n
            with cur.copy("COPY quality_order (id, shop_id, external_id, buyer, created_at, paid_at, amount, "
                          "refund_amount, imported_at, changed_at) FROM STDIN") as copy:
                copy.write(buf.read())
            # as an import does: new orders wait on the pending list for the refresh
            cur.execute("INSERT INTO quality_orderpending (order_id) SELECT id FROM quality_order WHERE id > %s",
                        [first_id])
            cur.execute("SELECT setval(pg_get_serial_sequence('quality_order', 'id'), %s)", [self.order_seq])
        conn.commit()
        return n


FLOOR = """
CREATE TEMP TABLE floor_attribution AS
SELECT o.id, a.id AS attributing, r.id AS reminder
  FROM quality_order o
  LEFT JOIN LATERAL (
      SELECT m.id FROM compliance_chatsession s JOIN compliance_chatmessage m ON m.session_id = s.id
       WHERE s.shop_id = o.shop_id AND s.buyer = o.buyer AND m.sender = 'agent'
         AND m.sent_at <= o.created_at AND m.sent_at >= o.created_at - interval '24 hours'
       ORDER BY m.sent_at DESC, m.id DESC LIMIT 1) a ON true
  LEFT JOIN LATERAL (
      SELECT m.id FROM compliance_chatsession s JOIN compliance_chatmessage m ON m.session_id = s.id
       WHERE s.shop_id = o.shop_id AND s.buyer = o.buyer AND m.sender = 'agent' AND m.sent_at > o.created_at
         AND CASE WHEN o.paid_at IS NULL THEN m.sent_at <= o.created_at + interval '24 hours'
                  ELSE m.sent_at < o.paid_at END
       ORDER BY m.sent_at, m.id LIMIT 1) r ON true
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--messages", type=int, default=5_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--shops", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    scratch = django_on_scratch(bench="bench_sales", suffix="sales_bench")
    from django.db import connection

    from agency.models import Role, User
    from clients.models import Merchant, Shop
    from compliance.quality.sales.models import Order, OrderAttribution, SalesDayMetrics
    from compliance.quality.sales.services.attribution import orders_attribute, sales_recompute_all, sales_refresh

    rng = random.Random(args.seed)
    merchant = Merchant.objects.create(code="bench", name="基准商家")
    shops = [Shop.objects.create(merchant=merchant, code=f"bench-{i}", name=f"基准店铺{i}",
                                 platform=PLATFORMS[i % len(PLATFORMS)]).pk for i in range(args.shops)]
    agent_ids = {f"b{i}": User.objects.create(username=f"bench{i}", role=Role.AGENT, code=f"b{i}").pk
                 for i in range(60)}
    sessions_estimate = args.messages // 7
    gen = Generator(shops=shops, agents=list(agent_ids), agent_ids=agent_ids, rng=rng,
                    buyers_per_shop=max(10, sessions_estimate // args.shops // 2))
    first_day = datetime(2026, 9, 1).date()
    # The month partitions the generated messages fall in (else they all land in the default partition).
    from compliance.sessions.services.partitions import messages_partitions_ensure

    messages_partitions_ensure(months=[first_day + timedelta(days=d) for d in range(0, args.days + 1, 28)]
                               + [first_day + timedelta(days=args.days)])
    connection.ensure_connection()
    conn = connection.connection
    t0 = time.perf_counter()
    total = gen.messages(conn, first_day, args.days, args.messages // args.days)
    start = datetime(2026, 9, 1, tzinfo=SHANGHAI)
    end = start + timedelta(days=args.days)
    orders = gen.orders(conn, args.orders, start, end)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"generated {total:,} messages in {gen.session_seq:,} sessions and {orders:,} orders over {args.days} "
          f"days, {args.shops} shops ({time.perf_counter() - t0:.1f} s)")

    def floor() -> float:
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS floor_attribution")
            t = time.perf_counter()
            cur.execute(FLOOR)
            return time.perf_counter() - t

    def ours() -> tuple[float, int]:
        t = time.perf_counter()
        attributed, _pairs = orders_attribute()
        return time.perf_counter() - t, attributed

    def as_imported() -> None:
        """Back to the state right after the import: no attribution rows, every order pending."""
        with connection.cursor() as cur:
            cur.execute("TRUNCATE quality_orderattribution")
            cur.execute("INSERT INTO quality_orderpending (order_id) SELECT id FROM quality_order "
                        "ON CONFLICT DO NOTHING")
            cur.execute("VACUUM ANALYZE quality_orderattribution")
            cur.execute("VACUUM ANALYZE quality_orderpending")

    # Alternated, twice each, so that a busy machine slows both sides alike; the faster of each is shown.
    floor_times, our_times = [floor()], []
    seconds, attributed = ours()
    our_times.append(seconds)
    floor_times.append(floor())
    as_imported()
    seconds, attributed = ours()
    our_times.append(seconds)
    floor_seconds, attribution_seconds = min(floor_times), min(our_times)
    floor_first, floor_second = floor_times
    t0 = time.perf_counter()
    full = sales_recompute_all()
    full_seconds = time.perf_counter() - t0

    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(attributing), count(reminder) FROM floor_attribution")
        floor_counts = cur.fetchone()
    ours_counts = (Order.objects.count(), OrderAttribution.objects.exclude(attributed_at=None).count(),
                   OrderAttribution.objects.exclude(reminded_at=None).count())

    new_messages = gen.messages(conn, first_day + timedelta(days=args.days), 1, args.messages // args.days)
    gen.ends = gen.ends[-(args.messages // args.days // 7):]
    new_orders = gen.orders(conn, args.orders // args.days, end, end + timedelta(days=1))
    t0 = time.perf_counter()
    incremental = sales_refresh()
    incremental_seconds = time.perf_counter() - t0

    print()
    print(f"{'':38}{'floor (bare SQL)':>18}{'ours: attribution':>20}{'ours: full run':>16}{'incremental':>14}")
    print(f"{'orders':38}{floor_counts[0]:>18,}{attributed:>20,}{full.orders_attributed:>16,}"
          f"{incremental.orders_attributed:>14,}")
    print(f"{'attributed / reminded':38}{f'{floor_counts[1]:,} / {floor_counts[2]:,}':>18}"
          f"{f'{ours_counts[1]:,} / {ours_counts[2]:,}':>20}{'':>16}{'':>14}")
    print(f"{'(shop, day) rows recounted':38}{'—':>18}{'—':>20}{full.days_recomputed:>16,}"
          f"{incremental.days_recomputed:>14,}")
    print(f"{'new messages / orders':38}{'':>18}{'':>20}{'':>16}{f'{new_messages:,} / {new_orders:,}':>14}")
    print(f"{'wall time (s)':38}{floor_seconds:>18.2f}{attribution_seconds:>20.2f}{full_seconds:>16.2f}"
          f"{incremental_seconds:>14.2f}")
    print(f"\n(timed alternately, the faster of each shown: floor {floor_first:.2f} s and {floor_second:.2f} s; "
          f"ours {our_times[0]:.2f} s and {our_times[1]:.2f} s)")
    speed = floor_seconds / attribution_seconds
    print(f"floor / ours (attribution) = {speed:.2f}x  (target >= 0.5x: {'met' if speed >= 0.5 else 'NOT met'})")
    print(f"floor / ours (full run with day figures) = {floor_seconds / full_seconds:.2f}x")
    ratio = incremental_seconds / full_seconds
    print(f"incremental / full = {ratio:.2%}  (target < 5%: {'met' if ratio < 0.05 else 'NOT met'})")
    print(f"stored: {SalesDayMetrics.objects.count():,} day rows; same attributions as the floor: "
          f"{'yes' if floor_counts[1:] == ours_counts[1:] else 'NO'}")
    connection.close()
    if not args.keep:
        scratch.drop()


if __name__ == "__main__":
    main()
