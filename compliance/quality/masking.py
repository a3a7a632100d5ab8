"""Masking buyers' personal data for the merchant's drill-down, the report and the export. No Django.

Uses `compliance.masking.mask_text` and adds what it does not cover. It hides phone numbers, ID and bank-card numbers, e-mail addresses and the
buyer's handle, keeping enough to recognise a row (first and last characters).
"""

from __future__ import annotations

import re

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


def highlighted_segments(text: str, spans: list[tuple[int, int, object]]) -> list[tuple[str, object]]:
    """Split `text` into (masked piece, hit or None) so a template can wrap hits in <mark>.

    `spans` are (start, end, hit) with Python indices into the original text; overlapping spans keep
    the first one. Each piece is masked on its own, so indices never shift under the marks.
    """
    pieces: list[tuple[str, object]] = []
    cursor = 0
    for start, end, hit in sorted(spans, key=lambda s: (s[0], -s[1])):
        if start < cursor or start >= end or end > len(text):
            continue
        if start > cursor:
            pieces.append((mask_text(text[cursor:start]), None))
        pieces.append((mask_text(text[start:end]), hit))
        cursor = end
    if cursor < len(text):
        pieces.append((mask_text(text[cursor:]), None))
    return pieces
