from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """0.8667 → '86.7%'; None → '—'."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def secs(value) -> str:
    """Seconds (or a score) with one decimal; None → '—'."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.1f}"
