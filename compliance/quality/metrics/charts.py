"""Inline SVG charts drawn on the server (no JavaScript, no CDN). No Django: returns markup strings."""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 720, 240
PAD_L, PAD_R, PAD_T, PAD_B = 48, 16, 16, 36


def nice_max(value: float) -> float:
    """The smallest axis top at or above `value` whose four gridline steps are round numbers (1, 1.5, 2, 2.5
    … times a power of ten), so an axis reads 0 / 75 / 150 / 225 / 300 rather than 0 / 60 / 121 / 181 / 242."""
    if value <= 0:
        return 1.0
    step = value / 4
    power: float = 10.0 ** math.floor(math.log10(step))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10):
        if factor * power >= step - 1e-9:
            return 4 * factor * power
    return 4 * 10 * power


def line_chart(
    points: list[tuple[str, float | None]],
    *,
    target: float | None = None,
    band: tuple[float, float] | None = None,
    y_max: float = 1.0,
    percent: bool = True,
    title: str = "",
    target_label: str = "",
    unit: str = "",
) -> str:
    """A daily line (None = no data that day) with an optional target line and warning band."""
    inner_w, inner_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    n = max(len(points), 1)

    def x(i: int) -> float:
        return PAD_L + (inner_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return PAD_T + inner_h * (1 - min(max(v / y_max, 0), 1))

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" class="line-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(5):
        v = y_max * tick / 4
        label = f"{v * 100:.0f}%" if percent else f"{v:g}{unit}"
        parts.append(f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(v):.1f}" y2="{y(v):.1f}" class="grid"/>')
        parts.append(f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end" class="axis">{label}</text>')
    if band:
        low, high = band
        parts.append(
            f'<rect x="{PAD_L}" y="{y(high):.1f}" width="{inner_w}" height="{y(low) - y(high):.1f}" class="band"/>'
        )
    if target is not None:
        parts.append(
            f'<line x1="{PAD_L}" x2="{WIDTH - PAD_R}" y1="{y(target):.1f}" y2="{y(target):.1f}" class="target"/>'
            f'<text x="{WIDTH - PAD_R}" y="{y(target) - 4:.1f}" text-anchor="end" class="target-label">'
            f"{escape(target_label)}</text>"
        )
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, (_, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(i):.1f},{y(value):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline points="{" ".join(seg)}" class="series"/>')
    step = max(1, n // 8)
    for i, (label, value) in enumerate(points):
        if value is not None:
            shown = f"{value * 100:.1f}%" if percent else f"{value:.1f}"
            bad = target is not None and value < target
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3" class="dot{" bad" if bad else ""}">'
                f"<title>{escape(label)}: {shown}</title></circle>"
            )
        if i % step == 0:
            parts.append(f'<text x="{x(i):.1f}" y="{HEIGHT - 12}" text-anchor="middle" class="axis">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(items: list[tuple[str, int]], *, title: str = "") -> str:
    """Horizontal bars, one per (label, count)."""
    row_h, label_w = 26, 150
    height = max(1, len(items)) * row_h + 8
    top = max((count for _, count in items), default=0) or 1
    bar_w = WIDTH - label_w - 60
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" class="bar-chart">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, count) in enumerate(items):
        y = 4 + i * row_h
        w = bar_w * count / top
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" class="axis">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" class="bar"/>')
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + 17}" class="value">{count}</text>')
    parts.append("</svg>")
    return "".join(parts)
