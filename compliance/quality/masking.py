"""Masking buyers' personal data for the merchant's drill-down, the report and the export. No Django.

Uses `compliance.masking.mask_text` and adds what it does not cover. It hides phone numbers, ID and bank-card numbers, e-mail addresses and the
buyer's handle, keeping enough to recognise a row (first and last characters).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from compliance.highlight import SEVERITY_RANK, segments
from compliance.masking import mask_text as _compliance_mask

PHONE = re.compile(r"(?<!\d)(1[3-9]\d)[\d\s-]{4,9}?(\d{4})(?!\d)")
LONG_DIGITS = re.compile(r"(?<!\d)(\d{2})\d{6,}(\d{2})(?!\d)")
EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_text(text: str) -> str:
    """The compliance app's masking (phones, landlines, ID numbers, length-preserving), plus e-mail
    addresses and other long digit runs (bank cards) here."""
    text = _compliance_mask(text)
    text = PHONE.sub(lambda m: f"{m.group(1)}****{m.group(2)}", text)
    text = LONG_DIGITS.sub(lambda m: f"{m.group(1)}{'*' * 6}{m.group(2)}", text)
    return EMAIL.sub(lambda m: f"{m.group(1)}***@{m.group(2)}", text)


def mask_buyer(handle: str) -> str:
    if len(handle) <= 2:
        return "*" * len(handle)
    return f"{handle[0]}{'*' * min(6, len(handle) - 2)}{handle[-1]}"


def highlighted_segments(text: str, hits: Sequence[Any]) -> list[tuple[str, Any]]:
    """Split `text` at its hits (`compliance.highlight.segments`, as the session pages do) into (masked
    piece, the most severe covering hit or None) so a template can wrap hits in <mark>. Phones and ID
    numbers are masked on the whole text first (length-preserving, so the offsets still fit, and a number
    a hit cuts in two is still found); what changes length (e-mails, card numbers) is masked per piece."""
    out: list[tuple[str, Any]] = []
    for piece, covering in segments(_compliance_mask(text), hits):
        top = max(covering, key=lambda h: SEVERITY_RANK.get(h.severity, 0)) if covering else None
        out.append((mask_text(piece), top))
    return out
