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
from django.utils.translation import gettext_lazy as _

from agency.permissions import roles_of

# The sidebar's groups, by the job a person comes to do, in the order shown. An entry without a group (the
# dashboard) sits above them.
SALES, DELIVERY, WORKFORCE, QUALITY, COMPLIANCE, SETTINGS = (
    "sales", "delivery", "workforce", "quality", "compliance", "settings",
)
GROUPS: dict[str, Any] = {
    SALES: _("销售"),
    DELIVERY: _("交付"),
    WORKFORCE: _("人力"),
    QUALITY: _("质量"),
    COMPLIANCE: _("合规"),
    SETTINGS: _("设置"),
}


@dataclass(frozen=True)
class NavItem:
    """An entry of the sidebar. `also` names the other views (url names) that belong to it, so it is the one
    highlighted there (a QA review belongs to the review queue, not to the quality overview whose URL is a
    prefix of it); otherwise the entry with the longest URL prefix of the page wins."""

    key: str
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[str]
    order: int = 100
    group: str = ""
    also: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.group and self.group not in GROUPS:
            raise ValueError(f"nav entry {self.key!r}: unknown group {self.group!r} (one of {', '.join(GROUPS)})")

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


@dataclass(frozen=True)
class Todo:
    """A line of the dashboard's "needs you now" list: how many things wait for the user, and where they are.
    `count` takes the request and returns the number (0 hides the line); `tone` colours a non-zero count
    ("bad", "warn" or "" for plain). `query` is appended to the URL (e.g. "?open=1")."""

    key: str
    label: Any  # a lazy translation
    url_name: str
    roles: frozenset[str]
    count: Callable[[Any], int]
    order: int = 100
    tone: str = ""
    query: str = ""


_nav: dict[str, NavItem] = {}
_widgets: dict[str, Widget] = {}
_todos: dict[str, Todo] = {}


def register_nav(item: NavItem) -> None:
    _nav[item.key] = item


def register_widget(widget: Widget) -> None:
    _widgets[widget.key] = widget


def register_todo(todo: Todo) -> None:
    _todos[todo.key] = todo


def nav_for(user) -> list[tuple[NavItem, str]]:
    roles = roles_of(user)
    items = sorted((i for i in _nav.values() if roles & i.roles), key=lambda i: (i.order, i.key))
    return [(item, url) for item in items if (url := item.url())]


def active_entry(items: list[tuple[NavItem, str]], *, path: str, view_name: str | None) -> str | None:
    """The key of the one entry to highlight on the page at `path` (view `view_name`, "namespace:name")."""
    if view_name:
        for item, _url in items:
            if view_name == item.url_name or view_name in item.also:
                return item.key
    matches = [(len(url), item.key) for item, url in items if url != "/" and path.startswith(url)]
    return max(matches)[1] if matches else None


def grouped_nav(user, *, path: str, view_name: str | None) -> list[dict[str, Any]]:
    """The user's sidebar: ungrouped entries first, then each group (in `GROUPS` order) that has entries."""
    items = nav_for(user)
    active = active_entry(items, path=path, view_name=view_name)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for item, url in items:
        by_group.setdefault(item.group, []).append(
            {"key": item.key, "label": item.label, "url": url, "active": item.key == active}
        )
    sections: list[dict[str, Any]] = (
        [{"key": "", "label": "", "items": by_group.pop("", []), "active": False}] if "" in by_group else []
    )
    for key, label in GROUPS.items():
        if key in by_group:
            entries = by_group[key]
            sections.append({"key": key, "label": label, "items": entries,
                             "active": any(e["active"] for e in entries)})
    return sections


def widgets_for(user) -> list[Widget]:
    roles = roles_of(user)
    return sorted((w for w in _widgets.values() if roles & w.roles), key=lambda w: (w.order, w.key))


def todos_for(request) -> list[dict[str, Any]]:
    """The user's waiting things, most pressing first: only lines with something waiting."""
    roles = roles_of(request.user)
    lines = []
    for todo in sorted((t for t in _todos.values() if roles & t.roles), key=lambda t: (t.order, t.key)):
        count = todo.count(request)
        if count:
            lines.append({"key": todo.key, "label": todo.label, "count": count, "tone": todo.tone,
                          "url": reverse(todo.url_name) + todo.query})
    return lines
