"""Housekeeping tasks of the agency app."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from agency.models import Job
from agency.services import job_upload_remove, jobs_fail_stalled


@shared_task(name="agency.purge_finished_jobs")
def purge_finished_jobs(older_than_days: int = 30) -> int:
    """Delete finished background-job records older than the given number of days, and any upload they
    still kept (a job failed by `jobs_fail_stalled` keeps its upload for a retry); returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    old = Job.objects.filter(finished_at__lt=cutoff)
    for arguments in old.values_list("arguments", flat=True):
        if isinstance(arguments, dict):
            job_upload_remove(path=arguments.get("path"))
    deleted, _ = old.delete()
    return deleted


@shared_task(name="agency.jobs_fail_stalled")
def fail_stalled_jobs() -> int:
    """Beat, every minute: jobs whose worker vanished, or that never left the queue, fail saying why."""
    return jobs_fail_stalled()
