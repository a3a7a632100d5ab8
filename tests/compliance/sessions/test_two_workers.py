"""Two real Celery workers (separate processes, as on two machines) share one scan backlog through the real
broker and PostgreSQL: every message is scanned exactly once, and both workers take part."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection

from agency.celery import app, registered_task
from compliance.models import ChatMessage, Hit
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.scanning import default_scanner_factory
from compliance.sessions.sessionfile import SHANGHAI
from tests.conftest import IN_CI
from tests.factories import ShopFactory

ROOT = Path(__file__).resolve().parents[3]
SESSIONS = 1500  # four messages each: 6,000 messages
CHUNK = 20
TASKS = 8


def backlog() -> bytes:
    start = datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)
    lines = []
    for i in range(SESSIONS):
        at = start + timedelta(seconds=20 * i)
        lines.append(json.dumps({
            "session_id": f"s{i}", "buyer": f"b{i}",
            "messages": [
                {"id": f"m{i}-1", "sender": "buyer", "sent_at": at.isoformat(), "text": "在吗，这个什么时候发货"},
                {"id": f"m{i}-2", "sender": "agent", "agent": "a01", "sent_at": (at + timedelta(seconds=9)).isoformat(),
                 "text": "亲，加我微信发你链接，全网最低价哦" if i % 3 == 0 else "亲，今天下午就发货哦"},
                {"id": f"m{i}-3", "sender": "buyer", "sent_at": (at + timedelta(seconds=15)).isoformat(), "text": "好的"},
                {"id": f"m{i}-4", "sender": "agent", "agent": "a01", "sent_at": (at + timedelta(seconds=18)).isoformat(),
                 "text": "感谢您的支持～"},
            ],
        }, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode()


def start_worker(name: str, queue: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": app.conf.broker_url,
        "CELERY_RESULT_BACKEND": str(app.conf.result_backend),
        "SCAN_CHUNK_SIZE": str(CHUNK),
    })
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "agency", "worker", "-P", "threads", "-c", "1", "-Q", queue,
         "-n", f"{name}@%h", "--prefetch-multiplier=1", "--without-gossip", "--without-mingle", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_two_workers_share_a_backlog_and_scan_every_message_once(settings):
    broker = app.conf.broker_url
    if connection.vendor != "postgresql" or not broker.startswith(("redis://", "amqp://")):
        if IN_CI:
            pytest.fail("CI runs this against PostgreSQL and a real broker")
        pytest.skip("needs PostgreSQL and a real broker")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    shop = ShopFactory(platform="pdd")
    sessions_import_file(shop=shop, data=backlog(), fmt="jsonl", scan=False)
    total = ChatMessage.objects.filter(shop=shop).count()
    assert total == SESSIONS * 4
    default_scanner_factory(platform=shop.platform, shop=shop)  # the rule library is loaded before the race

    queue = f"scan-test-{uuid.uuid4().hex[:8]}"
    workers = [start_worker(f"w{n}-{queue}", queue) for n in (1, 2)]
    try:
        names = {f"w{n}-{queue}" for n in (1, 2)}
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            replies = app.control.ping(timeout=1.0) or []
            up = {name.split("@")[0] for reply in replies for name in reply}
            if names <= up:
                break
            assert all(w.poll() is None for w in workers), "a worker exited: " + b"".join(
                w.stderr.read() or b"" for w in workers if w.poll() is not None and w.stderr).decode(errors="replace")
        else:
            pytest.fail("the two workers did not come up in 90 s")

        task = registered_task(app, "compliance.scan_new_messages")
        results = [task.apply_async(kwargs={"shop_id": shop.pk}, queue=queue) for _ in range(TASKS)]
        summaries = [r.get(timeout=240) for r in results]
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()

    scanned = sum(s["messages"] for s in summaries)
    assert scanned == total  # each chunk counted by the one task that scanned it: no message twice, none missed
    assert not ChatMessage.objects.filter(shop=shop, scanned_ruleset__isnull=True).exists()
    by_worker: dict[int, int] = {}
    for s in summaries:
        pid = int(s["worker"].rsplit(":", 1)[1])
        by_worker[pid] = by_worker.get(pid, 0) + s["messages"]
    assert set(by_worker) == {w.pid for w in workers} and all(by_worker.values()), by_worker  # both took part
    # Each flagged message's hits once: 微信 (other platform) and 全网/最低价 (absolute claims) in every third session.
    flagged = ChatMessage.objects.filter(shop=shop, hits__isnull=False).distinct().count()
    assert flagged == len(range(0, SESSIONS, 3))
    per_message = Hit.objects.filter(message__shop=shop).values("message_id", "rule", "start").distinct().count()
    assert per_message == Hit.objects.filter(message__shop=shop).count()
