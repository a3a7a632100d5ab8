"""Reads of the commercial lifecycle, scoped to what the caller may see.

Merchants see their own engagements, the quotes sent to them (never a manager's draft) and the contracts
sent to them; staff see everything.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Prefetch, QuerySet

from agency.access import is_staff_viewer, scope_by_merchant
from agency.models import User
from clients.engagements.models import Engagement
from clients.merchants.models import Shop
from clients.sales.models import Contract, ContractSignature, PriceBook, Quote, QuoteRevision


def quotes_visible_to(*, user: User) -> QuerySet[Quote]:
    queryset = scope_by_merchant(Quote.objects.select_related("merchant", "engagement", "created_by"), user=user)
    if not is_staff_viewer(user):
        queryset = queryset.exclude(status=Quote.Status.DRAFT)
    return queryset


def quote_revisions(*, quote: Quote) -> QuerySet[QuoteRevision]:
    return quote.revisions.select_related("created_by", "price_book", "decision", "decision__by").order_by("-number")


def revision_visible_to(*, user: User, quote: Quote, number: int) -> QuoteRevision | None:
    """A merchant sees revisions up to the one sent to them, never a newer draft."""
    revisions = quote_revisions(quote=quote)
    if not is_staff_viewer(user) and quote.status == Quote.Status.DRAFT:
        return None
    return revisions.filter(number=number).first()


def contracts_visible_to(*, user: User) -> QuerySet[Contract]:
    queryset = scope_by_merchant(
        Contract.objects.select_related("merchant", "engagement", "revision__quote").prefetch_related(
            Prefetch("signatures", queryset=ContractSignature.objects.select_related("signed_by"))
        ).defer("pdf"),
        user=user,
    )
    if not is_staff_viewer(user):
        queryset = queryset.exclude(status=Contract.Status.DRAFT)
    return queryset


def price_books() -> QuerySet[PriceBook]:
    return PriceBook.objects.prefetch_related("rates", "addons", "alternatives")


def contract_sla_for_shop(*, shop: Shop, on: date) -> dict | None:
    """The SLA targets an active contract sets for `shop` on day `on` (the latest such contract wins):
    {"reply_rate": 0.95, "first_response_seconds": 30, "qa_score": 90.0}, or None without one."""
    contract = (
        Contract.objects.filter(
            status=Contract.Status.ACTIVE, engagement__shops=shop, start_date__lte=on, end_date__gte=on
        )
        .order_by("-start_date", "-pk")
        .only("sla_reply_rate", "sla_first_response_seconds", "sla_qa_score")
        .first()
    )
    if contract is None:
        return None
    return {
        "reply_rate": float(contract.sla_reply_rate),
        "first_response_seconds": contract.sla_first_response_seconds,
        "qa_score": float(contract.sla_qa_score),
    }


def active_contract_for(*, engagement: Engagement, on: date | None = None) -> Contract | None:
    """The engagement's active contract (covering `on` when given): the go-live checklist's "contract signed"."""
    contracts = Contract.objects.filter(engagement=engagement, status=Contract.Status.ACTIVE).defer("pdf")
    if on is not None:
        contracts = contracts.filter(start_date__lte=on, end_date__gte=on)
    return contracts.order_by("-start_date", "-pk").first()


def buyer_data_retention_days_for_shop(*, shop: Shop, default: int) -> tuple[int, Contract | None]:
    """How many days after a session ends the shop's buyers' message text and ids are kept (PIPL): the
    term of the shop's latest sent or signed contract (also after it ended), else `default`."""
    contract = (
        Contract.objects.filter(engagement__shops=shop).exclude(status=Contract.Status.DRAFT)
        .order_by("-start_date", "-pk").defer("pdf").first()
    )
    if contract is None:
        return default, None
    return contract.buyer_data_retention_days, contract
