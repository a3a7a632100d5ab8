"""Reads of the notification rules and the in-app inbox, each scoped to its owner."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.models import User
from compliance.quality.alerts.models import AlertDelivery, NotificationRule


def rules_of(*, user: User) -> QuerySet[NotificationRule]:
    return NotificationRule.objects.filter(user=user).prefetch_related("shops").order_by("pk")


def inbox_of(*, user: User) -> QuerySet[AlertDelivery]:
    """The user's in-app notifications, newest first."""
    return (
        AlertDelivery.objects.filter(rule__user=user, rule__channel=NotificationRule.Channel.IN_APP)
        .select_related("alert", "alert__shop", "rule")
        .order_by("-created_at", "-pk")
    )


def unread_count(*, user: User) -> int:
    return inbox_of(user=user).filter(read_at__isnull=True).count()
