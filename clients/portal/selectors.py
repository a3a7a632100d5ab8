"""Reads for the merchant's portal and the go-live page: engagements and their activity, scoped."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from agency.access import scope_by_merchant
from agency.models import AuditEvent, User
from clients.models import Engagement, HandoverBatch

LIFECYCLE = [
    Engagement.Stage.CONSULTATION, Engagement.Stage.QUOTING, Engagement.Stage.CONTRACTING,
    Engagement.Stage.HANDOVER, Engagement.Stage.TRAINING, Engagement.Stage.LIVE,
]


def portal_engagements(*, user: User) -> QuerySet[Engagement]:
    return (
        scope_by_merchant(Engagement.objects.select_related("merchant"), user=user)
        .annotate(
            batch_count=Count("handover_batches", distinct=True),
            open_batch_count=Count(
                "handover_batches", filter=Q(handover_batches__status=HandoverBatch.Status.OPEN), distinct=True
            ),
        )
        .prefetch_related("shops")
        .order_by("-updated_at")
    )


# Audit lines too small for the merchant's timeline (each entry added or removed while filling a batch).
TIMELINE_NOISE = ("handover.entry_add", "handover.entry_remove")


def engagement_activity(*, engagement: Engagement, limit: int = 50) -> QuerySet[AuditEvent]:
    """What happened on this engagement: audit lines whose data names it (services write `engagement`)."""
    return (
        AuditEvent.objects.filter(merchant_id=engagement.merchant_id, data__engagement=engagement.pk)
        .exclude(verb__in=TIMELINE_NOISE)
        .select_related("actor")
        .order_by("-at")[:limit]
    )


def lifecycle_steps(engagement: Engagement) -> list[dict]:
    """The engagement's place in the lifecycle: each step done, current or to come."""
    current = LIFECYCLE.index(engagement.stage) if engagement.stage in LIFECYCLE else -1
    return [
        {"stage": stage, "label": stage.label,
         "state": "done" if i < current else "current" if i == current else "todo"}
        for i, stage in enumerate(LIFECYCLE)
    ]
