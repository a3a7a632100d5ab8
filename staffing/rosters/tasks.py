"""Celery task for roster solves (thin: the service does the work and reports progress to the job)."""

from __future__ import annotations

from celery import shared_task

from agency.services import job_fail_on_error
from staffing.rosters.services import roster_solve_run


@shared_task(name="staffing.roster_solve")
def roster_solve_task(job_id: int, roster_id: int, time_limit: float = 30.0) -> dict:
    with job_fail_on_error(job_id=job_id, prefix="排班求解失败："):
        result = roster_solve_run(roster_id=roster_id, job_id=job_id, time_limit=time_limit)
    return {"status": result["status"]}
