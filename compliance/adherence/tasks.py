"""Celery: adherence of today's and yesterday's shifts every few minutes, and a range as a job."""

from __future__ import annotations

from datetime import date, timedelta

from celery import shared_task
from django.utils import timezone

from agency.services import job_fail_on_error, job_finish, job_progress_reporter
from compliance.adherence.services import adherence_compute, adherence_compute_days


@shared_task(name="compliance.adherence_refresh")
def adherence_refresh_task() -> int:
    """Today's and yesterday's shifts (a night shift of yesterday is still running this morning)."""
    today = timezone.localdate()
    return adherence_compute(first=today - timedelta(days=1), last=today)


@shared_task(name="compliance.adherence_compute")
def adherence_compute_task(*, job_id: int, first: str, last: str) -> int:
    with job_fail_on_error(job_id=job_id):
        measured = adherence_compute_days(
            first=date.fromisoformat(first), last=date.fromisoformat(last), report=job_progress_reporter(job_id=job_id)
        )
        job_finish(job_id=job_id, result={"shifts": measured})
        return measured
