"""Celery tasks of the rule library: the impact preview of a draft, reporting through agency.Job."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task

from agency.services import job_fail, job_fail_on_error, job_finish, job_progress_reporter
from compliance.rules.impact import impact_page_url, ruleset_impact
from compliance.rules.models import RuleSet


@shared_task(name="compliance.ruleset_impact")
def ruleset_impact_run(*, job_id: int, draft_id: int, days: int, until: str) -> dict:
    """The impact preview of a draft (queued by `compliance.rules.impact.ruleset_impact_queue`)."""
    with job_fail_on_error(job_id=job_id):
        draft = RuleSet.objects.filter(pk=draft_id, status=RuleSet.Status.DRAFT).first()
        if draft is None:
            job_fail(job_id=job_id, message="草稿已发布或已删除")
            return {}
        result = ruleset_impact(
            draft=draft, days=days, until=datetime.fromisoformat(until), progress=job_progress_reporter(job_id=job_id),
        )
    result["url"] = impact_page_url(draft_id=draft_id, job_id=job_id)
    job_finish(
        job_id=job_id, result=result,
        message=f"{result['messages']} 条消息：新增 {result['added']} 处命中，消失 {result['removed']} 处",
    )
    return result
