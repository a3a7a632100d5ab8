"""Celery tasks for auto-QA and sampling. Thin: they call the services and report progress on a Job.
The names are fixed (the beat schedule in the settings and queued messages use them)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.services import job_fail_on_error, job_finish, job_progress
from compliance.quality.qa import services


@shared_task(name="quality.autoqa_score")
def autoqa_score(job_id: int | None = None, rescore_all: bool = False, session_ids: list[int] | None = None) -> int:
    """Auto-score every session that has no score under the current configuration, in chunks.

    Idempotent: a session's result is replaced, never duplicated, so a retried or overlapping run only
    repeats work. With `rescore_all` every session is scored again."""

    def report(done: int, total: int) -> None:
        if job_id is not None:
            job_progress(job_id=job_id, progress=done / total, message=f"{done}/{total}")

    with job_fail_on_error(job_id=job_id):
        scored = services.autoqa_score_pending_sessions(rescore_all=rescore_all, session_ids=session_ids, report=report)
    if job_id is not None:
        job_finish(job_id=job_id, result={"scored": scored}, message=_("已评分 %(n)s 个会话") % {"n": scored})
    return scored


@shared_task(name="quality.autoqa_score_pending")
def autoqa_score_pending() -> int:
    """Beat entry: score sessions imported since the last run (no Job row: it runs every few minutes)."""
    return autoqa_score()


@shared_task(name="quality.sampling_run_due")
def sampling_run_due() -> int:
    """Beat entry, once a day after midnight: each active plan samples its last finished period."""
    return len(services.sampling_run_due(today=timezone.localdate()))
