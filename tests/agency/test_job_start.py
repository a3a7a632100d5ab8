"""The one way long work starts: the Job is recorded, the upload kept, the task queued by name on commit."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import transaction

from agency.celery import app
from agency.models import Job
from agency.services import job_finish, job_start

pytestmark = pytest.mark.django_db(transaction=True)

SEEN: list[dict] = []


@app.task(name="tests.agency.record_job")
def record_job(*, job_id: int, path: str | None = None, note: str = "") -> None:
    content = Path(path).read_bytes() if path else b""
    SEEN.append({"job_id": job_id, "path": path, "note": note, "content": content})
    job_finish(job_id=job_id, result={"bytes": len(content)})


@pytest.fixture(autouse=True)
def _clear():
    SEEN.clear()


def test_the_task_runs_after_the_transaction_commits_with_the_kept_upload(settings, tmp_path, manager):
    settings.MEDIA_ROOT = tmp_path
    with transaction.atomic():
        job = job_start(task="tests.agency.record_job", kind="test.upload", title="上传", created_by=manager,
                        merchant_id=7, upload=iter([b"abc", b"def"]), upload_suffix=".csv", kwargs={"note": "n"})
        assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
        assert SEEN == []  # not before the commit: the worker would not find the Job yet
    assert len(SEEN) == 1
    seen = SEEN[0]
    assert seen["job_id"] == job.pk and seen["note"] == "n" and seen["content"] == b"abcdef"
    assert Path(seen["path"]).parent == tmp_path / "jobs" and seen["path"].endswith(".csv")
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"bytes": 6}
    assert job.created_by == manager and job.merchant_id == 7 and job.kind == "test.upload"


def test_a_rolled_back_start_queues_nothing(manager):
    with pytest.raises(RuntimeError), transaction.atomic():
        job_start(task="tests.agency.record_job", kind="test", title="t", created_by=manager)
        raise RuntimeError("the caller's work failed")
    assert SEEN == [] and not Job.objects.filter(kind="test").exists()


def test_an_unknown_task_name_fails_loudly(manager):
    with pytest.raises(KeyError), transaction.atomic():
        job_start(task="no.such.task", kind="test", title="t", created_by=manager)
