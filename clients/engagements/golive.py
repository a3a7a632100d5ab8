"""The go-live checklist and `engagement_go_live`.

`clients` owns the checklist and judges two items itself: `contract_signed` (an active contract, see
`clients.sales.selectors.active_contract_for`) and `handover_acknowledged` (every shop of the engagement has
acknowledged product info in force, and no handover batch is still open). Apps above it contribute the
items only they can judge by registering a check here at start-up:

    register_readiness_check("roster_published", check, order=60)            # staffing (rosters)
    register_readiness_check("staffing.agents_certified", check, order=50)   # staffing (training)

`check(engagement) -> ReadinessItem`. Until a check is registered under `agents_certified` /
`roster_published` (or a dotted name ending so), the checklist shows that item as pending (ok=None), and
pending blocks go-live like a failing item: the engagement cannot pass until every item holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from agency.models import User
from agency.services import audit_record
from clients.engagements.models import Engagement
from clients.handover.models import HandoverBatch, KnowledgeKind
from clients.sales.selectors import active_contract_for


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: Any  # lazy translation
    ok: bool | None  # None: the part of the product that decides this is not installed yet (pending)
    detail: str = ""  # what exactly is missing, in words a manager can act on
    url: str = ""  # where to act on it (shown as a link while the item does not hold)


_checks: dict[str, tuple[int, Callable[[Any], ReadinessItem]]] = {}


def register_readiness_check(key: str, check: Callable[[Any], ReadinessItem], *, order: int = 100) -> None:
    """`check(engagement) -> ReadinessItem`."""
    _checks[key] = (order, check)


def registered_checks() -> list[tuple[str, Callable[[Any], ReadinessItem]]]:
    return [(key, check) for key, (_, check) in sorted(_checks.items(), key=lambda kv: (kv[1][0], kv[0]))]


# --- The checklist itself ---------------------------------------------------------------------------
# Items `clients` judges itself: a signed contract and acknowledged handover. Items only staffing can
# judge (agents assigned and certified for each shop; a published roster covering 8:00–23:00 for the first
# two weeks) are registered by staffing under the keys below; until then they show as pending and block.

STAFFING_ITEMS = {
    "agents_certified": (30, gettext_lazy("客服已分配并通过店铺认证")),
    "roster_published": (40, gettext_lazy("前两周排班已发布并覆盖 8:00–23:00")),
}


class GoLiveBlocked(ValueError):
    """Go-live refused; `missing` are the checklist items that do not hold (failing or pending)."""

    def __init__(self, missing: list[ReadinessItem]):
        self.missing = missing
        lines = [f"{item.label}{'：' + item.detail if item.detail else ''}" for item in missing]
        super().__init__(gettext("不能上岗，以下条件未满足：") + "；".join(lines))


def _contract_check(engagement) -> ReadinessItem:
    """An active contract (signed by both sides) for this engagement: `clients.sales` decides which."""
    label = gettext_lazy("合同已签署")
    contract = active_contract_for(engagement=engagement)
    if contract is None:
        return ReadinessItem("contract_signed", label, False, gettext("还没有双方签署的合同"),
                             reverse("clients:engagement-detail", args=[engagement.pk]))
    return ReadinessItem("contract_signed", label, True, gettext("合同 %(number)s 已生效") % {"number": contract.number})


def _handover_check(engagement) -> ReadinessItem:
    label = gettext_lazy("内容交接已确认")
    shops = list(engagement.shops.order_by("name"))
    if not shops:
        return ReadinessItem("handover_acknowledged", label, False, gettext("合作项目还没有关联店铺"))
    batches = list(HandoverBatch.objects.filter(engagement=engagement).select_related("shop"))
    problems = []
    for shop in shops:
        if not any(b.shop_id == shop.pk and b.kind == KnowledgeKind.PRODUCT and b.in_force for b in batches):
            problems.append(gettext("店铺“%(shop)s”没有已确认的商品信息") % {"shop": shop.name})
    waiting = [b for b in batches if b.is_open]
    for batch in waiting:
        problems.append(
            gettext("批次“%(batch)s”（%(shop)s）待确认") % {"batch": f"{batch.title} v{batch.version}", "shop": batch.shop.name}
        )
    if problems:
        return ReadinessItem("handover_acknowledged", label, False, "；".join(problems),
                             f"{reverse('clients:handover-list')}?engagement={engagement.pk}")
    return ReadinessItem("handover_acknowledged", label, True)


def _pending(key: str, label) -> Callable[[Any], ReadinessItem]:
    def check(engagement) -> ReadinessItem:
        return ReadinessItem(key, label, None, gettext("排班与培训模块尚未提供此项检查（待定）"))

    return check


def golive_checklist(engagement) -> list[ReadinessItem]:
    """Every go-live item for `engagement`, in order; the built-in and pending ones included."""
    checks: dict[str, tuple[int, Callable[[Any], ReadinessItem]]] = {
        "contract_signed": (10, _contract_check),
        "handover_acknowledged": (20, _handover_check),
    }
    for key, (order, label) in STAFFING_ITEMS.items():
        # A registered check stands in for the placeholder under its own key or a namespaced one
        # ("agents_certified" or "staffing.agents_certified").
        if not any(name == key or name.endswith("." + key) for name in _checks):
            checks[key] = (order, _pending(key, label))
    checks.update(_checks)
    ordered = sorted(checks.items(), key=lambda kv: (kv[1][0], kv[0]))
    return [check(engagement) for _key, (_order, check) in ordered]


def golive_missing(items: list[ReadinessItem]) -> list[ReadinessItem]:
    return [item for item in items if item.ok is not True]


@transaction.atomic
def engagement_go_live(*, engagement: Engagement, by: User) -> Engagement:
    """Move the engagement to live (in QA) when every checklist item holds; otherwise `GoLiveBlocked`."""
    if not getattr(by, "is_manager", False):
        raise PermissionError(gettext("只有机构经理可以确认上岗。"))
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.stage == Engagement.Stage.LIVE:
        raise ValueError(gettext("该合作项目已经上岗。"))
    if engagement.stage in (Engagement.Stage.LOST, Engagement.Stage.ENDED):
        raise ValueError(gettext("该合作项目已结束，不能上岗。"))
    missing = golive_missing(golive_checklist(engagement))
    if missing:
        raise GoLiveBlocked(missing)
    previous = engagement.stage
    engagement.stage = Engagement.Stage.LIVE
    engagement.save(update_fields=["stage", "updated_at"])
    audit_record(
        actor=by, verb="engagement.go_live", target=engagement, merchant_id=engagement.merchant_id,
        data={"engagement": engagement.pk, "from": previous},
    )
    return engagement
