"""One contract's monthly statement (对账单), exactly as `contracts.md` §9 defines it. No Django here.

`statement_compute(scenario)` takes the scenario as parsed JSON (a dict), checks every field (all problems
are collected, each named by its path, e.g. `lines[2].tiers[1].up_to`) and returns the output object.

Money is Decimal: each line's amount is rounded half up to 0.01 once, totals add rounded amounts, the
credit is rounded half up to 0.01. Active days are the days of the month inside [service_start,
service_end] (an open end runs past the month).

Line kinds: `monthly` (quantity × unit price × active days ÷ days in month), `daily` (quantity × unit price
× active days inside [start, end]), `per_session` (graduated tiers over the served sessions), `commission`
(the greater of rate × attributed sales and the minimum pro rata by active days), and, beyond §9's
wording, `adjustment` (a fixed signed amount, e.g. refunds that became known after an earlier statement
was issued): it is neither a service fee nor commission, is never credited, and adds to the total.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
KINDS = ("monthly", "daily", "per_session", "commission", "adjustment")
BETTER = ("higher", "lower")


class ScenarioError(ValueError):
    """The scenario is invalid; `errors` are "path: why" strings, every one found."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def round_money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A Decimal without exponent or needless trailing zeros ("5", "7.5")."""
    text = format(value.normalize(), "f")
    return text


@dataclass(frozen=True, slots=True)
class Target:
    metric: str
    target: float
    attained: float | None
    better: str

    @property
    def missed(self) -> bool:
        if self.attained is None:
            return False
        return self.attained < self.target if self.better == "higher" else self.attained > self.target


class _Reader:
    def __init__(self) -> None:
        self.errors: list[str] = []

    def fail(self, path: str, why: str) -> None:
        self.errors.append(f"{path}: {why}")

    def money(self, obj: dict[str, Any], key: str, path: str, *, required: bool = True,
              signed: bool = False) -> Decimal | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.fail(where, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            self.fail(where, f"must be an amount such as \"12.50\", got {type(value).__name__}")
            return None
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(where, f"not a number: {value!r}")
            return None
        if not amount.is_finite():
            self.fail(where, f"not a number: {value!r}")
            return None
        if amount < 0 and not signed:
            self.fail(where, f"must not be negative (got {value})")
            return None
        return amount

    def count(self, obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> int | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.fail(where, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"must be a whole number, got {value!r}")
            return None
        if value < 0:
            self.fail(where, f"must not be negative (got {value})")
            return None
        return value

    def day(self, obj: dict[str, Any], key: str, path: str, *, required: bool = True) -> date | None:
        value = obj.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.fail(where, "is required")
            return None
        if not isinstance(value, str):
            self.fail(where, f"must be a date YYYY-MM-DD, got {type(value).__name__}")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(where, f"not a valid date: {value!r}")
            return None

    def number(self, obj: dict[str, Any], key: str, path: str, *, nullable: bool) -> float | None:
        value = obj.get(key)
        where = f"{path}.{key}"
        if value is None:
            if not nullable:
                self.fail(where, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.fail(where, f"must be a number, got {value!r}")
            return None
        return float(value)


def _month(reader: _Reader, value: Any) -> tuple[date, date] | None:
    if not isinstance(value, str) or len(value) != 7 or value[4] != "-":
        reader.fail("month", f"must be YYYY-MM, got {value!r}")
        return None
    try:
        first = date(int(value[:4]), int(value[5:]), 1)
    except ValueError:
        reader.fail("month", f"not a valid month: {value!r}")
        return None
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def _overlap_days(first: date, last: date, start: date | None, end: date | None) -> int:
    lo = max(first, start) if start else first
    hi = min(last, end) if end else last
    return max(0, (hi - lo).days + 1)


def _tiered(sessions: int, tiers: list[tuple[int | None, Decimal]]) -> Decimal:
    total = Decimal(0)
    floor = 0
    for up_to, price in tiers:
        ceiling = sessions if up_to is None else min(sessions, up_to)
        if ceiling > floor:
            total += (ceiling - floor) * price
        if up_to is None or sessions <= up_to:
            break
        floor = up_to
    return total


def statement_compute(scenario: Any) -> dict[str, Any]:
    """The §9 output for one contract and month; raises ScenarioError naming every bad field."""
    reader = _Reader()
    if not isinstance(scenario, dict):
        raise ScenarioError(["(scenario): must be a JSON object"])
    month = _month(reader, scenario.get("month"))
    service_start = reader.day(scenario, "service_start", "")
    service_end = reader.day(scenario, "service_end", "", required=False)
    if service_start and service_end and service_end < service_start:
        reader.fail("service_end", f"before service_start ({service_end} < {service_start})")
    served = reader.count(scenario, "served_sessions", "", required=False) or 0
    sales = reader.money(scenario, "attributed_sales", "", required=False) or Decimal(0)
    credits = scenario.get("credits") or {}
    if not isinstance(credits, dict):
        reader.fail("credits", "must be an object")
        credits = {}
    pct_per = reader.money(credits, "pct_per_missed_target", "credits", required=False) or Decimal(0)
    cap_pct = reader.money(credits, "cap_pct", "credits", required=False)
    if cap_pct is None:
        cap_pct = Decimal(100)

    targets: list[Target] = []
    raw_targets = scenario.get("targets") or []
    if not isinstance(raw_targets, list):
        reader.fail("targets", "must be a list")
        raw_targets = []
    for index, raw in enumerate(raw_targets):
        path = f"targets[{index}]"
        if not isinstance(raw, dict):
            reader.fail(path, "must be an object")
            continue
        metric = raw.get("metric")
        if not isinstance(metric, str) or not metric:
            reader.fail(f"{path}.metric", "is required")
        better = raw.get("better")
        if better not in BETTER:
            reader.fail(f"{path}.better", f"must be higher or lower, got {better!r}")
        target = reader.number(raw, "target", path, nullable=False)
        attained = reader.number(raw, "attained", path, nullable=True)
        if isinstance(metric, str) and metric and better in BETTER and target is not None:
            targets.append(Target(metric, target, attained, str(better)))

    raw_lines = scenario.get("lines")
    if not isinstance(raw_lines, list):
        reader.fail("lines", "must be a list")
        raw_lines = []
    active = 0
    days_in_month = 1
    if month:
        days_in_month = (month[1] - month[0]).days + 1
        if service_start:
            active = _overlap_days(month[0], month[1], service_start, service_end)

    amounts: list[tuple[str, str, Decimal]] = []  # (code, kind, rounded amount)
    for index, raw in enumerate(raw_lines):
        path = f"lines[{index}]"
        if not isinstance(raw, dict):
            reader.fail(path, "must be an object")
            continue
        code = raw.get("code")
        if not isinstance(code, str) or not code:
            reader.fail(f"{path}.code", "is required")
            code = ""
        kind = raw.get("kind")
        if kind not in KINDS:
            reader.fail(f"{path}.kind", f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
            continue
        amount: Decimal | None = None
        if kind == "monthly":
            quantity = reader.money(raw, "quantity", path)
            price = reader.money(raw, "unit_price", path)
            if quantity is not None and price is not None:
                amount = quantity * price * active / days_in_month
        elif kind == "daily":
            quantity = reader.money(raw, "quantity", path)
            price = reader.money(raw, "unit_price", path)
            start = reader.day(raw, "start", path, required=False)
            end = reader.day(raw, "end", path, required=False)
            if start and end and end < start:
                reader.fail(f"{path}.end", f"before start ({end} < {start})")
            elif quantity is not None and price is not None and month and service_start:
                lo = max(d for d in (start, service_start) if d is not None)
                hi_candidates = [d for d in (end, service_end) if d is not None]
                hi = min(hi_candidates) if hi_candidates else None
                days = _overlap_days(month[0], month[1], lo, hi) if hi is None or hi >= lo else 0
                amount = quantity * price * days
        elif kind == "per_session":
            tiers = raw.get("tiers")
            if not isinstance(tiers, list) or not tiers:
                reader.fail(f"{path}.tiers", "must be a non-empty list")
                continue
            parsed: list[tuple[int | None, Decimal]] = []
            previous: int | None = None
            good = True
            for t_index, tier in enumerate(tiers):
                t_path = f"{path}.tiers[{t_index}]"
                if not isinstance(tier, dict):
                    reader.fail(t_path, "must be an object")
                    good = False
                    continue
                up_to = tier.get("up_to")
                if up_to is not None and (isinstance(up_to, bool) or not isinstance(up_to, int) or up_to <= 0):
                    reader.fail(f"{t_path}.up_to", f"must be a positive whole number or null, got {up_to!r}")
                    good = False
                    up_to = None
                elif t_index and previous is None:
                    reader.fail(f"{path}.tiers[{t_index - 1}].up_to", "only the last tier may be unlimited (null)")
                    good = False
                elif up_to is not None and previous is not None and up_to <= previous:
                    reader.fail(f"{t_path}.up_to", f"must be greater than {previous}")
                    good = False
                price = reader.money(tier, "unit_price", t_path)
                if price is None:
                    good = False
                parsed.append((up_to, price or Decimal(0)))
                previous = up_to
            if good and parsed[-1][0] is not None:
                reader.fail(f"{path}.tiers[{len(parsed) - 1}].up_to", "the last tier must be unlimited (null)")
                good = False
            if good:
                amount = _tiered(served, parsed)
        elif kind == "commission":
            rate = reader.money(raw, "rate", path)
            minimum = reader.money(raw, "minimum", path, required=False) or Decimal(0)
            if rate is not None:
                amount = max(rate * sales, minimum * active / days_in_month)
        else:  # adjustment
            amount = reader.money(raw, "amount", path, signed=True)
        if amount is not None:
            amounts.append((code, str(kind), round_money(amount)))

    if reader.errors:
        raise ScenarioError(reader.errors)

    if not any(kind == "commission" for _code, kind, _amount in amounts):
        amounts.append(("commission", "commission", Decimal("0.00")))
    service_fees = sum((a for _c, k, a in amounts if k not in ("commission", "adjustment")), Decimal("0.00"))
    commission = sum((a for _c, k, a in amounts if k == "commission"), Decimal("0.00"))
    adjustments = sum((a for _c, k, a in amounts if k == "adjustment"), Decimal("0.00"))
    missed = [t.metric for t in targets if t.missed]
    credit_pct = min(pct_per * len(missed), cap_pct)
    credit = round_money(service_fees * credit_pct / 100)
    total = service_fees + commission + adjustments - credit
    return {
        "lines": [{"code": code, "amount": str(amount)} for code, _kind, amount in amounts],
        "service_fees": str(service_fees),
        "commission": str(commission),
        "missed_targets": missed,
        "credit_pct": plain(credit_pct),
        "credit": str(credit),
        "total": str(total),
    }


def month_bounds(month: str) -> tuple[date, date]:
    """First and last day of a "YYYY-MM" month (ValueError when it is not one)."""
    reader = _Reader()
    bounds = _month(reader, month)
    if bounds is None:
        raise ValueError(reader.errors[0])
    return bounds


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
