"""Splitting a message's text at its hits for highlighting. No Django import.

Hits may overlap (a phone-number hit inside a contact hit); the text is cut at every hit boundary and
each piece carries the hits that cover it, so every character is shown exactly once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

SEVERITY_RANK = {"info": 0, "warning": 1, "violation": 2, "severe": 3}


def segments(text: str, hits: Sequence[Any]) -> list[tuple[str, list[Any]]]:
    """[(piece, covering hits)] for `text`; hits have `.start`/`.end` (original offsets)."""
    n = len(text)
    spans = [h for h in hits if 0 <= h.start < h.end <= n]
    if not spans:
        return [(text, [])]
    cuts = sorted({0, n, *(h.start for h in spans), *(h.end for h in spans)})
    out: list[tuple[str, list[Any]]] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        covering = [h for h in spans if h.start <= a and b <= h.end]
        if out and not covering and not out[-1][1]:
            out[-1] = (out[-1][0] + text[a:b], [])
        else:
            out.append((text[a:b], covering))
    return out


def worst(hits: Sequence[Any]) -> str:
    return max((h.severity for h in hits), key=lambda s: SEVERITY_RANK.get(s, 0), default="info")
