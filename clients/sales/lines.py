"""A quote's price lines in the reader's language.

The pricing engine (`pricing.py`, pure) stores each line with its codes and figures (kind, service type,
shift, premium, days) beside a Chinese description for the Chinese PDF; pages render the lines here, at read
time, so an English reader sees English and a Chinese reader Chinese. A line stored before the figures were
kept shows its stored text.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

SERVICE = {"presale": gettext_lazy("售前席位"), "aftersale": gettext_lazy("售后席位")}
SHIFT = {"day": gettext_lazy("白班"), "evening": gettext_lazy("晚班"), "night": gettext_lazy("夜班")}


def _pct(value: Any) -> str:
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except InvalidOperation:
        return str(value)


def line_display(line: dict[str, Any]) -> dict[str, Any]:
    shown = dict(line)
    kind = line.get("kind")
    if kind == "seat" and line.get("service_type") in SERVICE and line.get("shift") in SHIFT:
        shown["description"] = _("%(service)s · %(shift)s") % {
            "service": SERVICE[line["service_type"]], "shift": SHIFT[line["shift"]]}
        shown["note"] = _("含夜班溢价") if line.get("shift") == "night" and line.get("note") else ""
    elif kind == "holiday" and "premium_pct" in line:
        shown["description"] = _("法定节假日服务溢价")
        shown["note"] = _("节假日按日费率上浮 %(pct)s%%，按月均 %(days)s 天节假日计") % {
            "pct": _pct(line["premium_pct"]), "days": _pct(line["days_per_month"])}
    elif kind == "addon" and "unit" in line:
        shown["note"] = _("按席位计") if line["unit"] == "seat_month" else _("按月计")
    return shown


def surge_display(surge: dict[str, Any]) -> dict[str, Any]:
    shown = dict(surge)
    if "shifts" in surge:
        shown["note"] = _("%(shifts)s 个班次，临时席位溢价 %(pct)s%%") % {
            "shifts": surge["shifts"], "pct": _pct(surge["premium_pct"])}
    return shown


def alternative_display(alternative: dict[str, Any]) -> dict[str, Any]:
    shown = dict(alternative)
    if "rate" not in alternative:
        return shown
    if alternative.get("kind") == "per_consultation":
        shown["name"] = _("按咨询量计费")
        shown["terms"] = _("每次咨询 %(rate)s 元，每月保底 %(minimum)s 元") % {
            "rate": alternative["rate"], "minimum": alternative["minimum_monthly"]}
    elif alternative.get("kind") == "commission":
        shown["name"] = _("按成交额提成")
        shown["terms"] = _("按询单转化成交额的 %(pct)s%% 提成，每月保底 %(minimum)s 元") % {
            "pct": _pct(Decimal(alternative["rate"]) * 100), "minimum": alternative["minimum_monthly"]}
    return shown
