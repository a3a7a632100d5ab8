"""The fault test: a real Celery worker process is killed with SIGKILL in the middle of an import, and the
import still ends, with the data whole: never stuck "running", never half a file.

The worker is made to be mid-import deterministically: this test holds the shop's row lock (the import
takes it before writing), waits until PostgreSQL shows the worker's transaction waiting for it, then kills.

1. The pool child running the task is killed: its parent re-queues the message at once (acks_late +
   reject_on_worker_lost) and a new child imports the whole file.
2. The whole worker is killed: its message stays unacknowledged in Redis; a second worker, started with a
   short visibility timeout, gets it re-delivered and imports the whole file. (With the production settings
   the re-delivery waits for the visibility timeout; meanwhile beat fails the job, see test_job_lifecycle.)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest
import redis
from django.db import connection

from agency.celery import app
from agency.models import Job
from compliance.sessions.models import ChatMessage, ChatSession
from compliance.sessions.services.importing import sessions_import_enqueue
from tests.agency.test_real_services import broker_reachable
from tests.conftest import require_service

pytestmark = [pytest.mark.broker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
SESSIONS, PER_SESSION = 200, 10


def _wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting {seconds:.0f} s for: {what}")


def _file(path: Path) -> Path:
    start = datetime(2026, 11, 1, 9, 0)
    with path.open("w", encoding="utf-8") as out:
        for s in range(SESSIONS):
            messages = [
                {"id": f"m{s}-{i}", "sender": "buyer" if i % 2 == 0 else "agent", "agent": "a01",
                 "sent_at": (start + timedelta(minutes=s, seconds=i * 7)).isoformat(), "text": f"第{i}句"}
                for i in range(PER_SESSION)
            ]
            out.write(json.dumps({"session_id": f"s{s}", "buyer": f"b{s}", "messages": messages}) + "\n")
    return path


def _dsn() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgresql://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    """Real `celery worker` processes on the test database and the configured broker."""

    def __init__(self, media: Path, logs: Path):
        self.media, self.logs, self.procs = media, logs, []

    def start(self, name: str, *, pool: str, visibility_timeout: int) -> subprocess.Popen:
        env = {
            **os.environ, "DATABASE_URL": _dsn().replace("postgresql://", "postgres://"),
            "MEDIA_ROOT": str(self.media), "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "JOB_HEARTBEAT_SECONDS": "1",
        }
        env.pop("TEST_CLOCK_SHIFT_DAYS", None)
        log = (self.logs / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "agency", "worker", f"--pool={pool}", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()


@pytest.fixture
def workers(tmp_path, settings):
    require_service(connection.vendor == "postgresql", "the fault test needs PostgreSQL")
    broker = app.conf.broker_url
    require_service(broker.startswith("redis://") and broker_reachable(broker), f"a Redis broker at {broker}")
    settings.MEDIA_ROOT = tmp_path / "media"
    client = redis.Redis.from_url(broker)
    client.delete("celery", "unacked", "unacked_index")  # nothing left over from an earlier run
    app.conf.task_always_eager = False
    pool = Workers(tmp_path / "media", tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        app.conf.task_always_eager = True
        client.delete("celery", "unacked", "unacked_index")
        for log in sorted(tmp_path.glob("*.log")):
            sys.stdout.write(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}\n")


class ShopLock:
    """This test's own connection holding the shop's row lock, so the import waits (mid-import) for it."""

    def __init__(self, shop_id: int):
        self.conn = psycopg.connect(_dsn(), autocommit=False)
        self.conn.execute("SELECT id FROM clients_shop WHERE id = %s FOR UPDATE", [shop_id])
        self.watch = psycopg.connect(_dsn(), autocommit=True)  # pg_stat_activity is a snapshot per transaction

    def worker_waiting(self) -> bool:
        row = self.watch.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND wait_event_type = 'Lock'"
        ).fetchone()
        return bool(row and row[0])

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()
        self.watch.close()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _import_and_hold(tenants, manager, tmp_path) -> tuple[Job, ShopLock]:
    shop = tenants[0].shop
    lock = ShopLock(shop.pk)
    data = _file(tmp_path / "sessions.jsonl").read_bytes()
    job = sessions_import_enqueue(shop=shop, chunks=iter([data]), fmt="jsonl", filename="sessions.jsonl", by=manager)
    return job, lock


def _assert_whole(tenants) -> None:
    shop = tenants[0].shop
    assert ChatMessage.objects.filter(shop=shop).count() == SESSIONS * PER_SESSION
    assert ChatMessage.objects.filter(shop=shop).values("external_id").distinct().count() == SESSIONS * PER_SESSION
    assert ChatSession.objects.filter(shop=shop).count() == SESSIONS


def test_a_killed_pool_child_is_replaced_and_the_import_finishes_whole(workers, tenants, manager, tmp_path):
    worker = workers.start("fault-prefork", pool="prefork", visibility_timeout=3600)
    job, lock = _import_and_hold(tenants, manager, tmp_path)
    try:
        _wait(lock.worker_waiting, 90, "the worker's import waiting for the shop's lock")
        job.refresh_from_db()
        assert job.status == Job.Status.RUNNING and job.attempts == 1
        children = _children(worker.pid)
        assert len(children) == 1
        os.kill(children[0], signal.SIGKILL)
    finally:
        lock.release()
    assert ChatMessage.objects.filter(shop=tenants[0].shop).count() == 0  # the killed transaction wrote nothing

    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    _wait(finished, 90, "the re-queued import to finish")
    assert job.status == Job.Status.DONE, job.message
    assert job.attempts == 2 and job.result["messages_created"] == SESSIONS * PER_SESSION
    _assert_whole(tenants)
    assert list((tmp_path / "media" / "jobs").iterdir()) == []  # the upload removed once done


def test_a_killed_worker_is_redelivered_to_another_and_the_import_finishes_whole(workers, tenants, manager, tmp_path):
    first = workers.start("fault-solo-1", pool="solo", visibility_timeout=3600)
    job, lock = _import_and_hold(tenants, manager, tmp_path)
    try:
        _wait(lock.worker_waiting, 90, "the worker's import waiting for the shop's lock")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        lock.release()
    assert ChatMessage.objects.filter(shop=tenants[0].shop).count() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING  # until someone notices: a new worker, or beat (test_job_lifecycle)
    workers.start("fault-solo-2", pool="solo", visibility_timeout=1)

    def finished() -> bool:
        job.refresh_from_db()
        return job.is_finished

    _wait(finished, 120, "the re-delivered import to finish")
    assert job.status == Job.Status.DONE, job.message
    assert job.attempts == 2 and "fault-solo-2" in job.worker
    _assert_whole(tenants)
