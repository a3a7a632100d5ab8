"""Celery tasks of the quality app: thin wrappers over the services."""

from __future__ import annotations

from celery import shared_task

from agency.services import job_fail_on_error, job_finish, job_progress


@shared_task(name="quality.metrics_refresh_new")
def metrics_refresh_new_task() -> dict:
    """Incremental roll-up: only sessions that received messages since the last run, and their days.

    Scheduled by CELERY_BEAT_SCHEDULE every few minutes; imports may also call it right after a file.
    """
    from compliance.quality.services.metrics import metrics_refresh_new

    return metrics_refresh_new().as_dict()


@shared_task(name="quality.metrics_refresh_recent")
def metrics_refresh_recent_task(days: int = 2) -> dict:
    """Nightly: recompute the last days' sessions whatever the cursor says."""
    from compliance.quality.services.metrics import metrics_refresh_recent

    return metrics_refresh_recent(days=days).as_dict()


@shared_task(name="quality.metrics_refresh_sessions")
def metrics_refresh_sessions_task(session_ids: list[int]) -> dict:
    from compliance.quality.services.metrics import metrics_refresh

    return metrics_refresh(session_ids=session_ids).as_dict()


@shared_task(name="quality.metrics_recompute_all")
def metrics_recompute_all_task(job_id: int | None = None) -> dict:
    """A full recompute, reporting through a Job when one is given."""
    from compliance.quality.services.metrics import metrics_refresh

    with job_fail_on_error(job_id=job_id):
        if job_id:
            job_progress(job_id=job_id, progress=0.05, message="recomputing")
        result = metrics_refresh().as_dict()
    if job_id:
        job_finish(job_id=job_id, result=result)
    return result
