"""Celery tasks for auto-QA and sampling. Thin: they call the services and report progress on a Job."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import job_create, job_fail_on_error, job_finish, job_progress
from compliance.quality import qa_services
from compliance.quality.metric_tasks import (  # noqa: F401  response-metric tasks, registered on import
    metrics_recompute_all_task,
    metrics_refresh_new_task,
    metrics_refresh_recent_task,
    metrics_refresh_sessions_task,
)

CHUNK = 500


@shared_task(name="quality.autoqa_score")
def autoqa_score(job_id: int | None = None, rescore_all: bool = False, session_ids: list[int] | None = None) -> int:
    """Auto-score every session that has no score under the current configuration, in chunks.

    Idempotent: a session's result is replaced, never duplicated, so a retried or overlapping run only
    repeats work. With `rescore_all` every session is scored again."""
    checks, config_hash = qa_services.autoqa_config()
    if session_ids is None:
        session_ids = qa_services.autoqa_pending_session_ids(config_hash=config_hash, rescore_all=rescore_all)
    total = len(session_ids)
    done = 0
    with job_fail_on_error(job_id=job_id):
        for start in range(0, total, CHUNK):
            chunk = session_ids[start : start + CHUNK]
            done += qa_services.autoqa_score_sessions(session_ids=chunk, checks=checks, config_hash=config_hash)
            if job_id is not None:
                job_progress(job_id=job_id, progress=(start + len(chunk)) / total, message=f"{start + len(chunk)}/{total}")
    if job_id is not None:
        job_finish(job_id=job_id, result={"scored": done}, message=_("已评分 %(n)s 个会话") % {"n": done})
    return done


@shared_task(name="quality.autoqa_score_pending")
def autoqa_score_pending() -> int:
    """Beat entry: score sessions imported since the last run (no Job row: it runs every few minutes)."""
    return autoqa_score()


@shared_task(name="quality.sampling_run_due")
def sampling_run_due() -> int:
    """Beat entry, once a day after midnight: each active plan samples its last finished period."""
    return len(qa_services.sampling_run_due(today=timezone.localdate()))


def autoqa_rescore_start(*, by, rescore_all: bool = False):
    """Create the Job and queue the task; the page then shows the progress bar."""
    job = job_create(kind="quality.autoqa", title=_("自动质检评分"), created_by=by)
    autoqa_score.delay(job_id=job.pk, rescore_all=rescore_all)
    return job
