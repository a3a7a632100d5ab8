from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value) -> str:
    """Money in yuan with two decimals and thousands separators: 12345.6 → "12,345.60"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"
