"""Reads on knowledge handover, scoped to what the caller may see (agents: none; they use the knowledge base)."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from agency.access import scope_by_merchant
from agency.models import User
from clients.engagements.models import Engagement
from clients.handover.models import HandoverBatch, KnowledgeEntry
from clients.merchants.models import Shop


def batches_visible_to(*, user: User) -> QuerySet[HandoverBatch]:
    return scope_by_merchant(
        HandoverBatch.objects.select_related("engagement", "engagement__merchant", "shop", "acknowledged_by"),
        user=user, merchant_path="engagement__merchant",
    )


def batches_with_counts(*, user: User, engagement: Engagement | None = None) -> QuerySet[HandoverBatch]:
    batches = batches_visible_to(user=user).annotate(entry_count=Count("entries"))
    if engagement is not None:
        batches = batches.filter(engagement=engagement)
    return batches.order_by("engagement__title", "shop__name", "kind", "title", "-version")


def engagements_visible_to(*, user: User) -> QuerySet[Engagement]:
    return scope_by_merchant(Engagement.objects.select_related("merchant"), user=user)


def batch_versions(*, batch: HandoverBatch) -> QuerySet[HandoverBatch]:
    return HandoverBatch.objects.filter(series=batch.series).select_related("acknowledged_by").order_by("-version")


def batch_entries(*, batch: HandoverBatch) -> QuerySet[KnowledgeEntry]:
    return batch.entries.order_by("position", "pk")


def entries_in_force(*, shop: Shop) -> QuerySet[KnowledgeEntry]:
    """The shop's handed-over knowledge that is in force (acknowledged, not superseded), in handover order."""
    return KnowledgeEntry.objects.filter(batch__shop=shop, batch__in_force=True).order_by("batch_id", "position", "pk")
