"""Reads of engagements, scoped to what the caller may see (a merchant: their own)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, QuerySet

from agency.access import scope_by_merchant
from agency.models import User
from clients.engagements.models import Engagement, EngagementActivity


def engagements_visible_to(*, user: User) -> QuerySet[Engagement]:
    return scope_by_merchant(
        Engagement.objects.select_related("merchant").prefetch_related("shops"), user=user
    )


def engagement_activities(*, engagement: Engagement, limit: int = 100) -> QuerySet[EngagementActivity]:
    return engagement.activities.select_related("actor")[:limit]


def pipeline_summary(*, user: User, today: date) -> dict:
    """Counts per stage and the engagements whose next step is overdue, for the manager's dashboard."""
    engagements = engagements_visible_to(user=user)
    counts = dict(engagements.order_by().values_list("stage").annotate(n=Count("pk")))
    overdue = engagements.exclude(stage__in=[Engagement.Stage.LOST, Engagement.Stage.ENDED]).filter(
        next_step_due__lt=today
    ).order_by("next_step_due")[:5]
    stages = [(stage, counts.get(stage.value, 0)) for stage in Engagement.Stage if stage != Engagement.Stage.ENDED]
    return {"stages": stages, "overdue": list(overdue)}
