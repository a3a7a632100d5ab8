"""Celery tasks of the statements; names are fixed (beat and jobs use them)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from agency.services import job_fail_on_error, job_finish, job_progress_reporter
from clients.statements.services import previous_month, statements_generate_month


@shared_task(name="clients.statements_generate_month")
def statements_generate_month_task(*, month: str | None = None, job_id: int | None = None) -> dict:
    """Beat on the 1st: the month just ended for every live contract; or a month asked for, as a job."""
    first = date.fromisoformat(month) if month else previous_month(timezone.localdate())
    with job_fail_on_error(job_id=job_id):
        result = statements_generate_month(month=first, progress=job_progress_reporter(job_id=job_id))
    if job_id is not None:
        job_finish(job_id=job_id, result=result, message=f"{len(result['statements'])} 份对账单")
    return result
