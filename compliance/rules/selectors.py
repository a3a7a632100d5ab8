"""Reads of the rule library's own rows, scoped to the caller where they belong to a merchant."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.access import scope_by_merchant
from agency.models import Job, User
from compliance.rules.models import CustomRule


def custom_rules_visible_to(*, user: User) -> QuerySet[CustomRule]:
    """A merchant's own rules (their merchant-wide and shop rules); staff see every merchant's."""
    return scope_by_merchant(CustomRule.objects.select_related("merchant", "shop"), user=user)


IMPACT_JOB_KIND = "compliance.impact"


def ruleset_impact_jobs(*, draft_id: int) -> QuerySet[Job]:
    """The impact previews of one draft (their Job.result names it), newest first. Managers only: the
    caller checks the role."""
    return Job.objects.filter(kind=IMPACT_JOB_KIND, result__draft=draft_id).order_by("-created_at", "-pk")
