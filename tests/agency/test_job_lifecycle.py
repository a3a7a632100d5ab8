"""Jobs that finish or say why: a broker that does not answer is a 503 (job failed, upload removed), beat
fails jobs whose worker vanished or that never left the queue, a failed idempotent job can be retried, and a
re-delivered task does not run a job that is already finished."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.celery import app
from agency.models import Job
from agency.services import job_claim, job_create, job_finish, job_progress, job_retry, jobs_fail_stalled
from agency.tasks import purge_finished_jobs

pytestmark = pytest.mark.django_db(transaction=True)

RUNS: list[int] = []


@app.task(name="tests.agency.count_run")
def count_run(*, job_id: int, path: str | None = None) -> None:
    RUNS.append(job_id)
    job_finish(job_id=job_id, result={"read": Path(path).read_text() if path else ""})


@pytest.fixture(autouse=True)
def _clear_runs():
    RUNS.clear()


@pytest.fixture
def silent_broker():
    """A Redis 'server' that accepts connections and never answers, set as the broker of this process."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager,
             app.conf.broker_write_url)
    app.conf.broker_url = app.conf.broker_write_url = f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    app.conf.broker_transport_options = {**(saved[1] or {}), "socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        server.close()
        (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager,
         app.conf.broker_write_url) = saved
        app._pool = None
        app.amqp._producer_pool = None


@pytest.mark.broker
def test_a_broker_that_never_answers_is_a_503_the_job_failed_and_its_upload_removed(
    silent_broker, api_client_for, manager, tenants, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("s.jsonl", b'{"session_id": "s1"}\n', content_type="application/octet-stream")
    response = api_client_for(manager).post(
        "/api/sessions/import/", {"file": upload, "shop": tenants[0].shop.code, "background": "true"},
        format="multipart",
    )
    assert response.status_code == 503, response.content
    assert response["Retry-After"]
    body = response.json()
    job = Job.objects.get(pk=body["job"])
    assert "后台任务队列" in body["detail"]
    assert job.status == Job.Status.FAILED and "队列不可用" in job.message and job.finished_at is not None
    assert not job.retryable
    assert list((tmp_path / "jobs").iterdir()) == []  # the upload is gone


@pytest.mark.broker
def test_a_page_that_cannot_queue_answers_503_in_html(silent_broker, client, manager, tenants, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager)
    upload = SimpleUploadedFile("s.jsonl", b'{"session_id": "s1"}\n')
    response = client.post("/compliance/sessions/import/", {"file": upload, "shop": tenants[0].shop.code})
    assert response.status_code == 503
    assert "后台任务队列" in response.content.decode()
    assert Job.objects.get().status == Job.Status.FAILED
    assert list((tmp_path / "jobs").iterdir()) == []


def test_beat_fails_a_running_job_whose_worker_stopped_beating_and_leaves_live_ones(settings):
    settings.JOB_HEARTBEAT_TIMEOUT = 120
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        lost = job_create(kind="t", title="lost")
        alive = job_create(kind="t", title="alive")
        waiting = job_create(kind="t", title="waiting")
        assert job_claim(job_id=lost.pk, worker="w1@host") and job_claim(job_id=alive.pk, worker="w2@host")
    with time_machine.travel(start + timedelta(seconds=100), tick=False):
        job_progress(job_id=alive.pk, progress=0.5)  # progress is a heartbeat too
    with time_machine.travel(start + timedelta(seconds=121), tick=False):
        assert jobs_fail_stalled() == 1
    lost.refresh_from_db()
    alive.refresh_from_db()
    waiting.refresh_from_db()
    assert lost.status == Job.Status.FAILED and "w1@host" in lost.message and "失联" in lost.message
    assert alive.status == Job.Status.RUNNING and waiting.status == Job.Status.QUEUED


def test_beat_fails_a_job_that_never_left_the_queue(settings):
    settings.JOB_QUEUED_TIMEOUT = 3600
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        job = job_create(kind="t", title="stuck in the queue")
    with time_machine.travel(start + timedelta(seconds=3599), tick=False):
        assert jobs_fail_stalled() == 0
    with time_machine.travel(start + timedelta(seconds=3601), tick=False):
        assert jobs_fail_stalled() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and "排队" in job.message


def test_a_redelivered_task_does_not_run_a_finished_or_failed_job_again():
    done = job_create(kind="t", title="done")
    job_finish(job_id=done.pk)
    failed = job_create(kind="t", title="failed")
    Job.objects.filter(pk=failed.pk).update(status=Job.Status.FAILED)
    assert not job_claim(job_id=done.pk, worker="w")
    assert not job_claim(job_id=failed.pk, worker="w")
    assert not job_claim(job_id=10**9, worker="w")
    running = job_create(kind="t", title="taken over")
    assert job_claim(job_id=running.pk, worker="w1") and job_claim(job_id=running.pk, worker="w2")
    running.refresh_from_db()
    assert running.attempts == 2 and running.worker == "w2"


def test_a_failed_retryable_job_runs_again_with_its_kept_upload_and_only_then(manager, settings, tmp_path, client):
    from agency.services import job_start

    settings.MEDIA_ROOT = tmp_path
    settings.JOB_HEARTBEAT_TIMEOUT = 60
    app.conf.task_always_eager = False  # queue nothing: the worker "dies" before it runs
    try:
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            job = job_start(task="tests.agency.count_run", kind="t", title="t", created_by=manager,
                            upload=iter([b"rows"]), retryable=True)
            job_claim(job_id=job.pk, worker="gone@host")
        with time_machine.travel(start + timedelta(seconds=61), tick=False):
            assert jobs_fail_stalled() == 1
    finally:
        app.conf.task_always_eager = True
    client.force_login(manager)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert f"/jobs/{job.pk}/retry/" in page
    response = client.post(f"/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert [job.pk] == RUNS and job.status == Job.Status.DONE and job.result == {"read": "rows"}
    # A job that is not failed, or not retryable, is refused.
    client.post(f"/jobs/{job.pk}/retry/")
    assert [job.pk] == RUNS
    with pytest.raises(ValueError):
        job_retry(job=job, by=manager)


def test_an_upload_that_is_gone_cannot_be_retried(manager, settings, tmp_path):
    from agency.services import job_can_retry

    job = job_create(kind="t", title="t")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, task="tests.agency.count_run", retryable=True,
        arguments={"job_id": job.pk, "path": str(tmp_path / "jobs" / "gone.csv")},
    )
    job.refresh_from_db()
    assert not job_can_retry(job)


def test_purging_old_jobs_removes_the_uploads_they_kept(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "jobs").mkdir()
    kept = tmp_path / "jobs" / "abc.csv"
    kept.write_text("x")
    job = job_create(kind="t", title="t")
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, finished_at=timezone.now() - timedelta(days=40),
        arguments={"job_id": job.pk, "path": str(kept)},
    )
    assert purge_finished_jobs(30) == 1
    assert not kept.exists()
