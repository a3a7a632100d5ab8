"""Template helpers of the QA pages: hits highlighted in a message, masked buyer ids, small SVG bars."""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from compliance.quality import masking
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


@register.simple_tag
def trend_chart(rows, start, end, width=640, height=180) -> str:
    """Two lines (auto-QA and inspectors' scores, 0–100) over the days from start to end, as inline SVG.
    Everything drawn is a number or a date we formatted ourselves, so nothing needs escaping."""
    days = (end - start).days or 1
    left, right, top, bottom = 34, 10, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day) -> float:
        return left + plot_w * (day - start).days / days

    def y(value) -> float:
        return top + plot_h * (1 - float(value) / 100)

    label = escape(_("趋势"))
    parts = [f'<svg class="qa-trend" viewBox="0 0 {width} {height}" role="img" aria-label="{label}">']
    for level in (0, 60, 85, 100):
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(level):.1f}" y2="{y(level):.1f}" class="grid"/>'
            f'<text x="{left - 4}" y="{y(level) + 4:.1f}" class="axis">{level}</text>'
        )
    parts.append(f'<text x="{left}" y="{height - 6}" class="axis start">{start:%m-%d}</text>')
    parts.append(f'<text x="{width - right}" y="{height - 6}" class="axis">{end:%m-%d}</text>')
    for key in ("auto", "qa"):
        points = [(x(r["day"]), y(r[key])) for r in rows if r.get(key) is not None]
        if len(points) > 1:
            parts.append(f'<polyline class="{key}" points="{" ".join(f"{px:.1f},{py:.1f}" for px, py in points)}"/>')
        parts.extend(f'<circle class="{key}" cx="{px:.1f}" cy="{py:.1f}" r="3"/>' for px, py in points)
    parts.append("</svg>")
    return mark_safe("".join(parts))


@register.filter
def params_text(params) -> str:
    """A check's parameters for reading, not a Python dict: one "name: value" per line, lists joined with 、."""
    if not isinstance(params, dict):
        return conditional_escape(params)
    lines = []
    for key, value in params.items():
        if isinstance(value, (list, tuple)):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        lines.append(format_html('<span class="muted">{}</span> {}', key, value))
    return mark_safe("<br>".join(lines))
