"""The product's one chart kit: what a chart shows, as plain data for `static/js/charts.js` (Apache ECharts).

A page puts the spec into a `json_script` element and `agency/_chart.html` draws a placeholder that the
script turns into an interactive chart (tooltips, zoom). No Django here: labels arrive as whatever the caller
translated and leave as `str`, so lazy translations are resolved in the reader's language when the page
renders. The PDFs keep their own server-drawn charts (reportlab), which are not made here.

The spec, read by `charts.js`:

    {"title": str, "labels": [str, ...], "horizontal": bool, "zoom": bool,
     "axes": [{"name": str, "unit": str, "percent": bool, "max": float | None, "min": float | None}, ...],
     "series": [{"name": str, "kind": "line" | "bar", "values": [float | None, ...], "axis": 0 | 1,
                 "step": bool, "colors": [str, ...] | None, "marks": [str, ...] | None}, ...],
     "target": {"value": float, "label": str} | None, "band": [low, high] | None, "stacked": bool}

Percentages travel as fractions (0.874) and are shown ×100 with "%"; `colors` are names of the palette in
`charts.js` (`peak`, `presale`, `tail`, `holiday`, `bad`, …), one per value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

Number = float | int | None


def nice_max(value: float, *, steps: int = 4) -> float:
    """The smallest axis top at or above `value` whose `steps` gridline steps are round numbers (1, 1.5, 2, 2.5 …
    times a power of ten), so an axis reads 0 / 75 / 150 / 225 / 300 rather than 0 / 60 / 121 / 181 / 242."""
    if value <= 0:
        return 1.0
    step = value / steps
    power: float = 10.0 ** math.floor(math.log10(step))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 10):
        if factor * power >= step - 1e-9:
            return steps * factor * power
    return steps * 10 * power


def _number(value: Number) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else round(number, 4)


def axis(name: object = "", *, unit: object = "", percent: bool = False, top: float | None = None,
         bottom: float | None = None) -> dict[str, Any]:
    """A value axis: its name, the unit shown after each number, whether values are fractions shown as %."""
    return {"name": str(name), "unit": str(unit), "percent": percent, "max": top, "min": bottom}


def series(
    name: object,
    values: Sequence[Number],
    *,
    kind: str = "line",
    on_axis: int = 0,
    step: bool = False,
    colors: Sequence[str] | None = None,
    marks: Sequence[object] | None = None,
) -> dict[str, Any]:
    """One series: a line or bars, on the left (0) or right (1) axis; `None` is a day without data (a gap)."""
    if kind not in ("line", "bar"):
        raise ValueError(f"unknown series kind {kind!r}")
    if colors is not None and len(colors) != len(values):
        raise ValueError("one colour per value")
    if marks is not None and len(marks) != len(values):
        raise ValueError("one mark per value")
    return {
        "name": str(name),
        "kind": kind,
        "values": [_number(v) for v in values],
        "axis": on_axis,
        "step": step,
        "colors": list(colors) if colors is not None else None,
        "marks": [str(m) for m in marks] if marks is not None else None,
    }


def chart(
    *,
    title: object,
    labels: Sequence[object],
    series_list: Sequence[dict[str, Any]],
    axes: Sequence[dict[str, Any]] | None = None,
    target: float | None = None,
    target_label: object = "",
    band: tuple[float, float] | None = None,
    horizontal: bool = False,
    stacked: bool = False,
) -> dict[str, Any]:
    """A whole chart. Zoom is offered once there are more points than fit comfortably (over 14); `stacked`
    piles the bar series on one another (a line stays on its own)."""
    count = len(labels)
    for one in series_list:
        if len(one["values"]) != count:
            raise ValueError(f"series {one['name']!r} has {len(one['values'])} values for {count} labels")
    return {
        "title": str(title),
        "labels": [str(label) for label in labels],
        "series": list(series_list),
        "axes": list(axes) if axes else [axis()],
        "target": {"value": target, "label": str(target_label)} if target is not None else None,
        "band": [band[0], band[1]] if band is not None else None,
        "horizontal": horizontal,
        "stacked": stacked,
        "zoom": count > 14 and not horizontal,
    }


def has_data(spec: dict[str, Any]) -> bool:
    """Whether any series has a value to draw (a page shows "no data" instead of an empty frame)."""
    return any(v is not None for one in spec["series"] for v in one["values"])
