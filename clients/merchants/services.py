"""Writes on merchants and shops."""

from __future__ import annotations

from django.db import transaction

from agency.models import User
from agency.services import audit_record
from clients.merchants.models import Merchant, Platform, Shop


@transaction.atomic
def merchant_create(*, code: str, name: str, by: User | None = None, **details: str) -> Merchant:
    merchant = Merchant(code=code, name=name, **details)
    merchant.full_clean()
    merchant.save()
    audit_record(actor=by, verb="merchant.create", target=merchant, merchant_id=merchant.pk)
    return merchant


@transaction.atomic
def shop_create(*, merchant: Merchant, code: str, name: str, platform: str, by: User | None = None) -> Shop:
    if platform not in Platform.values:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(Platform.values)}")
    shop = Shop(merchant=merchant, code=code, name=name, platform=platform)
    shop.full_clean()
    shop.save()
    audit_record(actor=by, verb="shop.create", target=shop, merchant_id=merchant.pk)
    return shop
