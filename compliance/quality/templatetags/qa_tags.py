"""Template helpers of the QA pages: hits highlighted in a message, masked buyer ids, small SVG bars."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def highlight_hits(message) -> str:
    """The message text with each hit wrapped in <mark class="hit sev-…"> (overlaps keep the first)."""
    text = message.text
    hits = sorted(message.hits.all(), key=lambda h: (h.start, -h.end))
    out, pos = [], 0
    for hit in hits:
        if hit.start < pos or hit.end > len(text):
            continue
        out.append(conditional_escape(text[pos : hit.start]))
        out.append(
            format_html(
                '<mark class="hit sev-{}" title="{} · {}">{}</mark>',
                hit.severity, hit.get_category_display(), hit.rule, text[hit.start : hit.end],
            )
        )
        pos = hit.end
    out.append(conditional_escape(text[pos:]))
    return mark_safe("".join(str(part) for part in out))  # every part was escaped above


@register.filter
def mask_buyer(value: str) -> str:
    """Buyer ids shown to merchants: first and last character kept."""
    value = str(value or "")
    if len(value) <= 2:
        return value[:1] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


@register.simple_tag
def score_bar(value, maximum=100, width=160, height=12) -> str:
    """A horizontal bar as inline SVG; colour by band (≥85 good, ≥60 fair, else poor)."""
    if value is None:
        return mark_safe('<span class="muted">—</span>')
    value = float(value)
    maximum = float(maximum) or 1.0
    filled = max(0.0, min(1.0, value / maximum)) * width
    band = "good" if value / maximum >= 0.85 else "fair" if value / maximum >= 0.6 else "poor"
    return format_html(
        '<svg class="qa-bar" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="{v}">'
        '<rect width="{w}" height="{h}" rx="3" class="track"/><rect width="{f}" height="{h}" rx="3" class="{b}"/></svg>',
        w=width, h=height, f=f"{filled:.1f}", b=band, v=f"{value:g}",
    )


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{float(value) * 100:.0f}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
