"""Pages and exports at two data sizes, side by side: the demo database, then the same database with
N more messages (default 1,000,000) in one merchant's shop over 60 days.

    .venv/bin/python bench/bench_pages.py [--messages 1000000] [--pg postgres://postgres@127.0.0.1:5432] [--keep]
    .venv/bin/python bench/bench_pages.py --measure-only bench_pages_LARGE [--small bench_pages_SMALL]

Keep a large database (`--keep`) and a small one (`--messages 0 --keep`) to time code changes again without
reloading: `--measure-only` times the kept databases (migrate them first when the change has migrations).

Creates a scratch PostgreSQL database (dropped afterwards), migrates it (the message table partitioned by
month, the search index), loads the demo data and times each page as the server renders it (Django's test
client in this process: view, queries and template, no network), the median of 5 after one warm-up. Then it
imports the extra messages through the product's own import (COPY path), scans them with the rule library,
rolls the metrics up, runs ANALYZE and times everything again. Exports: the time to the first byte (what a
user waits for before the download starts) and to the last.

Targets (issue "Scale"): every page under 300 ms at the large size and within 2x of its small-size time;
exports stream their first byte in under 1 s.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUYER_LINES = ["在吗？这款有现货吗", "我的快递三天没更新了", "能开发票吗？要公司抬头的", "物流显示已签收但是我没收到",
               "可以便宜一点吗", "尺码怎么选", "好的谢谢"]
AGENT_LINES = ["亲，在的，有现货哦，今天下单明天发", "亲亲别着急，我这边马上帮您联系快递核实情况",
               "可以的亲，您在订单里填写抬头和税号，我们发货后开具电子发票", "非常抱歉给您带来不便，麻烦您先看看快递柜",
               "亲，这个价格已经很优惠了哦", "建议您参考详情页的尺码表～", "不客气，祝您生活愉快～"]
AGENT_VIOLATIONS = ["亲，加我微信发你优惠券", "这款是全网最低价哦", "好评返现5元哦亲"]


def generate_csv(messages: int, *, start: datetime, days: int, session_offset: int) -> bytes:
    rng = random.Random(session_offset + 11)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text"])
    sessions = messages // 10
    span = days * 86400
    for s in range(sessions):
        sid = session_offset + s
        at = start + timedelta(seconds=int(span * s / max(sessions, 1)))
        agent = f"a{rng.randint(1, 12):02d}"
        for i in range(10):
            sent = at + timedelta(seconds=i * 40)
            if i % 2 == 0:
                text, sender, code = rng.choice(BUYER_LINES), "buyer", ""
            else:
                pool = AGENT_VIOLATIONS if rng.random() < 0.03 else AGENT_LINES
                text, sender, code = rng.choice(pool), "agent", agent
            writer.writerow([f"big{sid}", f"buyer{sid % 40000}", f"big{sid}-{i}", sender, code,
                             sent.isoformat(timespec="seconds"), text])
    return out.getvalue().encode()


def timed_get(client, url: str, *, repeat: int = 5, warm: bool = True) -> float:
    if warm:
        client.get(url)  # warm-up
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        if getattr(response, "streaming", False):
            for _chunk in response.streaming_content:
                pass
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def timed_export(client, url: str) -> tuple[float, float, int, bool]:
    """(first byte ms, last byte ms, bytes, ran as a job). An export bigger than EXPORT_STREAM_MAX_ROWS answers
    with a page offering a background export: its first byte is that page; its last, the job (run eagerly
    here) having written the file."""
    t0 = time.perf_counter()
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    if not getattr(response, "streaming", False):
        first = (time.perf_counter() - t0) * 1000
        posted = client.post(url)
        if posted.status_code != 302:
            raise SystemExit(f"POST {url}: HTTP {posted.status_code}")
        total = (time.perf_counter() - t0) * 1000
        from django.conf import settings

        from agency.models import Job

        job = Job.objects.order_by("-pk").first()
        written = Path(settings.MEDIA_ROOT) / "exports" / str((job.result or {}).get("file", "")) if job else None
        size = 0
        if written is not None and written.is_file():
            size = written.stat().st_size
            written.unlink()  # the bench's file, not the user's
        return first, total, size, True
    first = None
    size = 0
    for chunk in response.streaming_content:
        if first is None:
            first = (time.perf_counter() - t0) * 1000
        size += len(chunk)
    return first or 0.0, (time.perf_counter() - t0) * 1000, size, False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--measure-only", metavar="DB", help="time the pages of a database kept by --keep, nothing else")
    parser.add_argument("--small", metavar="DB", help="with --measure-only: a kept small database (--messages 0 --keep) "
                        "timed first, for the side-by-side table")
    args = parser.parse_args()

    import psycopg

    db = args.measure_only or f"bench_pages_{os.getpid()}"
    if args.measure_only:
        args.keep = True
    else:
        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {db}")
    os.environ["DATABASE_URL"] = f"{args.pg}/{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ.setdefault("CONN_MAX_AGE", "60")
    try:
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def run(args) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from compliance.quality.metrics.services import metrics_refresh_new
    from compliance.sessions.services.importing import sessions_import_file
    from compliance.sessions.services.scanning import shops_scan

    settings.ALLOWED_HOSTS = ["testserver"]
    if args.measure_only:
        if args.small:
            small, large = measure_interleaved(args.small, args.measure_only)
            report(small, large, small_db=args.small, large_db=args.measure_only)
        else:
            report(None, measure_database(args.measure_only), small_db=None, large_db=args.measure_only)
        return
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo_data", verbosity=0)
    print(f"demo database ready in {time.perf_counter() - t0:.0f} s")
    small = measure_database(None)

    shop = bench_shop()
    t0 = time.perf_counter()
    start = timezone.localtime() - timedelta(days=60)
    step = 200_000
    done = 0
    while done < args.messages:
        n = min(step, args.messages - done)
        data = generate_csv(n, start=start + timedelta(days=60 * done / args.messages), days=max(1, 60 * n // args.messages),
                            session_offset=done // 10)
        sessions_import_file(shop=shop, data=data, fmt="csv", scan=False)
        done += n
    print(f"imported {done:,} messages into {shop.code} in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    summary = shops_scan(shops=[shop])
    print(f"scanned {summary['messages']:,} messages ({summary['hits']:,} hits) in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    metrics_refresh_new()
    print(f"metrics rolled up in {time.perf_counter() - t0:.0f} s")
    report(small, measure_database(None), small_db=None, large_db=None)


def bench_shop():
    from agency.models import User
    from clients.models import Shop

    merchant = User.objects.get(username="merchant1")
    shop = Shop.objects.filter(merchant_id=merchant.merchant_id).order_by("code").first()
    assert shop is not None, "the demo merchant has no shop"
    return shop


def pages_and_exports() -> tuple[list, list]:
    from django.utils import timezone

    shop = bench_shop()
    month = timezone.localdate().strftime("%Y-%m")
    pages = [
        ("merchant: dashboard", "merchant1", "/"),
        ("merchant: sessions", "merchant1", "/compliance/sessions/"),
        ("merchant: find a session by its id", "merchant1", "/compliance/sessions/?q=big12345"),
        ("merchant: sessions search (3+ chars)", "merchant1", "/compliance/sessions/?q=" + "快递柜"),
        ("merchant: sessions search (2 chars)", "merchant1", "/compliance/sessions/?q=" + "发票"),
        ("merchant: sessions by agent", "merchant1", "/compliance/sessions/?agent=a03"),
        ("merchant: violations", "merchant1", "/compliance/violations/"),
        ("merchant: shop quality", "merchant1", f"/quality/shops/{shop.code}/"),
        ("manager: dashboard", "manager", "/"),
        ("manager: sessions search (3+ chars)", "manager", "/compliance/sessions/?q=" + "快递柜"),
        ("manager: violations", "manager", "/compliance/violations/"),
        ("manager: quality overview", "manager", "/quality/"),
    ]
    exports = [
        ("merchant: violations CSV", "merchant1", "/compliance/violations/export.csv"),
        ("merchant: month's sessions CSV", "merchant1", f"/quality/shops/{shop.code}/sessions.csv?month={month}"),
    ]
    return pages, exports


def measure_database(db: str | None) -> dict:
    """Time every page and export on `db` (a kept database; None: the one in use), after ANALYZE."""
    from django.db import connection, connections
    from django.test import Client

    from agency.models import User

    if db is not None:
        connections.close_all()
        connections["default"].settings_dict["NAME"] = db
    pages, exports = pages_and_exports()
    clients = {}
    for username in ("manager", "merchant1"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[username] = client
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "messages": _count_messages(),
        "pages": {name: timed_get(clients[who], url) for name, who, url in pages},
        "exports": {name: timed_export(clients[who], url) for name, who, url in exports},
    }


def measure_interleaved(small_db: str, large_db: str, *, repeat: int = 7) -> tuple[dict, dict]:
    """Time both kept databases request by request, small and large in turn (each with its own open
    connection, swapped in as Django's default), so that a busy machine slows both sides alike: the median of
    `repeat` each, after one warm-up each."""
    import copy

    from django.db import connection, connections
    from django.db.utils import load_backend
    from django.test import Client

    from agency.models import User

    base = copy.deepcopy(connections["default"].settings_dict)
    backend = load_backend(base["ENGINE"])
    sides: dict[str, dict] = {}
    for side, db in (("small", small_db), ("large", large_db)):
        connections["default"] = backend.DatabaseWrapper({**copy.deepcopy(base), "NAME": db}, "default")
        clients = {}
        for username in ("manager", "merchant1"):
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        sides[side] = {"wrapper": connections["default"], "clients": clients, "messages": _count_messages(),
                       "pages": {}, "exports": {}}

    def use(side: str) -> dict:
        connections["default"] = sides[side]["wrapper"]
        return sides[side]["clients"]

    pages, exports = pages_and_exports()
    for name, who, url in pages:
        times: dict[str, list[float]] = {"small": [], "large": []}
        for side in times:
            use(side)[who].get(url)  # warm-up
        for i in range(repeat):
            for side in (("small", "large") if i % 2 == 0 else ("large", "small")):
                times[side].append(timed_get(use(side)[who], url, repeat=1, warm=False))
        for side in times:
            sides[side]["pages"][name] = statistics.median(times[side])
    for name, who, url in exports:
        for side in ("small", "large"):
            sides[side]["exports"][name] = timed_export(use(side)[who], url)
    return sides["small"], sides["large"]


def report(small: dict | None, large: dict, *, small_db: str | None, large_db: str | None) -> None:
    pages, exports = pages_and_exports()
    print()
    if small is None:
        print(f"{large_db}: {large['messages']:,} messages   (server-side ms, median of 5)")
        for name, _who, _url in pages:
            print(f"{name:40} {large['pages'][name]:8.1f} ms")
        for name, _who, _url in exports:
            first, total, size, job = large["exports"][name]
            print(f"{name:40} first byte {first:8.1f} ms, total {total:8.0f} ms, {size / 1e6:.1f} MB{' (job)' if job else ''}")
        return
    names = f" ({small_db} / {large_db})" if small_db else ""
    how = "median of 7, small and large in turn" if small_db else "median of 5"
    print(f"messages: small {small['messages']:,}  large {large['messages']:,}{names}   (server-side ms, {how})")
    print(f"{'page':40} {'small':>8} {'large':>8} {'ratio':>6}  target: <300 ms and <=2x")
    for name, _who, _url in pages:
        s, big = small["pages"][name], large["pages"][name]
        ok = big < 300 and big <= 2 * max(s, 1)
        print(f"{name:40} {s:8.1f} {big:8.1f} {big / max(s, 0.1):6.2f}  {'ok' if ok else 'MISSED'}")
    print()
    print(f"{'export':40} {'first byte small':>17} {'first byte large':>17} {'total large':>12} {'MB':>6}  target: first byte <1 s")
    for name, _who, _url in exports:
        sf = small["exports"][name][0]
        lf, lt, ls, job = large["exports"][name]
        how = "  (large: offered as a job; total = the job writing the file)" if job else ""
        print(f"{name:40} {sf:15.1f}ms {lf:15.1f}ms {lt:10.0f}ms {ls / 1e6:6.1f}  {'ok' if lf < 1000 else 'MISSED'}{how}")


def _count_messages() -> int:
    from compliance.models import ChatMessage

    return ChatMessage.objects.count()


if __name__ == "__main__":
    main()
