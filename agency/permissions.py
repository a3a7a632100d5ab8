"""Who may use which page and API endpoint, by role: the one place views ask.

A role set names the people a page is for (`MANAGERS`, `STAFF`, …). Pages use the decorator
`roles_required(STAFF)`, API views the permission class of the same set (`IsStaff`), and a view that
offers a part of itself to fewer people asks `has_role(user, MANAGERS)`. What a user may *see* of merchants'
data is a different question, answered by `agency.access`; a role check never replaces that scoping.

A superuser counts as a manager.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from agency.models import Role

RoleSet = frozenset[str]

MANAGERS: RoleSet = frozenset({Role.MANAGER})
INSPECTORS: RoleSet = frozenset({Role.INSPECTOR})
AGENTS: RoleSet = frozenset({Role.AGENT})
MERCHANTS: RoleSet = frozenset({Role.MERCHANT})
# The agency's office staff, who see every merchant: managers and QA inspectors.
STAFF: RoleSet = MANAGERS | INSPECTORS
# Everyone who works for the agency.
AGENCY: RoleSet = STAFF | AGENTS
# Those who deal with a merchant's commercial side: the agency's managers and the merchant's own users.
MANAGERS_AND_MERCHANTS: RoleSet = MANAGERS | MERCHANTS
# Those who read a merchant's service quality: staff and the merchant.
STAFF_AND_MERCHANTS: RoleSet = STAFF | MERCHANTS
EVERYONE: RoleSet = AGENCY | MERCHANTS
# Those who deal with agents' own time (leave, swaps): the agents and the managers who decide.
MANAGERS_AND_AGENTS: RoleSet = MANAGERS | AGENTS

F = TypeVar("F", bound=Callable[..., Any])


def roles_of(user: Any) -> RoleSet:
    """The roles a user acts in: their role, plus manager for a superuser; none when anonymous."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    roles = {user.role} if user.role else set()
    if user.is_superuser:
        roles.add(Role.MANAGER)
    return frozenset(roles)


def has_role(user: Any, roles: RoleSet) -> bool:
    """Whether `user` acts in one of `roles`."""
    return bool(roles_of(user) & roles)


def require_role(user: Any, roles: RoleSet) -> None:
    """Raise PermissionDenied (a 403 page or API answer) unless `user` acts in one of `roles`."""
    if not has_role(user, roles):
        raise PermissionDenied


def leads_a_team(user: Any) -> bool:
    """Whether `user` is an agent who leads a team (they resolve their team's QA disputes)."""
    return has_role(user, AGENTS) and user.teams_led.exists()


def require_staff_or_team_lead(user: Any) -> None:
    """Raise PermissionDenied unless `user` is staff or an agent leading a team: pages that list the work of
    several agents (their disputes) are for those who act on it."""
    if not (has_role(user, STAFF) or leads_a_team(user)):
        raise PermissionDenied


def roles_required(roles: RoleSet) -> Callable[[F], F]:
    """A page view for `roles` only: anonymous users go to the login page, other roles get a 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            require_role(request.user, roles)
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorate


class _RolePermission(BasePermission):
    roles: RoleSet = frozenset()

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, self.roles)


def _permission(name: str, roles: RoleSet) -> type[BasePermission]:
    return type(name, (_RolePermission,), {"roles": roles, "__doc__": f"API access for {sorted(roles)}."})


IsManager = _permission("IsManager", MANAGERS)
IsStaff = _permission("IsStaff", STAFF)
IsAgencyMember = _permission("IsAgencyMember", AGENCY)
IsAgent = _permission("IsAgent", AGENTS)
IsMerchantUser = _permission("IsMerchantUser", MERCHANTS)
IsManagerOrMerchant = _permission("IsManagerOrMerchant", MANAGERS_AND_MERCHANTS)
IsStaffOrMerchant = _permission("IsStaffOrMerchant", STAFF_AND_MERCHANTS)
IsAnyRole = _permission("IsAnyRole", EVERYONE)
IsManagerOrAgent = _permission("IsManagerOrAgent", MANAGERS_AND_AGENTS)


class ReadForRolesWriteForManagers(BasePermission):
    """Reads for the view's `read_roles` (default: staff and merchants), writes for managers only."""

    def has_permission(self, request, view) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return has_role(request.user, getattr(view, "read_roles", STAFF_AND_MERCHANTS))
        return has_role(request.user, MANAGERS)


class PermissionsByAction:
    """A viewset mixin: `action_permissions` maps an action to its permission classes; other actions use the
    view's `permission_classes`."""

    action_permissions: dict[str, list[type[BasePermission]]] = {}

    def get_permissions(self):
        classes = self.action_permissions.get(getattr(self, "action", None) or "")
        return [permission() for permission in classes] if classes else super().get_permissions()  # type: ignore[misc]
