"""Reads on merchants and shops, always scoped to what the caller may see."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from agency.access import scope_by_merchant
from agency.models import User
from clients.merchants.models import Merchant, Shop


def merchants_visible_to(*, user: User) -> QuerySet[Merchant]:
    return scope_by_merchant(Merchant.objects.all(), user=user, merchant_path="pk")


def shops_visible_to(*, user: User) -> QuerySet[Shop]:
    return scope_by_merchant(Shop.objects.select_related("merchant"), user=user)


def merchants_with_shop_counts(*, user: User) -> QuerySet[Merchant]:
    return merchants_visible_to(user=user).annotate(shop_count=Count("shops"))

