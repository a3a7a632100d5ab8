"""Sales attribution and sales KPIs, exactly as `contracts.md` §8 defines them. No Django here.

- **Attribution**: an order belongs to the last agent message sent to its buyer (in any session of the
  shop) at or before the order's `created_at` and at most the window (default 24 h) before it; its agent
  is that message's agent code. No such message: a silent order (静默单).
- **Reminder (催付)**: the first agent message to the buyer strictly after `created_at` while the order is
  unpaid (strictly before `paid_at`; for an order never paid, at most 24 h after `created_at`). The order
  counts as reminded on that message's day and agent, and as a paid reminder when paid at most 24 h after it.
- **Per (day, agent)**: inquiring buyers (got an agent message from that agent that day), converted buyers
  and sales (paid orders whose attributing message is of that day and agent, sales net of refunds),
  paying buyers, average order value (sales ÷ paying buyers), reminded orders and paid reminders; the shop
  row (`agent` None) counts every agent.

Only `agent` messages count (never bot or system). Equal send times keep the caller's order, so "the last"
message of two at the same second is the later one in the input. An agent message without an agent code
counts on the shop row only (an order it attributes has `attributed_at` but no agent).

The stored attribution (`compliance.quality.sales.services`) computes the same in SQL on PostgreSQL; tests
hold the two to the same rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEFAULT_WINDOW_HOURS = 24.0
REMINDER_PERIOD = timedelta(hours=24)
CENT = Decimal("0.01")
RATE = Decimal("0.001")

MessageRef = int | str


@dataclass(frozen=True, slots=True)
class AgentMessage:
    """One agent message to a buyer; `agent` is its agent code ('' or None when the log names none)."""

    buyer: str
    agent: str | None
    sent_at: datetime
    ref: MessageRef | None = None


@dataclass(frozen=True, slots=True)
class Order:
    order_id: str
    buyer: str
    created_at: datetime
    paid_at: datetime | None
    amount: Decimal
    refund_amount: Decimal = Decimal("0.00")

    @property
    def paid(self) -> bool:
        return self.paid_at is not None

    @property
    def net(self) -> Decimal:
        return self.amount - self.refund_amount


@dataclass(frozen=True, slots=True)
class OrderAttribution:
    """What §8 says about one order: its attributing message and its reminder (either may be None)."""

    order_id: str
    agent: str | None
    attributed_at: datetime | None
    attributed_ref: MessageRef | None
    reminder_agent: str | None
    reminded_at: datetime | None
    reminder_ref: MessageRef | None
    reminder_paid: bool

    @property
    def attributed(self) -> bool:
        return self.attributed_at is not None

    def as_contract(self) -> dict[str, Any]:
        moment = self.attributed_at
        return {
            "order_id": self.order_id,
            "agent": self.agent,
            "attributed_at": moment.astimezone(SHANGHAI).isoformat(timespec="seconds") if moment else None,
        }


@dataclass(slots=True)
class DayFigures:
    day: date
    agent: str | None
    inquiring: set[str] = field(default_factory=set)
    converted: set[str] = field(default_factory=set)
    sales: Decimal = Decimal("0.00")
    reminded_orders: int = 0
    reminders_paid: int = 0

    @property
    def inquiring_buyers(self) -> int:
        return len(self.inquiring)

    @property
    def converted_buyers(self) -> int:
        return len(self.converted)

    @property
    def paying_buyers(self) -> int:
        # The buyers of paid, attributed orders of this day and agent: §8's converted buyers are the same set.
        return len(self.converted)

    def as_contract(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "agent": self.agent,
            "inquiring_buyers": self.inquiring_buyers,
            "converted_buyers": self.converted_buyers,
            "conversion_rate": conversion_rate(self.converted_buyers, self.inquiring_buyers),
            "sales": money(self.sales),
            "paying_buyers": self.paying_buyers,
            "avg_order_value": average_order_value(self.sales, self.paying_buyers),
            "reminded_orders": self.reminded_orders,
            "reminders_paid": self.reminders_paid,
        }


def money(value: Decimal) -> str:
    """Yuan as a string with 2 decimals, rounded half up."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def conversion_rate(converted: int, inquiring: int) -> float | None:
    if not inquiring:
        return None
    return float((Decimal(converted) / Decimal(inquiring)).quantize(RATE, rounding=ROUND_HALF_UP))


def average_order_value(sales: Decimal, paying: int) -> str | None:
    if not paying:
        return None
    return money(sales / Decimal(paying))


def local_day(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def _code(agent: str | None) -> str | None:
    return agent or None


class _BuyerTimeline:
    """One buyer's agent messages in sending order (stable for equal times), searchable by time."""

    __slots__ = ("messages", "times")

    def __init__(self, messages: list[AgentMessage]) -> None:
        self.messages = sorted(messages, key=lambda m: m.sent_at)
        self.times = [m.sent_at for m in self.messages]


def _timelines(messages: Iterable[AgentMessage]) -> dict[str, _BuyerTimeline]:
    by_buyer: dict[str, list[AgentMessage]] = defaultdict(list)
    for message in messages:
        by_buyer[message.buyer].append(message)
    return {buyer: _BuyerTimeline(items) for buyer, items in by_buyer.items()}


def attribute_order(
    order: Order, timeline: _BuyerTimeline | None, window: timedelta
) -> OrderAttribution:
    attributing: AgentMessage | None = None
    reminder: AgentMessage | None = None
    if timeline is not None:
        times = timeline.times
        # Last message at or before created_at (the later one of equal times), within the window.
        at = bisect_right(times, order.created_at)
        if at and order.created_at - times[at - 1] <= window:
            attributing = timeline.messages[at - 1]
        # First message strictly after created_at while the order is unpaid.
        if at < len(times):
            candidate = timeline.messages[at]
            if order.paid_at is not None:
                unpaid = candidate.sent_at < order.paid_at
            else:
                unpaid = candidate.sent_at - order.created_at <= REMINDER_PERIOD
            if unpaid:
                reminder = candidate
    reminder_paid = bool(
        reminder is not None and order.paid_at is not None and order.paid_at - reminder.sent_at <= REMINDER_PERIOD
    )
    return OrderAttribution(
        order_id=order.order_id,
        agent=_code(attributing.agent) if attributing else None,
        attributed_at=attributing.sent_at if attributing else None,
        attributed_ref=attributing.ref if attributing else None,
        reminder_agent=_code(reminder.agent) if reminder else None,
        reminded_at=reminder.sent_at if reminder else None,
        reminder_ref=reminder.ref if reminder else None,
        reminder_paid=reminder_paid,
    )


def attribute_orders(
    messages: Iterable[AgentMessage], orders: Sequence[Order], window_hours: float = DEFAULT_WINDOW_HOURS
) -> list[OrderAttribution]:
    """Every order's attribution and reminder, in the orders' order."""
    if window_hours < 0:
        raise ValueError("the attribution window must not be negative")
    window = timedelta(hours=window_hours)
    timelines = _timelines(messages)
    return [attribute_order(order, timelines.get(order.buyer), window) for order in orders]


def day_figures(
    messages: Iterable[AgentMessage], orders: Sequence[Order], attributions: Sequence[OrderAttribution]
) -> list[DayFigures]:
    """The §8 rows per (day, agent) plus the shop row (agent None) per day, sorted as §8 says."""
    rows: dict[tuple[date, str | None], DayFigures] = {}

    def row(day: date, agent: str | None) -> DayFigures:
        key = (day, agent)
        found = rows.get(key)
        if found is None:
            found = rows[key] = DayFigures(day, agent)
        return found

    for message in messages:
        day = local_day(message.sent_at)
        row(day, None).inquiring.add(message.buyer)
        code = _code(message.agent)
        if code is not None:
            row(day, code).inquiring.add(message.buyer)
    for order, result in zip(orders, attributions, strict=True):
        if result.attributed_at is not None and order.paid:
            day = local_day(result.attributed_at)
            targets = [row(day, None)] + ([row(day, result.agent)] if result.agent is not None else [])
            for target in targets:
                target.converted.add(order.buyer)
                target.sales += order.net
        if result.reminded_at is not None:
            day = local_day(result.reminded_at)
            targets = [row(day, None)] + ([row(day, result.reminder_agent)] if result.reminder_agent else [])
            for target in targets:
                target.reminded_orders += 1
                target.reminders_paid += int(result.reminder_paid)
    return sorted(rows.values(), key=lambda r: (r.day, r.agent is not None, r.agent or ""))


def sales_metrics(
    messages: Sequence[AgentMessage], orders: Sequence[Order], window_hours: float = DEFAULT_WINDOW_HOURS
) -> dict[str, Any]:
    """The whole §8 output object for one shop."""
    attributions = attribute_orders(messages, orders, window_hours)
    return {
        "orders": [a.as_contract() for a in attributions],
        "days": [r.as_contract() for r in day_figures(messages, orders, attributions)],
    }


__all__ = [
    "DEFAULT_WINDOW_HOURS",
    "AgentMessage",
    "DayFigures",
    "Order",
    "OrderAttribution",
    "attribute_orders",
    "average_order_value",
    "conversion_rate",
    "day_figures",
    "local_day",
    "money",
    "sales_metrics",
]
