"""Small inline-SVG charts for staffing pages (no JS chart library, no CDN). Every label is escaped."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def _nice_top(value: float) -> float:
    """An axis top at or above `value` whose half is a round number, so the three gridlines read 0 / 750 / 1500
    rather than 0 / 694 / 1389."""
    if value <= 0:
        return 1.0
    half = value / 2
    power = 10 ** math.floor(math.log10(half))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10):
        if factor * power >= half - 1e-9:
            return 2 * factor * power
    return 20 * power


def line_chart(
    values: Sequence[float],
    *,
    labels: Sequence[str],
    second: Sequence[float] | None = None,
    title: str = "",
    legend: tuple[str, str] = ("", ""),
    width: int = 900,
    height: int = 220,
    label_every: int = 4,
) -> SafeString:
    """A line of `values` (and optionally a stepped second series on its own right-hand scale)."""
    pad_l, pad_r, pad_t, pad_b = 44, 44, 24, 28
    n = max(len(values), 1)
    top = _nice_top(max(values, default=0))
    w, h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i: float) -> float:
        return pad_l + (i + 0.5) * w / n

    def y(v: float, scale: float) -> float:
        return pad_t + h - (v / scale) * h

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="chart-svg">']
    for frac in (0, 0.5, 1):
        yy = pad_t + h - frac * h
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{_fmt(yy)}" y2="{_fmt(yy)}" class="grid"/>')
        parts.append(f'<text x="{pad_l - 4}" y="{_fmt(yy + 4)}" text-anchor="end" class="axis">{top * frac:g}</text>')
    pts = " ".join(f"{_fmt(x(i))},{_fmt(y(v, top))}" for i, v in enumerate(values))
    parts.append(f'<polyline points="{pts}" class="series-a"/>')
    if second is not None and len(second):
        top2 = max(max(second), 1)
        step = []
        for i, v in enumerate(second):
            step.append(f"{_fmt(x(i) - w / n / 2)},{_fmt(y(v, top2))}")
            step.append(f"{_fmt(x(i) + w / n / 2)},{_fmt(y(v, top2))}")
        parts.append(f'<polyline points="{" ".join(step)}" class="series-b"/>')
        parts.append(
            f'<text x="{width - pad_r + 4}" y="{pad_t + 4}" class="axis">{top2:.0f}</text>'
        )
    for i, label in enumerate(labels):
        if i % label_every == 0:
            parts.append(f'<text x="{_fmt(x(i))}" y="{height - 8}" text-anchor="middle" class="axis">{escape(label)}</text>')
    # One text line, the second entry flowing after the first: at a fixed x the two overlapped in English.
    entries: list[str] = []
    for key, text in (("a", legend[0]), ("b", legend[1])):
        if text:
            gap = ' dx="24"' if entries else ""
            entries.append(f'<tspan class="legend-{key}"{gap}>— {escape(text)}</tspan>')
    if entries:
        parts.append(f'<text x="{pad_l}" y="14" class="legend">{"".join(entries)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def bar_chart(
    bars: Sequence[dict],
    *,
    title: str = "",
    width: int = 900,
    height: int = 240,
) -> SafeString:
    """Bars: dicts with `value`, `label`, `css` (class for the bar) and optional `mark` (a short text above)."""
    pad_l, pad_r, pad_t, pad_b = 44, 10, 30, 40
    n = max(len(bars), 1)
    top = _nice_top(max((b["value"] for b in bars), default=0))
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    bw = w / n
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="chart-svg">']
    for frac in (0, 0.5, 1):
        yy = pad_t + h - frac * h
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{_fmt(yy)}" y2="{_fmt(yy)}" class="grid"/>')
        parts.append(f'<text x="{pad_l - 4}" y="{_fmt(yy + 4)}" text-anchor="end" class="axis">{top * frac:g}</text>')
    for i, bar in enumerate(bars):
        bh = bar["value"] / top * h
        x0 = pad_l + i * bw + bw * 0.12
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="{}" height="{}" class="bar {}"><title>{} · {}</title></rect>',
                _fmt(x0), _fmt(pad_t + h - bh), _fmt(bw * 0.76), _fmt(bh), bar.get("css", ""), bar["label"],
                f"{bar['value']:.0f}",
            )
        )
        if bar.get("mark"):
            parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" class="mark">{}</text>',
                                     _fmt(x0 + bw * 0.38), _fmt(pad_t + h - bh - 4), bar["mark"]))
        parts.append(format_html('<text x="{}" y="{}" text-anchor="middle" class="axis">{}</text>',
                                 _fmt(x0 + bw * 0.38), height - 22, bar["label"]))
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))
