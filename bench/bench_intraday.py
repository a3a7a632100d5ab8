"""Benchmark: one intraday re-forecast run for every shop (target: under a second on one core).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/agency_x taskset -c 0 .venv/bin/python bench/bench_intraday.py \
        [--shops 60] [--agents-per-shop 20] [--at 15:00] [--rounds 5]

Works in a scratch database `<DATABASE_URL's database>_bench_intraday` on the same server (created, migrated,
filled with COPY, dropped at the end unless --keep). A realistic day: every shop has eight weeks of half-hour
demand history (from 200 to 3,000 sessions a day, the usual day shape), a staffing profile, a published week
of early, middle and late shifts (a tenth of the agents certified for a second shop), and today's sessions
until `--at` (each with buyer and agent messages; volume 0.6–1.6× the shop's usual, so some shops surge and
some are quiet), plus yesterday's sessions.

Timed, side by side (the best of `--rounds`, every round listed):
- **engine alone**: the pure re-forecast and the suggestions for all shops, inputs already in memory;
- **re-roster models alone**: the CP-SAT re-roster of every shop short later today, inputs in memory;
- **compute**: `intraday_compute`, i.e. the reads (stored forecast, arrivals by first buyer message, published
  shifts, week hours, certifications) and the engine, nothing written;
- **stored path**: `intraday_refresh`, the run beat makes: compute and store every shop's day and the
  suggestions (with a CP-SAT re-roster for each shop short of agents later today), after about three minutes of new sessions (counted from the last run's message cursor);
- **stored path, full count**: the same with every arrival counted again (each half hour, and on a day's first
  run).
The first run of a day also takes the day's forecast (fits eight weeks of history per shop); it is timed
on its own, once. Python runs on one core (pin it with `taskset -c 0`; numpy is held to one thread);
PostgreSQL runs in its own process.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.scratch import django_on_scratch  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHIFTS = {"E": (8, 16), "M": (11, 19), "L": (15, 23)}
TARGET_SECONDS = 1.0


def shape(slot: int) -> float:
    """The usual day: nothing at night, a late-morning and an evening peak."""
    hour = slot / 2
    if hour < 8 or hour >= 23:
        return 0.01
    return 0.6 + 0.5 * math.exp(-((hour - 10.5) ** 2) / 3) + 0.8 * math.exp(-((hour - 20.5) ** 2) / 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=60)
    parser.add_argument("--agents-per-shop", type=int, default=20)
    parser.add_argument("--at", default="15:00", help="the time of day taken as now")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    scratch = django_on_scratch(bench="bench_intraday", suffix="bench_intraday")
    from django.db import connection

    from agency.models import Role, User
    from clients.models import Merchant, Shop
    from compliance.intraday import engine
    from compliance.intraday import services as intraday
    from compliance.intraday.models import IntradayChange, IntradayShopDay, IntradaySuggestion
    from staffing.forecasting.models import StaffingProfile
    from staffing.rosters.models import Roster, ShiftTemplate

    rng = random.Random(args.seed)
    day = date(2026, 11, 24)  # a Tuesday
    hour, minute = (int(x) for x in args.at.split(":"))
    now = datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)
    t0 = time.perf_counter()
    merchant = Merchant.objects.create(code="bench", name="基准商家")
    platforms = ["pdd", "tmall", "taobao", "jd", "douyin"]
    shops = [Shop.objects.create(merchant=merchant, code=f"bench-{i:02d}", name=f"基准店铺{i}",
                                 platform=platforms[i % len(platforms)]) for i in range(args.shops)]
    daily = {s.pk: rng.randint(200, 3000) for s in shops}
    today_factor = {s.pk: rng.choice((0.6, 0.8, 1.0, 1.0, 1.2, 1.6)) for s in shops}
    for s in shops:
        StaffingProfile.objects.create(shop=s, aht_seconds=rng.choice((180, 240, 300)), concurrency=rng.choice((2, 3)))
    weights = [shape(i) for i in range(48)]
    total_weight = sum(weights)
    conn = connection.connection if connection.connection else (connection.ensure_connection() or connection.connection)

    # history: eight weeks and more of half-hour volumes
    history = io.StringIO()
    first_history = day - timedelta(days=7 * 8 + 60)
    for s in shops:
        for d in range((day - first_history).days):
            when = first_history + timedelta(days=d)
            for i in range(48):
                volume = int(daily[s.pk] * weights[i] / total_weight * rng.uniform(0.85, 1.15))
                if volume:
                    start = datetime(when.year, when.month, when.day, i // 2, 30 * (i % 2), tzinfo=SHANGHAI)
                    history.write(f"{s.pk}\t{start.isoformat()}\t{volume}\tbench\n")

    # agents, shifts for the roster week, certifications
    templates = {}
    for code, (h0, h1) in SHIFTS.items():
        templates[code] = ShiftTemplate.objects.update_or_create(
            code=code, defaults={"name": code, "start": f"{h0:02d}:00", "end": f"{h1:02d}:00"})[0].pk
    week_start = day - timedelta(days=day.weekday())
    roster = Roster.objects.create(name="bench", start_date=week_start, days=14, status="published",
                                   published_through=week_start + timedelta(days=13), solve_status="optimal")
    agents: list[tuple[int, int]] = []  # (agent id, home shop id)
    for s in shops:
        for k in range(args.agents_per_shop):
            user = User.objects.create(username=f"{s.code}-{k}", role=Role.AGENT, code=f"{s.code}-{k}")
            agents.append((user.pk, s.pk))
    shift_rows, cert_rows = io.StringIO(), io.StringIO()
    shift_id = cert_id = 0
    for n, (agent, shop) in enumerate(agents):
        off = {n % 7, (n + 3) % 7}
        for d in range(14):
            if d % 7 in off:
                continue
            when = week_start + timedelta(days=d)
            code = "EML"[(n + d) % 3]
            h0, h1 = SHIFTS[code]
            starts = datetime(when.year, when.month, when.day, h0, tzinfo=SHANGHAI)
            shift_id += 1
            shift_rows.write(f"{shift_id}\t{roster.pk}\t{agent}\t{shop}\t{when.isoformat()}\t{templates[code]}\t"
                             f"{starts.isoformat()}\t{(starts + timedelta(hours=h1 - h0)).isoformat()}\tt\n")
        granted = (now - timedelta(days=100)).isoformat()
        expires = (now + timedelta(days=300)).isoformat()
        cert_id += 1
        cert_rows.write(f"{cert_id}\t{agent}\t{shop}\t{granted}\t{expires}\tf\n")
        if n % 10 == 0:
            other = shops[(n // args.agents_per_shop + 1) % len(shops)].pk
            cert_id += 1
            cert_rows.write(f"{cert_id}\t{agent}\t{other}\t{granted}\t{expires}\tf\n")

    # sessions: yesterday whole, today until now
    sessions, messages = io.StringIO(), io.StringIO()
    sid = mid = 0
    imported = now.isoformat()
    for s in shops:
        for offset, factor, until in ((1, 1.0, 48 * 30), (0, today_factor[s.pk], hour * 60 + minute)):
            when = day - timedelta(days=offset)
            midnight = datetime(when.year, when.month, when.day, tzinfo=SHANGHAI)
            for i in range(48):
                if i * 30 >= until:
                    break
                count = int(daily[s.pk] * weights[i] / total_weight * factor * rng.uniform(0.9, 1.1))
                for _ in range(count):
                    start = midnight + timedelta(minutes=30 * i, seconds=rng.randint(0, 1799))
                    if start >= now:
                        continue
                    sid += 1
                    at = start
                    script = []
                    for _turn in range(rng.randint(1, 3)):
                        script.append(("buyer", at))
                        at += timedelta(seconds=rng.randint(20, 90))
                        script.append(("agent", at))
                        at += timedelta(seconds=rng.randint(20, 120))
                    sessions.write(f"{sid}\t{s.pk}\ts{sid}\tbuyer-{sid}\t{script[0][1].isoformat()}\t"
                                   f"{script[-1][1].isoformat()}\t{imported}\n")
                    for sender, sent in script:
                        mid += 1
                        messages.write(f"{mid}\t{sid}\t{s.pk}\tm{mid}\t{sender}\t\t\\N\t{sent.isoformat()}\t亲\n")
    with conn.cursor() as cur:
        for table, columns, buf in (
            ("staffing_intervalvolume", "shop_id, start, volume, source", history),
            ("staffing_shiftassignment", "id, roster_id, agent_id, shop_id, date, template_id, starts_at, ends_at, pinned", shift_rows),
            ("staffing_certification", "id, agent_id, shop_id, granted_at, expires_at, revoked", cert_rows),
            ("compliance_chatsession", "id, shop_id, external_id, buyer, started_at, ended_at, imported_at", sessions),
            ("compliance_chatmessage", "id, session_id, shop_id, external_id, sender, agent_code, agent_id, sent_at, text", messages),
        ):
            buf.seek(0)
            with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                while chunk := buf.read(1 << 20):
                    copy.write(chunk)
        for table in ("staffing_shiftassignment", "staffing_certification", "compliance_chatsession", "compliance_chatmessage"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("ANALYZE")
    conn.commit()
    print(f"generated {args.shops} shops, {len(agents):,} agents, {shift_id:,} published shifts, {sid:,} sessions "
          f"({mid:,} messages) over yesterday and today until {args.at} ({time.perf_counter() - t0:.1f} s)")

    # the first run of the day takes the forecast
    t0 = time.perf_counter()
    intraday.intraday_refresh(day=day, now=now)
    first_run = time.perf_counter() - t0

    # the engine's inputs, in memory (each read timed once, to show where the time goes)
    shop_ids = [s.pk for s in shops]
    reads: dict[str, float] = {}

    def timed(label: str, fn):
        t = time.perf_counter()
        value = fn()
        reads[label] = time.perf_counter() - t
        return value

    forecasts, _taken = timed("stored forecasts", lambda: intraday._day_forecasts(shops=shops, day=day, now=now))
    actual = timed("arrivals by first buyer message", lambda: intraday._arrivals(shop_ids=shop_ids, day=day, until=now))
    shifts = timed("published shifts", lambda: intraday._published_shifts(shop_ids=shop_ids, day=day))
    rostered = timed("rostered per half hour", lambda: intraday._rostered(shop_ids=shop_ids, day=day, shifts=shifts, moves=[]))
    staffing = timed("staffing profiles", lambda: intraday._staffing(shops))
    candidates = timed("week hours, rest, certifications", lambda: intraday._agent_shifts(day=day, shifts=shifts, now=now))
    rules: dict = {}
    for one_shift in shifts:
        rules.setdefault(one_shift.shop_id, one_shift.roster)
    off = timed("agents off today", lambda: intraday._off_agents(day=day, shop_rules=rules, now=now))
    now_minute = hour * 60 + minute
    last: dict = {}

    def engine_run() -> int:
        days = engine.reforecast_all([
            engine.ShopInput(forecast=forecasts[pk], actual=actual[pk], rostered=rostered[pk], staffing=staffing[pk])
            for pk in shop_ids
        ], now_minute=now_minute)
        results = dict(zip(shop_ids, days, strict=True))
        needs = [engine.ShopNeed(shop=pk, required=tuple(h.required for h in results[pk].half_hours),
                                 rostered=tuple(rostered[pk]), window=frozenset(staffing[pk].window))
                 for pk in shop_ids]
        last["results"] = results
        return len(engine.suggest(needs=needs, shifts=candidates, now_minute=now_minute))

    def reroster_run() -> int:
        results = last["results"]
        return len(engine.reroster_all([
            engine.ShopToReroster(shop=pk, shortage=[h.gap for h in results[pk].half_hours],
                                  shifts=[c for c in candidates if c.shop == pk], off_agents=off.get(pk, []))
            for pk in shop_ids if results[pk].short_half_hours and pk in rules
        ], now_minute=now_minute))

    from compliance.sessions.models import ChatMessage, ChatSession

    def new_sessions(round_no: int) -> int:
        """About three minutes of arrivals (what beat finds between two runs), written before a timed run."""
        made = 0
        for s in shops:
            for k in range(max(1, daily[s.pk] * 3 // (15 * 60))):
                start = now - timedelta(seconds=rng.randint(1, 170))
                session = ChatSession.objects.create(shop=s, external_id=f"new-{round_no}-{k}", buyer=f"nb-{round_no}-{k}",
                                                     started_at=start, ended_at=start + timedelta(minutes=1))
                ChatMessage.objects.bulk_create([
                    ChatMessage(session=session, shop=s, external_id=f"new-{round_no}-{k}-{n}", sender=sender,
                                sent_at=start + timedelta(seconds=10 * n), text="亲")
                    for n, sender in enumerate(("buyer", "agent", "buyer", "agent"))
                ])
                made += 1
        return made

    timings: dict[str, list[float]] = {
        "engine alone": [], "re-roster models alone": [], "compute (reads + engine)": [], "stored path (refresh)": [],
        "stored path, full count": [],
    }
    added = 0
    for round_no in range(args.rounds):
        t0 = time.perf_counter()
        engine_run()
        timings["engine alone"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        reroster_run()
        timings["re-roster models alone"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        intraday.intraday_compute(day=day, now=now)
        timings["compute (reads + engine)"].append(time.perf_counter() - t0)
        added += new_sessions(round_no)
        t0 = time.perf_counter()
        intraday.intraday_refresh(day=day, now=now)
        timings["stored path (refresh)"].append(time.perf_counter() - t0)
        IntradayShopDay.objects.filter(date=day).update(counted_at=now - timedelta(hours=1))
        t0 = time.perf_counter()
        intraday.intraday_refresh(day=day, now=now)
        timings["stored path, full count"].append(time.perf_counter() - t0)
    full = intraday._arrivals(shop_ids=shop_ids, day=day, until=now + timedelta(days=1))
    stored_counts = dict(IntradayShopDay.objects.filter(date=day).values_list("shop_id", "arrivals"))

    rows = IntradayShopDay.objects.filter(date=day)
    ratios = sorted(r.ratio for r in rows)
    print(f"\none run for all {args.shops} shops at {args.at}; target {TARGET_SECONDS:.1f} s")
    print(f"{'':28}{'best (s)':>10}{'target':>10}   all rounds (s)")
    for label, values in timings.items():
        best = min(values)
        print(f"{label:28}{best:>10.3f}{'met' if best < TARGET_SECONDS else 'NOT met':>10}   "
              f"{' '.join(f'{v:.3f}' for v in values)}")
    print(f"stored path: each run after about three minutes of new sessions ({added // args.rounds} a round); "
          f"its counts agree with a full count: {'yes' if all(stored_counts[k] == v for k, v in full.items()) else 'NO'}")
    print("reads, once each: " + ", ".join(f"{k} {v:.3f} s" for k, v in reads.items()))
    print(f"{'first run of the day':28}{first_run:>10.3f}{'':>10}   (takes the forecast: fits history per shop)")
    print(f"\nstored: {rows.count()} shop days; ratios {ratios[0]:.2f}–{ratios[-1]:.2f}; "
          f"{sum(r.short_half_hours for r in rows)} short half hours to come; "
          f"{IntradaySuggestion.objects.filter(date=day, kind='move').count()} moves and "
          f"{IntradaySuggestion.objects.filter(date=day, kind='overtime').count()} overtime suggestions; "
          f"{IntradaySuggestion.objects.filter(date=day, kind='reroster').count()} re-rosters "
          f"({IntradayChange.objects.filter(suggestion__date=day).count()} changes)")
    connection.close()
    if not args.keep:
        scratch.drop()


if __name__ == "__main__":
    main()
