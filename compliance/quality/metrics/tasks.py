"""Celery tasks of the response metrics: thin wrappers over the services. The names are fixed (the beat
schedule in the settings and queued messages use them)."""

from __future__ import annotations

from celery import shared_task

from agency.services import job_fail_on_error, job_finish, job_progress
from compliance.quality.metrics.exports import shop_sessions_export_run
from compliance.quality.metrics.merchant_export import merchant_data_export_run
from compliance.quality.metrics.services import metrics_refresh, metrics_refresh_new, metrics_refresh_recent


@shared_task(name="quality.metrics_refresh_new")
def metrics_refresh_new_task() -> dict:
    """Incremental roll-up: only sessions that received messages since the last run, and their days.

    Scheduled by CELERY_BEAT_SCHEDULE every few minutes; imports may also call it right after a file.
    """
    return metrics_refresh_new().as_dict()


@shared_task(name="quality.metrics_refresh_recent")
def metrics_refresh_recent_task(days: int = 2) -> dict:
    """Nightly: recompute the last days' sessions whatever the cursor says."""
    return metrics_refresh_recent(days=days).as_dict()


@shared_task(name="quality.metrics_refresh_sessions")
def metrics_refresh_sessions_task(session_ids: list[int]) -> dict:
    return metrics_refresh(session_ids=session_ids).as_dict()


@shared_task(name="quality.metrics_recompute_all")
def metrics_recompute_all_task(job_id: int | None = None) -> dict:
    """A full recompute, reporting through a Job when one is given."""
    with job_fail_on_error(job_id=job_id):
        if job_id:
            job_progress(job_id=job_id, progress=0.05, message="recomputing")
        result = metrics_refresh().as_dict()
    if job_id:
        job_finish(job_id=job_id, result=result)
    return result


@shared_task(name="quality.shop_sessions_export")
def shop_sessions_export(*, job_id: int, user_id: int, shop_id: int, month: str, language: str = "zh-hans") -> dict:
    """A big per-session CSV written to a file (`exports.shop_sessions_export_run`), in the asker's language."""
    with job_fail_on_error(job_id=job_id):
        return shop_sessions_export_run(job_id=job_id, user_id=user_id, shop_id=shop_id, month=month,
                                        language=language)


@shared_task(name="quality.merchant_data_export")
def merchant_data_export(*, job_id: int, user_id: int) -> dict:
    """All of a merchant's data as a ZIP of CSV files (`merchant_export.merchant_data_export_run`)."""
    with job_fail_on_error(job_id=job_id):
        return merchant_data_export_run(job_id=job_id, user_id=user_id)
