"""Template helpers for chat text: masking and hit highlighting (`<mark class="hit sev-…">`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from compliance.highlight import segments, worst
from compliance.masking import mask_text
from compliance.rules.models import Category, Severity

register = template.Library()


@dataclass(frozen=True)
class _StoredHit:
    """A hit kept as plain data (a job's JSON result), shaped like a `Hit` for highlighting."""

    start: int
    end: int
    rule: str
    category: str
    severity: str

    def get_category_display(self) -> str:
        return str(Category(self.category).label) if self.category in Category.values else self.category

    def get_severity_display(self) -> str:
        return str(Severity(self.severity).label) if self.severity in Severity.values else self.severity


def _as_hit(hit):
    if isinstance(hit, Mapping):
        return _StoredHit(int(hit["start"]), int(hit["end"]), str(hit["rule"]), str(hit["category"]), str(hit["severity"]))
    return hit


@register.simple_tag
def hit_name(hit) -> str:
    """A rule as a person reads it: its category and how severe, in the reader's language (a hit dict or
    row with `category` and `severity`; the rule id stays in the page's `data-rule`)."""
    shown = _as_hit({"start": 0, "end": 0, "rule": "", **hit}) if isinstance(hit, Mapping) else hit
    return f"{shown.get_category_display()} · {shown.get_severity_display()}"


@register.filter
def masked(text: str) -> str:
    """Phone and ID numbers masked; same length, so hit offsets still fit."""
    return mask_text(text or "")


@register.simple_tag
def highlighted(text: str, hits) -> SafeString:
    """The masked text with each hit (one hit or a list; `Hit` rows or hit dicts with start, end, rule,
    category and severity) wrapped in a mark naming its rule; all escaped."""
    shown = mask_text(text or "")
    if hasattr(hits, "start") or isinstance(hits, Mapping):
        hits = [hits]
    parts = []
    for piece, covering in segments(shown, [_as_hit(h) for h in hits or []]):
        if not covering:
            parts.append(format_html("{}", piece))
            continue
        # Names, not codes: the category and how severe, in the reader's language (the rule id stays in data-rule).
        title = " / ".join(f"{h.get_category_display()} · {h.get_severity_display()}" for h in covering)
        parts.append(
            format_html(
                '<mark class="hit sev-{}" title="{}" data-rule="{}">{}</mark>',
                worst(covering), title, covering[0].rule, piece,
            )
        )
    return mark_safe("".join(parts))


@register.simple_tag
def query_without(request, *names) -> str:
    """The current query string minus some parameters (for pagination links)."""
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()



@register.filter
def share(value) -> str:
    """A share from 0 to 1 as a percentage with one decimal ("85.7%"), "—" when there is none."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
