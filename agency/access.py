"""The one place that decides what each user may see.

Every selector that reads merchant-owned data passes its queryset through `scope_by_merchant` (and,
for agents' own records, `scope_by_agent`). Staff of the agency (managers, QA inspectors) see every
merchant; a merchant user sees only rows of their own merchant; anyone else sees nothing. Another
merchant's object is therefore simply absent, which views turn into a 404.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

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
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
