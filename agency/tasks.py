"""Housekeeping tasks of the agency app."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from agency.models import Job


@shared_task(name="agency.purge_finished_jobs")
def purge_finished_jobs(older_than_days: int = 30) -> int:
    """Delete finished background-job records older than the given number of days; returns how many."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = Job.objects.filter(finished_at__lt=cutoff).delete()
    return deleted
