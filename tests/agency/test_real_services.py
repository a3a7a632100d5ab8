"""The parts underneath are real: PostgreSQL in CI, and Celery tasks through the real broker to a worker."""

import socket
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.utils import timezone

from agency.celery import app, ping
from agency.models import Job
from agency.tasks import purge_finished_jobs
from tests.conftest import IN_CI, require_service


def broker_reachable(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in {"filesystem", "memory"}:
        return True
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=2):
            return True
    except OSError:
        return False


def test_database_is_postgresql_in_ci(db):
    if not IN_CI:
        pytest.skip(f"not under CI: running on {connection.vendor}")
    assert connection.vendor == "postgresql"


@pytest.fixture
def real_worker(settings):
    broker = app.conf.broker_url
    if IN_CI:
        assert broker.startswith(("redis://", "amqp://")), f"CI must use a real broker, not {broker}"
    require_service(broker_reachable(broker), f"Celery broker {broker} is not reachable")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, shutdown_timeout=10):
        yield app


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_task_round_trips_through_the_broker(real_worker):
    result = ping.delay(41)
    assert result.get(timeout=30) == 42
    assert result.successful()


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_worker_writes_to_the_database(real_worker):
    old = Job.objects.create(kind="test", title="old", status=Job.Status.DONE)
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=40))
    recent = Job.objects.create(kind="test", title="recent", status=Job.Status.DONE, finished_at=timezone.now())
    assert purge_finished_jobs.delay(30).get(timeout=30) == 1
    assert list(Job.objects.values_list("pk", flat=True)) == [recent.pk]
