"""Role-aware navigation and dashboard widgets, contributed by each app's `nav.py`.

The shell lives in `agency`, which may not import the apps above it; so those apps register their
entries here when Django starts (`AgencyConfig.ready` autodiscovers `nav` modules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

ALL_ROLES = frozenset({"manager", "inspector", "agent", "merchant"})


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[str]
    order: int = 100
    group: Any = ""

    def url(self) -> str | None:
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return None


@dataclass(frozen=True)
class Widget:
    """A dashboard panel: a template and a function (request) -> context for it."""

    key: str
    template: str
    roles: frozenset[str]
    context: Callable[[Any], dict] = field(default=lambda request: {})
    order: int = 100


_nav: dict[str, NavItem] = {}
_widgets: dict[str, Widget] = {}


def register_nav(item: NavItem) -> None:
    _nav[item.key] = item


def register_widget(widget: Widget) -> None:
    _widgets[widget.key] = widget


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    return "manager" if user.is_superuser else user.role


def nav_for(user) -> list[tuple[NavItem, str]]:
    role = role_of(user)
    items = sorted((i for i in _nav.values() if role in i.roles), key=lambda i: (i.order, i.key))
    return [(item, url) for item in items if (url := item.url())]


def widgets_for(user) -> list[Widget]:
    role = role_of(user)
    return sorted((w for w in _widgets.values() if role in w.roles), key=lambda w: (w.order, w.key))
