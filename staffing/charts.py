"""Small inline-SVG charts for staffing pages (no JS chart library, no CDN). Every label is escaped."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


def _fmt(x: float) -> str:
    return f"{x:.1f}"


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
    top = max(max(values, default=0), 1e-9)
    w, h = width - pad_l - pad_r, height - pad_t - pad_b

    def x(i: float) -> float:
        return pad_l + (i + 0.5) * w / n

    def y(v: float, scale: float) -> float:
        return pad_t + h - (v / scale) * h

    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="chart-svg">']
    for frac in (0, 0.5, 1):
        yy = pad_t + h - frac * h
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{_fmt(yy)}" y2="{_fmt(yy)}" class="grid"/>')
        parts.append(f'<text x="{pad_l - 4}" y="{_fmt(yy + 4)}" text-anchor="end" class="axis">{top * frac:.0f}</text>')
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
    if legend[0]:
        parts.append(f'<text x="{pad_l}" y="14" class="legend-a">— {escape(legend[0])}</text>')
    if legend[1]:
        parts.append(f'<text x="{pad_l + 200}" y="14" class="legend-b">— {escape(legend[1])}</text>')
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
    top = max((b["value"] for b in bars), default=0) or 1
    w, h = width - pad_l - pad_r, height - pad_t - pad_b
    bw = w / n
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" class="chart-svg">']
    for frac in (0, 0.5, 1):
        yy = pad_t + h - frac * h
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{_fmt(yy)}" y2="{_fmt(yy)}" class="grid"/>')
        parts.append(f'<text x="{pad_l - 4}" y="{_fmt(yy + 4)}" text-anchor="end" class="axis">{top * frac:.0f}</text>')
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
