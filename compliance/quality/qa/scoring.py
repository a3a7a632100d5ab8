"""Scorecard maths, scorecard specs and calibration alignment. Pure Python, no Django.

A scorecard spec is plain data (what the edit page's YAML turns into):

    {"name": "通用服务质检", "description": "...",
     "categories": [{"name": "服务态度", "weight": 40,
                     "items": [{"label": "使用礼貌用语", "scale_max": 5, "weight": 1, "critical": false,
                                "guidance": "..."}]}]}

Review score: each item contributes score / scale_max; a category's score is the weighted mean of its
items; the total is the weighted mean of the categories, times 100, rounded to one decimal. A critical
item scored 0 fails the whole review: the total is 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import pstdev
from typing import Any


class SpecError(ValueError):
    """A scorecard spec with problems; `errors` names each one and where it is."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _number(value: Any, where: str, errors: list[str], *, positive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(f"{where}：必须是数字")
        return 0.0
    if positive and value <= 0:
        errors.append(f"{where}：必须大于 0")
    return float(value)


def validate_spec(spec: Any) -> dict[str, Any]:
    """Check a spec and return it normalised (defaults filled in); raise SpecError listing every problem."""
    errors: list[str] = []
    if not isinstance(spec, Mapping):
        raise SpecError(["评分表必须是一个对象，包含 name 和 categories"])
    name = str(spec.get("name") or "").strip()
    if not name:
        errors.append("name：评分表名称不能为空")
    categories_in = spec.get("categories")
    categories: list[dict[str, Any]] = []
    if not isinstance(categories_in, list) or not categories_in:
        errors.append("categories：至少需要一个类别")
        categories_in = []
    for c_index, category in enumerate(categories_in, start=1):
        where = f"第 {c_index} 个类别"
        if not isinstance(category, Mapping):
            errors.append(f"{where}：必须是一个对象")
            continue
        c_name = str(category.get("name") or "").strip()
        if not c_name:
            errors.append(f"{where}：name 不能为空")
        weight = _number(category.get("weight", 1), f"{where}「{c_name}」的 weight", errors)
        items_in = category.get("items")
        items: list[dict[str, Any]] = []
        if not isinstance(items_in, list) or not items_in:
            errors.append(f"{where}「{c_name}」：至少需要一个评分项")
            items_in = []
        for i_index, item in enumerate(items_in, start=1):
            i_where = f"{where}「{c_name}」第 {i_index} 项"
            if not isinstance(item, Mapping):
                errors.append(f"{i_where}：必须是一个对象")
                continue
            label = str(item.get("label") or "").strip()
            if not label:
                errors.append(f"{i_where}：label 不能为空")
            scale = item.get("scale_max", 5)
            if isinstance(scale, bool) or not isinstance(scale, int) or not 1 <= scale <= 100:
                errors.append(f"{i_where}：scale_max 必须是 1 到 100 的整数")
                scale = 1
            critical = item.get("critical", False)
            if not isinstance(critical, bool):
                errors.append(f"{i_where}：critical 必须是 true 或 false")
            items.append({
                "label": label,
                "guidance": str(item.get("guidance") or "").strip(),
                "scale_max": scale,
                "weight": _number(item.get("weight", 1), f"{i_where} 的 weight", errors),
                "critical": bool(critical),
            })
        categories.append({"name": c_name, "weight": weight, "items": items})
    if errors:
        raise SpecError(errors)
    return {"name": name, "description": str(spec.get("description") or "").strip(), "categories": categories}


@dataclass(frozen=True)
class ReviewResult:
    score: float
    failed_critical: bool
    category_scores: dict[Any, float]


def review_score(categories: Sequence[Mapping[str, Any]], scores: Mapping[Any, int]) -> ReviewResult:
    """Total a review. `categories`: [{"id", "weight", "items": [{"id", "scale_max", "weight", "critical"}]}];
    `scores`: item id -> points given. Every item must be scored within 0..scale_max."""
    failed = False
    category_scores: dict[Any, float] = {}
    total_weight = 0.0
    total = 0.0
    for category in categories:
        item_weight = 0.0
        value = 0.0
        for item in category["items"]:
            given = scores[item["id"]]
            if not 0 <= given <= item["scale_max"]:
                raise ValueError(f"item {item['id']}: score {given} outside 0..{item['scale_max']}")
            if item["critical"] and given == 0:
                failed = True
            item_weight += float(item["weight"])
            value += float(item["weight"]) * given / item["scale_max"]
        fraction = value / item_weight if item_weight else 0.0
        category_scores[category["id"]] = round(fraction * 100, 1)
        total_weight += float(category["weight"])
        total += float(category["weight"]) * fraction
    score = 0.0 if failed or not total_weight else round(total / total_weight * 100, 1)
    return ReviewResult(score=score, failed_critical=failed, category_scores=category_scores)


@dataclass(frozen=True)
class ItemAlignment:
    item: Any
    sessions: int  # sessions where at least two inspectors scored this item
    agreed: int  # of those, sessions where every inspector gave the same score
    mean_spread: float  # mean over sessions of (max - min) / scale_max, 0 = perfect agreement

    @property
    def agreement_rate(self) -> float | None:
        return self.agreed / self.sessions if self.sessions else None


@dataclass(frozen=True)
class SessionAlignment:
    session: Any
    totals: dict[Any, float]  # inspector -> total score

    @property
    def spread(self) -> float | None:
        return round(max(self.totals.values()) - min(self.totals.values()), 1) if len(self.totals) > 1 else None

    @property
    def stdev(self) -> float | None:
        return round(pstdev(self.totals.values()), 1) if len(self.totals) > 1 else None


@dataclass(frozen=True)
class Alignment:
    items: list[ItemAlignment]
    sessions: list[SessionAlignment]

    @property
    def agreement_rate(self) -> float | None:
        """Share of (session, item) pairs, scored by two or more inspectors, where all gave the same score."""
        compared = sum(i.sessions for i in self.items)
        return sum(i.agreed for i in self.items) / compared if compared else None


def alignment(
    item_scores: Sequence[tuple[Any, Any, Any, int]],
    scale_max: Mapping[Any, int],
    totals: Sequence[tuple[Any, Any, float | Decimal]],
    item_order: Sequence[Any] = (),
) -> Alignment:
    """How far inspectors agree. `item_scores`: (session, inspector, item, score) rows; `scale_max`: item ->
    its maximum; `totals`: (session, inspector, total score) rows."""
    by_item: dict[Any, dict[Any, list[int]]] = defaultdict(lambda: defaultdict(list))
    for session, _inspector, item, score in item_scores:
        by_item[item][session].append(score)
    order = list(item_order) + sorted((i for i in by_item if i not in set(item_order)), key=str)
    items = []
    for item in order:
        per_session = [s for s in by_item.get(item, {}).values() if len(s) > 1]
        agreed = sum(1 for s in per_session if max(s) == min(s))
        spreads = [(max(s) - min(s)) / scale_max[item] for s in per_session]
        items.append(ItemAlignment(item, len(per_session), agreed, round(sum(spreads) / len(spreads), 3) if spreads else 0.0))
    by_session: dict[Any, dict[Any, float]] = defaultdict(dict)
    for session, inspector, total in totals:
        by_session[session][inspector] = float(total)
    sessions = [SessionAlignment(session, dict(t)) for session, t in by_session.items()]
    return Alignment(items=items, sessions=sessions)
