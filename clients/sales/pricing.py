"""Pricing a quote from a price book: pure computation, no Django.

Seats are priced per shift: one seat on a shift costs the book's monthly rate for that service type,
shift and platform (the night shift carries the night premium). The service window decides which shifts
are needed; the peak seat count from the staffing model is kept on every shift the window touches, as
e-commerce chat peaks both late morning and evening. Money is Decimal, rounded to the fen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# Shift windows in minutes from midnight (end exclusive); the night shift wraps past midnight.
SHIFT_WINDOWS: dict[str, list[tuple[int, int]]] = {
    "day": [(8 * 60, 16 * 60)],
    "evening": [(15 * 60, 23 * 60)],
    "night": [(23 * 60, 24 * 60), (0, 8 * 60)],
}
SHIFT_ORDER = ["day", "evening", "night"]
SHIFT_LABELS = {"day": "白班", "evening": "晚班", "night": "夜班"}
SERVICE_LABELS = {"presale": "售前", "aftersale": "售后"}


def money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _window_minutes(start: time, end: time) -> list[tuple[int, int]]:
    s, e = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    if e == 0:
        e = 24 * 60
    if s < e:
        return [(s, e)]
    return [(s, 24 * 60), (0, e)]  # wraps past midnight (or 24 hours when s == e)


def shifts_for_window(start: time, end: time) -> list[str]:
    """The shifts a service window needs: every shift whose hours overlap the window."""
    window = _window_minutes(start, end)
    needed = []
    for shift in SHIFT_ORDER:
        if any(ws < se and ss < we for ws, we in window for ss, se in SHIFT_WINDOWS[shift]):
            needed.append(shift)
    return needed


def split_seats(seats: int, presale_pct: int) -> dict[str, int]:
    """Split seats between pre-sale and after-sale; both get one when both are wanted and seats allow."""
    presale = round(seats * presale_pct / 100)
    if 0 < presale_pct < 100 and seats >= 2:
        presale = min(max(presale, 1), seats - 1)
    return {"presale": presale, "aftersale": seats - presale}


@dataclass(frozen=True)
class AddOn:
    code: str
    name: str
    unit: str  # "month" | "seat_month"
    price: Decimal


@dataclass(frozen=True)
class Alternative:
    kind: str  # "commission" | "per_consultation"
    name: str
    rate: Decimal
    minimum_monthly: Decimal


@dataclass(frozen=True)
class SurgeWindow:
    name: str
    start: date
    end: date
    extra_seats: int


@dataclass
class PricingInput:
    seats: int
    presale_pct: int
    service_start: time
    service_end: time
    rates: dict[tuple[str, str], Decimal]  # (service_type, shift) -> monthly rate for the quote's platform
    night_premium_pct: Decimal
    holiday_premium_pct: Decimal
    surge_premium_pct: Decimal
    holiday_days_per_month: Decimal
    daily_volume: int
    addons: list[AddOn] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    surges: list[SurgeWindow] = field(default_factory=list)


@dataclass
class PricingResult:
    lines: list[dict[str, Any]]
    surges: list[dict[str, Any]]
    alternatives: list[dict[str, Any]]
    monthly_total: Decimal


class MissingRate(ValueError):
    pass


def _rate(data: PricingInput, service_type: str, shift: str) -> Decimal:
    try:
        base = data.rates[(service_type, shift)]
    except KeyError:
        raise MissingRate(
            f"价格表缺少单价：{SERVICE_LABELS[service_type]} {SHIFT_LABELS[shift]}"
        ) from None
    if shift == "night":
        base = base * (1 + data.night_premium_pct / HUNDRED)
    return money(base)


def price_quote(data: PricingInput) -> PricingResult:
    shifts = shifts_for_window(data.service_start, data.service_end)
    split = split_seats(data.seats, data.presale_pct)
    lines: list[dict[str, Any]] = []
    seat_subtotal = Decimal(0)
    seat_positions = 0
    for shift in shifts:
        for service_type in ("presale", "aftersale"):
            quantity = split[service_type]
            if not quantity:
                continue
            unit = _rate(data, service_type, shift)
            amount = money(unit * quantity)
            note = f"含夜班溢价 {data.night_premium_pct}%" if shift == "night" else ""
            lines.append({
                "kind": "seat", "description": f"{SERVICE_LABELS[service_type]}席位 · {SHIFT_LABELS[shift]}",
                "service_type": service_type, "shift": shift, "quantity": quantity,
                "unit_price": str(unit), "amount": str(amount), "note": note,
            })
            seat_subtotal += amount
            seat_positions += quantity
    if data.holiday_premium_pct and data.holiday_days_per_month:
        amount = money(seat_subtotal / 30 * data.holiday_days_per_month * data.holiday_premium_pct / HUNDRED)
        lines.append({
            "kind": "holiday", "description": "法定节假日服务溢价",
            "quantity": 1, "unit_price": str(amount), "amount": str(amount),
            "note": f"节假日按日费率上浮 {data.holiday_premium_pct}%，按月均 {data.holiday_days_per_month} 天节假日计",
            "premium_pct": str(data.holiday_premium_pct), "days_per_month": str(data.holiday_days_per_month),
        })
    for addon in data.addons:
        quantity = seat_positions if addon.unit == "seat_month" else 1
        amount = money(addon.price * quantity)
        lines.append({
            "kind": "addon", "code": addon.code, "description": addon.name, "quantity": quantity,
            "unit_price": str(money(addon.price)), "amount": str(amount),
            "note": "按席位计" if addon.unit == "seat_month" else "按月计", "unit": addon.unit,
        })
    monthly_total = money(sum((Decimal(line["amount"]) for line in lines), Decimal(0)))

    # Surge seats are a one-off charge per promotion window, not part of the monthly fee.
    average_rate = (seat_subtotal / seat_positions) if seat_positions else Decimal(0)
    surges = []
    for surge in data.surges:
        days = (surge.end - surge.start).days + 1
        positions = surge.extra_seats * len(shifts)
        amount = money(average_rate / 30 * days * positions * (1 + data.surge_premium_pct / HUNDRED))
        surges.append({
            "name": surge.name, "start": surge.start.isoformat(), "end": surge.end.isoformat(), "days": days,
            "extra_seats": surge.extra_seats, "amount": str(amount),
            "note": f"{len(shifts)} 个班次，临时席位溢价 {data.surge_premium_pct}%",
            "shifts": len(shifts), "premium_pct": str(data.surge_premium_pct),
        })

    alternatives = []
    for alt in data.alternatives:
        if alt.kind == "per_consultation":
            estimate = money(max(alt.rate * data.daily_volume * 30, alt.minimum_monthly))
            terms = f"每次咨询 {money(alt.rate)} 元，每月保底 {money(alt.minimum_monthly)} 元"
        else:
            estimate = None
            terms = f"按询单转化成交额的 {(alt.rate * HUNDRED).normalize()}% 提成，每月保底 {money(alt.minimum_monthly)} 元"
        alternatives.append({
            "kind": alt.kind, "name": alt.name, "terms": terms, "rate": str(alt.rate),
            "minimum_monthly": str(money(alt.minimum_monthly)),
            "monthly_estimate": str(estimate) if estimate is not None else None,
        })
    return PricingResult(lines=lines, surges=surges, alternatives=alternatives, monthly_total=monthly_total)
