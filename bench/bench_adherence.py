"""Benchmark: stored schedule adherence (contracts §10) for a month beside a bare SQL count of the same
active demand slots.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agency_x .venv/bin/python bench/bench_adherence.py \
        [--agents 300] [--days 31] [--messages 5000000] [--shops 30]

Works in a scratch database `<DATABASE_URL's database>_bench` on the same server (created, migrated, filled
with COPY, dropped at the end unless --keep). Every agent belongs to one shop (a tenth of them to two) and
works five days in seven on an early, middle or late shift; buyers write from 08:00 to 23:00 and the
agents rostered at that moment answer (a few shifts are no-shows, a few answers come late).

Timed, in alternating rounds (the best of `--rounds` each):
- **stored path**: `adherence_compute` over the whole month — every §10 figure (demand and active slots,
  first/last activity, lateness, no-shows, idle waits from buyer turns) upserted into `ShiftAdherence`;
- **bare SQL**: one SELECT that counts the active demand slots per shift (agent slots joined to buyer
  slots), nothing else and nothing written.
It checks the two agree on every shift's active demand slots, and prints the speed ratio
(bare ÷ stored; the target is at least 0.5).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.scratch import django_on_scratch  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHIFTS = {"E": (8, 16), "M": (11, 19), "L": (15, 23)}

BARE_SQL = """
WITH s AS (
    SELECT id, agent_id, shop_id, starts_at, ends_at FROM staffing_shiftassignment
     WHERE date BETWEEN %(first)s AND %(last)s
), a AS (
    SELECT DISTINCT s.id, floor(extract(epoch FROM m.sent_at - s.starts_at) / 1800)::int AS k
      FROM s JOIN compliance_chatmessage m
        ON m.shop_id = s.shop_id AND m.agent_id = s.agent_id AND m.sender = 'agent'
       AND m.sent_at >= s.starts_at AND m.sent_at < s.ends_at
), b AS (
    SELECT DISTINCT s.id, floor(extract(epoch FROM m.sent_at - s.starts_at) / 1800)::int AS k
      FROM s JOIN compliance_chatmessage m
        ON m.shop_id = s.shop_id AND m.sender = 'buyer' AND m.sent_at >= s.starts_at AND m.sent_at < s.ends_at
)
SELECT a.id, count(*) FROM a JOIN b ON a.id = b.id AND a.k = b.k GROUP BY a.id
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--messages", type=int, default=5_000_000)
    parser.add_argument("--shops", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()

    scratch = django_on_scratch(bench="bench_adherence", suffix="bench")
    from django.db import connection

    from agency.models import Role, User
    from clients.models import Merchant, Shop
    from compliance.adherence.models import ShiftAdherence
    from compliance.adherence.services import adherence_compute
    from staffing.rosters.models import Roster, ShiftTemplate

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    merchant = Merchant.objects.create(code="bench", name="基准商家")
    shops = [Shop.objects.create(merchant=merchant, code=f"bench-{i}", name=f"基准店铺{i}", platform="pdd").pk
             for i in range(args.shops)]
    agents = [User.objects.create(username=f"bench{i}", role=Role.AGENT, code=f"b{i}").pk for i in range(args.agents)]
    templates = {}
    for code, (h0, h1) in SHIFTS.items():
        templates[code] = ShiftTemplate.objects.update_or_create(
            code=code, current=True, defaults={"name": code, "start": f"{h0:02d}:00", "end": f"{h1:02d}:00"})[0].pk
    first = date(2026, 10, 1)
    last = first + timedelta(days=args.days - 1)
    roster = Roster.objects.create(name="bench", start_date=first, days=args.days)
    # Rostered shifts: (shop, day) -> [(agent, start hour, end hour, no-show)]
    home = {agent: shops[i % len(shops)] for i, agent in enumerate(agents)}
    floor: dict[tuple[int, date], list[tuple[int, int, int, bool]]] = {}
    shift_rows = io.StringIO()
    shift_id = 0
    for i, agent in enumerate(agents):
        off = {(i + k) % 7 for k in (0, 1)}
        for d in range(args.days):
            if d % 7 in off:
                continue
            day = first + timedelta(days=d)
            code = rng.choice("EML")
            h0, h1 = SHIFTS[code]
            shop = home[agent] if i % 10 or d % 2 else shops[(i + 1) % len(shops)]  # a tenth serve two shops
            no_show = rng.random() < 0.01
            floor.setdefault((shop, day), []).append((agent, h0, h1, no_show))
            starts = datetime(day.year, day.month, day.day, h0, tzinfo=SHANGHAI)
            shift_id += 1
            shift_rows.write(f"{shift_id}\t{roster.pk}\t{agent}\t{shop}\t{day.isoformat()}\t{templates[code]}\t"
                             f"{starts.isoformat()}\t{(starts + timedelta(hours=h1 - h0)).isoformat()}\tf\n")
    conn = connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)
    sessions, messages = io.StringIO(), io.StringIO()
    sid = mid = 0
    per_shop_day = max(1, args.messages // (len(shops) * args.days))
    imported = datetime.now(SHANGHAI).isoformat()
    for shop in shops:
        for d in range(args.days):
            day = first + timedelta(days=d)
            rostered = floor.get((shop, day), [])
            written = 0
            while written < per_shop_day:
                start = datetime(day.year, day.month, day.day, 8, tzinfo=SHANGHAI) + timedelta(seconds=rng.randint(0, 15 * 3600 - 1))
                on_duty = [a for a, h0, h1, gone in rostered if h0 <= start.hour < h1 and not gone]
                sid += 1
                now = start
                script = []
                for _turn in range(rng.randint(2, 5)):
                    for _ in range(rng.choice((1, 1, 2))):
                        script.append(("buyer", now, None))
                        now += timedelta(seconds=rng.randint(3, 40))
                    if not on_duty or rng.random() < 0.03:
                        break
                    now += timedelta(seconds=int(rng.expovariate(1 / 60)) + (400 if rng.random() < 0.02 else 0))
                    agent = rng.choice(on_duty)
                    for _ in range(rng.choice((1, 2))):
                        script.append(("agent", now, agent))
                        now += timedelta(seconds=rng.randint(5, 60))
                sessions.write(f"{sid}\t{shop}\ts{sid}\tbuyer-{sid}\t{script[0][1].isoformat()}\t{script[-1][1].isoformat()}\t{imported}\n")
                for sender, when, agent in script:
                    mid += 1
                    messages.write(f"{mid}\t{sid}\t{shop}\tm{mid}\t{sender}\t{'b' + str(agent) if agent else ''}\t"
                                   f"{agent if agent else chr(92) + 'N'}\t{when.isoformat()}\t亲\n")
                written += len(script)
    with conn.cursor() as cur:
        for table, columns, buf in (
            ("staffing_shiftassignment", "id, roster_id, agent_id, shop_id, date, template_id, starts_at, ends_at, pinned", shift_rows),
            ("compliance_chatsession", "id, shop_id, external_id, buyer, started_at, ended_at, imported_at", sessions),
            ("compliance_chatmessage", "id, session_id, shop_id, external_id, sender, agent_code, agent_id, sent_at, text", messages),
        ):
            buf.seek(0)
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                while chunk := buf.read(1 << 20):
                    copy.write(chunk)
        cur.execute("ANALYZE")
    conn.commit()
    print(f"generated {mid:,} messages in {sid:,} sessions, {shift_id:,} shifts of {args.agents} agents over "
          f"{args.days} days in {args.shops} shops ({time.perf_counter() - t0:.1f} s)")

    stored_times, bare_times = [], []
    bare_rows: dict[int, int] = {}
    for _round in range(args.rounds):
        t0 = time.perf_counter()
        measured = adherence_compute(first=first, last=last, engine="sql")
        stored_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute(BARE_SQL, {"first": first, "last": last})
            bare_rows = dict(cur.fetchall())
        bare_times.append(time.perf_counter() - t0)
    stored_rows = dict(ShiftAdherence.objects.filter(active_demand_slots__gt=0).values_list("assignment_id", "active_demand_slots"))
    agree = stored_rows == bare_rows
    stored, bare = min(stored_times), min(bare_times)
    print()
    print(f"{'':36}{'stored path':>16}{'bare SQL count':>18}")
    print(f"{'shifts':36}{measured:>16,}{len(bare_rows):>18,}")
    print(f"{'active demand slots':36}{sum(stored_rows.values()):>16,}{sum(bare_rows.values()):>18,}")
    print(f"{'figures per shift':36}{'all of §10':>16}{'active slots':>18}")
    print(f"{'wall time, best of ' + str(args.rounds) + ' (s)':36}{stored:>16.2f}{bare:>18.2f}")
    print(f"{'all rounds (s)':36}{' '.join(f'{t:.2f}' for t in stored_times):>16}{' '.join(f'{t:.2f}' for t in bare_times):>18}")
    ratio = bare / stored
    print(f"\nactive demand slots agree on every shift: {'yes' if agree else 'NO'}")
    print(f"speed, bare ÷ stored = {ratio:.2f}×  (target ≥ 0.5×: {'met' if ratio >= 0.5 else 'NOT met'})")
    no_shows = ShiftAdherence.objects.filter(no_show=True).count()
    idle = sum(ShiftAdherence.objects.values_list("idle_waits", flat=True))
    print(f"stored: {ShiftAdherence.objects.count():,} shifts, {no_shows:,} no-shows, {idle:,} idle waits")
    connection.close()
    if not args.keep:
        scratch.drop()


if __name__ == "__main__":
    main()
