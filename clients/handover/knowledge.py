"""The knowledge base agents search during chats, and who may search which shop's knowledge.

Scope (`scope_shops_by_agent_served_or_merchant`): staff (managers, inspectors) search every shop; a merchant user only their own merchant's shops;
an agent the shops they serve. Which shops an agent serves is staffing's knowledge (`ShopAssignment`),
and `clients` may not import `staffing`, so staffing registers a provider here at start-up:

    register_agent_shops(lambda user: <QuerySet or iterable of shop ids the agent serves today>)

Staffing registers its shop assignments (`staffing/apps.py`). With no provider registered (clients alone,
in its own tests) an agent sees the shops of engagements being handed over, trained or live
(`FALLBACK_STAGES`): the agency's shared desk, never a merchant still negotiating.

Search is a substring match over `KnowledgeEntry.search_text` (NFKC-normalised, lower-case), which a
pg_trgm GIN index serves on PostgreSQL (see `clients/handover/search_index.py`); only knowledge in force
(acknowledged, not superseded) is searched.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable

from django.db.models import QuerySet

from agency.access import is_staff_viewer, scope_by_merchant
from agency.models import Role, User
from clients.engagements.models import Engagement
from clients.handover.models import KnowledgeEntry
from clients.merchants.models import Shop

FALLBACK_STAGES = (Engagement.Stage.HANDOVER, Engagement.Stage.TRAINING, Engagement.Stage.LIVE)

_agent_shops: Callable[[User], Iterable[int] | QuerySet] | None = None


def register_agent_shops(provider: Callable[[User], Iterable[int] | QuerySet] | None) -> None:
    """`provider(agent) -> shop ids` (a values_list queryset is best: it stays one SQL query)."""
    global _agent_shops
    _agent_shops = provider


def normalise(text: str) -> str:
    """The form both stored text and queries take: NFKC (full-width → half-width), lower-case, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def entry_search_text(*, title: str, body: str = "", sku: str = "", attributes: dict | None = None) -> str:
    parts = [title, sku, body, *((attributes or {}).values())]
    return normalise("\n".join(str(p) for p in parts if p))


def shop_ids_served_by_agent(user: User) -> Iterable[int] | QuerySet:
    """The shops an agent serves: the registered provider's answer (staffing's shop assignments), or, with
    none registered, the shops of engagements in handover, training or live (`FALLBACK_STAGES`)."""
    if _agent_shops is not None:
        return _agent_shops(user)
    return Shop.objects.filter(engagements__stage__in=FALLBACK_STAGES).values_list("pk", flat=True)


def scope_shops_by_agent_served_or_merchant(shops: QuerySet[Shop], *, user: User) -> QuerySet[Shop]:
    """The knowledge base's visibility rule: an agent sees the shops they serve (`shop_ids_served_by_agent`);
    everyone else is scoped by merchant (`agency.access.scope_by_merchant`: staff all, a merchant user their
    own, nobody else anything)."""
    if user.is_authenticated and user.role == Role.AGENT and not is_staff_viewer(user):
        return shops.filter(pk__in=shop_ids_served_by_agent(user)).distinct()
    return scope_by_merchant(shops, user=user)


def shops_searchable_by(*, user: User) -> QuerySet[Shop]:
    shops = Shop.objects.select_related("merchant").order_by("merchant__name", "name")
    return scope_shops_by_agent_served_or_merchant(shops, user=user)


def knowledge_search(
    *, user: User, query: str = "", shop: Shop | None = None, kind: str = "", limit: int = 50
) -> QuerySet[KnowledgeEntry]:
    """Knowledge in force that `user` may see, matching `query` as a substring (empty query: everything)."""
    entries = KnowledgeEntry.objects.filter(
        batch__in_force=True, batch__shop__in=shops_searchable_by(user=user)
    ).select_related("batch", "batch__shop")
    if shop is not None:
        entries = entries.filter(batch__shop=shop)
    if kind:
        entries = entries.filter(kind=kind)
    needle = normalise(query)
    for word in needle.split(" "):
        if word:
            entries = entries.filter(search_text__contains=word)
    # Handover order (entries are written in file order); PostgreSQL can stop after `limit` common matches.
    return entries.order_by("pk")[:limit]
