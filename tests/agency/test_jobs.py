"""Job reporting helpers the apps' Celery tasks share: the progress callback and failing on error."""

from __future__ import annotations

import pytest

from agency.models import Job
from agency.services import job_create, job_fail_on_error, job_progress_reporter


@pytest.mark.django_db
def test_reporter_writes_only_when_progress_moved_by_a_step_and_at_the_end(django_assert_num_queries):
    job = job_create(kind="test", title="t")
    report = job_progress_reporter(job_id=job.pk, step=0.1)
    with django_assert_num_queries(1):
        report(1, 100)  # first report: written (the job is started in the same update)
    with django_assert_num_queries(0):
        report(5, 100)  # moved by 0.04 < 0.1
    report(11, 100)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.progress == pytest.approx(0.11) and job.message == "11/100"
    report(100, 100)
    job.refresh_from_db()
    assert job.progress == 1.0 and job.message == "100/100"


def test_no_job_means_no_reporter():
    assert job_progress_reporter(job_id=None) is None


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_and_is_raised_again():
    job = job_create(kind="test", title="t")
    with pytest.raises(RuntimeError), job_fail_on_error(job_id=job.pk, prefix="求解失败："):
        raise RuntimeError("boom")
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.message == "求解失败：boom" and job.finished_at is not None


@pytest.mark.django_db
def test_work_that_succeeds_leaves_the_job_alone():
    job = job_create(kind="test", title="t")
    with job_fail_on_error(job_id=job.pk):
        pass
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.finished_at is None
