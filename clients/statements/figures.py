"""What a monthly statement needs from the measured service: the registry compliance fills.

`clients` may not import `compliance`, so the quality app registers a provider here when Django starts
(`compliance.quality.apps.QualityConfig.ready`): given a contract's shops, a month and the targets the
contract sets, it answers the served sessions, the §8 attributed sales of orders paid in the month, and
each target's attained value with its evidence (the days that missed it, where to see them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class TargetSpec:
    """A target a contract sets. `share_of_average` (e.g. 1.15) makes the target that share of the shops'
    own average over the three months before; `target` is then filled in by the provider."""

    metric: str
    target: float | None
    better: str  # "higher" | "lower"
    share_of_average: float | None = None


@dataclass
class TargetFigure:
    metric: str
    target: float | None
    attained: float | None
    better: str
    evidence: dict[str, Any] = field(default_factory=dict)  # {"days": [{"date", "shop", "value"}], "url": …}


@dataclass
class MonthFigures:
    served_sessions: int
    attributed_sales: Decimal
    targets: list[TargetFigure]
    commission_evidence: dict[str, Any] = field(default_factory=dict)  # {"orders": n, "url": …}
    sessions_evidence: dict[str, Any] = field(default_factory=dict)


Provider = Callable[..., MonthFigures]
SalesForMonth = Callable[..., Decimal]

_provider: Provider | None = None
_sales_for_month: SalesForMonth | None = None


def register_statement_figures(provider: Provider, sales_for_month: SalesForMonth) -> None:
    """`provider(*, shop_ids, first, last, targets)` → MonthFigures;
    `sales_for_month(*, shop_ids, first, last)` → the attributed sales of the month as known now."""
    global _provider, _sales_for_month
    _provider = provider
    _sales_for_month = sales_for_month


def month_figures(*, shop_ids: Sequence[int], first: date, last: date, targets: Sequence[TargetSpec]) -> MonthFigures:
    if _provider is None:
        raise RuntimeError("no statement figures provider is registered (the quality app registers one)")
    return _provider(shop_ids=shop_ids, first=first, last=last, targets=targets)


def sales_for_month(*, shop_ids: Sequence[int], first: date, last: date) -> Decimal:
    if _sales_for_month is None:
        raise RuntimeError("no statement figures provider is registered (the quality app registers one)")
    return _sales_for_month(shop_ids=shop_ids, first=first, last=last)
