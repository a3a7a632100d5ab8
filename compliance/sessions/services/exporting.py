"""Exports too big to stream in a request (more than EXPORT_STREAM_MAX_ROWS rows) start here as jobs."""

from __future__ import annotations

from dataclasses import asdict

from django.utils.translation import gettext as _

from agency.models import Job, User
from agency.services import job_start
from compliance.sessions.selectors import ViolationFilter

VIOLATIONS_EXPORT_TASK = "compliance.violations_export"


def violations_export_start(*, by: User, filters: ViolationFilter) -> Job:
    """The filtered violations as a CSV file written by a worker; the job's page offers the download."""
    wanted = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in asdict(filters).items()}
    return job_start(
        task=VIOLATIONS_EXPORT_TASK, kind="compliance.export", title=_("导出违规命中"), created_by=by,
        merchant_id=by.merchant_id, kwargs={"user_id": by.pk, "filters": wanted}, retryable=True,
    )
