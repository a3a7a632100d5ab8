"""The one place that decides what each user may see.

Every selector that reads merchant-owned data passes its queryset through `scope_by_merchant` (and,
for agents' own records, `scope_by_agent`). Staff of the agency (managers, QA inspectors) see every
merchant; a merchant user sees only rows of their own merchant; anyone else sees nothing. Another
merchant's object is therefore simply absent, which views turn into a 404.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from agency.models import Role, User

M = TypeVar("M", bound=Model)

STAFF_ROLES = frozenset({Role.MANAGER, Role.INSPECTOR})


def is_staff_viewer(user: User) -> bool:
    """Managers, inspectors and superusers see every merchant."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def merchant_ids_visible_to(*, user: User) -> set[int] | None:
    """The merchant ids a user may see: None means all of them, an empty set means none."""
    if not user.is_authenticated:
        return set()
    if is_staff_viewer(user):
        return None
    if user.role == Role.MERCHANT and user.merchant_id:
        return {user.merchant_id}
    return set()


def scope_by_merchant(
    queryset: QuerySet[M], *, user: User, merchant_path: str = "merchant", agent_path: str | None = None
) -> QuerySet[M]:
    """Limit a queryset of merchant-owned rows to what `user` may see.

    `merchant_path` is the lookup from the row to its merchant (e.g. "shop__merchant").
    `agent_path`, when given, lets an agent see the rows that lookup ties to them (e.g. "agent").
    """
    visible = merchant_ids_visible_to(user=user)
    if visible is None:
        return queryset
    if visible:
        return queryset.filter(**{f"{merchant_path}__in": visible})
    if agent_path and user.is_authenticated and user.role == Role.AGENT:
        return queryset.filter(**{agent_path: user})
    return queryset.none()


def scope_by_agent(queryset: QuerySet[M], *, user: User, agent_path: str = "agent") -> QuerySet[M]:
    """An agent's own rows; staff see all; merchants see none (use scope_by_merchant for them)."""
    if is_staff_viewer(user):
        return queryset
    if user.is_authenticated and user.role == Role.AGENT:
        return queryset.filter(**{agent_path: user})
    return queryset.none()


def get_visible_or_404(queryset: QuerySet[M], **lookup) -> M:
    """Fetch one row from an already-scoped queryset; absent or not visible are the same 404."""
    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):  # the model's DoesNotExist is a subclass
        raise Http404 from None


# --- Named visibility rules that several features share --------------------------------------------------
# Each takes a queryset and the lookup from its rows to the thing the rule is about, so the rule is written
# once here while the models stay in their apps (agency imports none of them).


def scope_by_agent_or_team(queryset: QuerySet[M], *, user: User, agent_path: str = "agent") -> QuerySet[M]:
    """Staff see all; an agent sees their own rows and those of the agents in the teams they lead (a team
    lead answers their team's disputes); merchants see none."""
    if is_staff_viewer(user):
        return queryset
    if user.is_authenticated and user.role == Role.AGENT:
        return queryset.filter(Q(**{agent_path: user}) | Q(**{f"{agent_path}__team__lead": user}))
    return queryset.none()


def scope_by_merchant_or_served(
    queryset: QuerySet[M], *, user: User, merchant_path: str, served_path: str
) -> QuerySet[M]:
    """Staff see all; a merchant user sees their merchant's rows; an agent sees the rows they took part in
    through the to-many lookup `served_path` (e.g. a session's "messages__agent"), each row once."""
    if user.is_authenticated and user.role == Role.AGENT and not is_staff_viewer(user):
        return queryset.filter(**{served_path: user}).distinct()
    return scope_by_merchant(queryset, user=user, merchant_path=merchant_path)


def assigned_shops_q(*, user: User, shop_path: str = "shop", on: date | None = None) -> Q:
    """Rows whose shop `user` (an agent) is assigned to serve on day `on` (default: today): the shop's
    assignment to the agent has begun and not ended. `shop_path` is the lookup from the row to its shop, ""
    when the rows are shops."""
    on = on or timezone.localdate()
    prefix = f"{shop_path}__" if shop_path else ""
    return Q(
        **{f"{prefix}assignments__agent": user, f"{prefix}assignments__since__lte": on}
    ) & (Q(**{f"{prefix}assignments__until__isnull": True}) | Q(**{f"{prefix}assignments__until__gte": on}))


def scope_by_assigned_shop(
    queryset: QuerySet[M], *, user: User, shop_path: str = "shop", merchant_path: str | None = None
) -> QuerySet[M]:
    """Staff see all; an agent sees rows of the shops assigned to them today; a merchant user sees their own
    merchant's rows when `merchant_path` is given, else none."""
    if is_staff_viewer(user):
        return queryset
    if user.is_authenticated and user.role == Role.AGENT:
        return queryset.filter(assigned_shops_q(user=user, shop_path=shop_path)).distinct()
    if merchant_path is not None:
        return scope_by_merchant(queryset, user=user, merchant_path=merchant_path)
    return queryset.none()
