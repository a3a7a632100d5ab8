"""Reads of the pre-send check: the shops whose own rules a user may check a reply against."""

from __future__ import annotations

from django.db.models import QuerySet

from agency.access import scope_by_assigned_shop
from agency.models import User
from clients.models import Shop


def shops_for_check(*, user: User) -> QuerySet[Shop]:
    """Shops whose own rules a user may check against: staff all, merchants their own, agents the
    shops they are assigned to now."""
    return scope_by_assigned_shop(
        Shop.objects.select_related("merchant"), user=user, shop_path="", merchant_path="merchant"
    )
