"""Reads of the statements, scoped to the caller (staff see all; a merchant user their merchant's)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from agency.access import scope_by_merchant
from agency.models import User
from clients.merchants.models import Shop
from clients.sales.models import Contract
from clients.statements.figures import TargetSpec
from clients.statements.models import Statement
from clients.statements.services import conversion_target_for_contract


def statements_visible_to(*, user: User) -> QuerySet[Statement]:
    return scope_by_merchant(Statement.objects.all(), user=user, merchant_path="merchant").select_related(
        "contract", "merchant").defer("pdf", "xlsx")


def statement_documents_visible_to(*, user: User) -> QuerySet[Statement]:
    return scope_by_merchant(Statement.objects.all(), user=user, merchant_path="merchant")


def conversion_target_for_shop(*, shop: Shop, on: date) -> TargetSpec | None:
    """The conversion target of the active contract serving `shop` on `on` (the latest such), or None."""
    contract = (
        Contract.objects.filter(status=Contract.Status.ACTIVE, engagement__shops=shop, start_date__lte=on,
                                end_date__gte=on).order_by("-start_date", "-pk").defer("pdf").first()
    )
    return conversion_target_for_contract(contract) if contract is not None else None
