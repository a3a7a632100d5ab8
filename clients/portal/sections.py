"""Sections other parts of `clients` add to the merchant's engagement page in the portal.

Quotes to accept and contracts to sign are built elsewhere (helper 5a); they appear in the portal by
registering a section here, e.g. in `clients/nav.py`:

    register_portal_section(PortalSection("quotes", _("待确认报价"), "clients/portal/_quotes.html",
                                          lambda request, engagement: {"quotes": ...}, order=10))

`context(request, engagement)` must read through selectors scoped to `request.user`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PortalSection:
    key: str
    label: Any
    template: str
    context: Callable[[Any, Any], dict] = field(default=lambda request, engagement: {})
    order: int = 100


_sections: dict[str, PortalSection] = {}


def register_portal_section(section: PortalSection) -> None:
    _sections[section.key] = section


def portal_sections() -> list[PortalSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.key))
