"""Reads for the merchant's portal and the go-live page: engagements and their activity, scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from agency.access import is_staff_viewer, scope_by_merchant
from agency.models import AuditEvent, User
from clients.engagements.models import Engagement, EngagementActivity
from clients.handover.models import HandoverBatch
from clients.sales.models import Contract, ContractSignature, Quote
from clients.sales.selectors import contracts_visible_to, quotes_visible_to

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
    current = LIFECYCLE.index(Engagement.Stage(engagement.stage)) if engagement.stage in LIFECYCLE else -1
    return [
        {"stage": stage, "label": stage.label,
         "state": "done" if i < current else "current" if i == current else "todo"}
        for i, stage in enumerate(LIFECYCLE)
    ]


def portal_quotes(*, user: User, engagement: Engagement | None = None) -> QuerySet:
    """Quotes the caller may see (merchants: never a draft), optionally of one engagement."""
    quotes = quotes_visible_to(user=user)
    if engagement is not None:
        quotes = quotes.filter(engagement=engagement)
    return quotes.order_by("-created_at")


def portal_contracts(*, user: User, engagement: Engagement | None = None) -> QuerySet:
    """Contracts the caller may see (merchants: never a draft), with `merchant_signed` annotated."""
    contracts = contracts_visible_to(user=user).annotate(
        merchant_signed=Exists(
            ContractSignature.objects.filter(contract=OuterRef("pk"), party=ContractSignature.Party.MERCHANT)
        )
    )
    if engagement is not None:
        contracts = contracts.filter(engagement=engagement)
    return contracts.order_by("-created_at")


def portal_todo(*, user: User) -> dict:
    """What waits for the merchant: quotes to answer, contracts to sign, handover batches still open."""
    return {
        "quotes": list(portal_quotes(user=user).filter(status=Quote.Status.SENT)),
        "contracts": [c for c in portal_contracts(user=user).filter(status=Contract.Status.SENT) if not c.merchant_signed],
        "batches": list(
            scope_by_merchant(
                HandoverBatch.objects.select_related("engagement", "shop"), user=user,
                merchant_path="engagement__merchant",
            ).filter(status=HandoverBatch.Status.OPEN).order_by("engagement__title", "title")
        ),
    }


def engagement_timeline(*, engagement: Engagement, user: User, limit: int = 60) -> list[dict]:
    """The engagement's log (stage changes, quotes, contracts, next steps; internal notes for staff only)
    merged with the handover milestones from the audit log, newest first."""
    activities = engagement.activities.select_related("actor")
    if not is_staff_viewer(user):
        activities = activities.exclude(kind=EngagementActivity.Kind.NOTE)
    rows: list[dict[str, Any]] = [
        {"at": a.at, "actor": a.actor, "kind": a.kind, "label": a.get_kind_display(), "text": a.message}
        for a in activities[:limit]
    ]
    for event in engagement_activity(engagement=engagement, limit=limit):
        rows.append({"at": event.at, "actor": event.actor, "kind": "handover", "event": event})
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]
