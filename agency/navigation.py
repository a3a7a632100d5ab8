"""Role-aware navigation and dashboard widgets, contributed by each feature's `nav.py`.

The shell lives in `agency`, which may not import the apps above it; so the features register their
entries here when Django starts (`AgencyConfig.ready` imports every feature's `nav` through
`agency.features`). An entry names the role set it is for (`agency.permissions`); a superuser also counts
as a manager.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from agency.permissions import roles_of


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


def nav_for(user) -> list[tuple[NavItem, str]]:
    roles = roles_of(user)
    items = sorted((i for i in _nav.values() if roles & i.roles), key=lambda i: (i.order, i.key))
    return [(item, url) for item in items if (url := item.url())]


def widgets_for(user) -> list[Widget]:
    roles = roles_of(user)
    return sorted((w for w in _widgets.values() if roles & w.roles), key=lambda w: (w.order, w.key))
