"""Template helpers for the knowledge base: mark the searched words in a result."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def highlight(text: str, query: str) -> SafeString:
    """Escape `text` and wrap each (case-insensitive) occurrence of the query's words in <mark class="hit">."""
    escaped = escape(text or "")
    words = sorted({w for w in (query or "").split() if w}, key=len, reverse=True)
    if not words:
        return mark_safe(escaped)
    pattern = re.compile("|".join(re.escape(escape(w)) for w in words), re.IGNORECASE)
    return mark_safe(pattern.sub(lambda m: f'<mark class="hit">{m.group(0)}</mark>', escaped))
