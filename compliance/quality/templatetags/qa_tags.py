"""Template helpers of the QA pages: hits highlighted in a message, masked buyer ids, small SVG bars."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from compliance.quality import masking
from compliance.quality.qa.params import param_rows
from compliance.templatetags.compliance_tags import highlighted

register = template.Library()


@register.filter
def highlight_hits(message) -> str:
    """The message text, masked like every other page shows it, with each hit wrapped in
    <mark class="hit sev-…"> (the session pages' `highlighted` tag; overlapping hits share a mark)."""
    return highlighted(message.text, message.hits.all())


@register.filter
def mask_buyer(value: str) -> str:
    """Buyer ids shown to merchants, masked as on the quality pages and in the CSV export."""
    return masking.mask_buyer(str(value or ""))


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


@register.filter
def params_text(params) -> str:
    """A check's stored parameters for reading: one "name value" per line, each name in the reader's language
    (`compliance.quality.qa.params`); lists joined with 、; a key without a name is shown as a code."""
    if params is not None and not isinstance(params, dict):
        return conditional_escape(params)
    lines = [
        format_html('<span class="muted">{}</span> {}', name, value) if known
        else format_html('<code>{}</code> {}', name, value)
        for name, value, known in param_rows(params)
    ]
    return mark_safe("<br>".join(lines))
