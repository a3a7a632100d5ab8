"""The go-live checklist's items. `clients` owns the checklist; apps above it (staffing) contribute the
items only they can judge (agents certified, roster published) by registering a check here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps as django_apps
from django.db import transaction
from django.utils.translation import gettext, gettext_lazy


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: Any  # lazy translation
    ok: bool | None  # None: the part of the product that decides this is not installed yet (pending)
    detail: str = ""  # what exactly is missing, in words a manager can act on


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
    """A signed contract for this engagement. `Contract` is helper 5a's model; until it exists: pending."""
    label = gettext_lazy("合同已签署")
    try:
        contract_model = django_apps.get_model("clients", "Contract")
    except LookupError:
        return ReadinessItem("contract_signed", label, None, gettext("合同模块尚未上线（待定）"))
    contracts = contract_model.objects.filter(engagement=engagement)
    field_names = {f.name for f in contract_model._meta.get_fields()}
    if "status" in field_names:
        signed = contracts.filter(status__in=SIGNED_CONTRACT_STATUSES).exists()
    else:
        signed = contracts.filter(signed_at__isnull=False).exists()
    if signed:
        return ReadinessItem("contract_signed", label, True)
    return ReadinessItem("contract_signed", label, False, gettext("还没有双方签署的合同"))


SIGNED_CONTRACT_STATUSES = ("signed", "active")


def _handover_check(engagement) -> ReadinessItem:
    from clients.models import HandoverBatch, KnowledgeKind

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
        return ReadinessItem("handover_acknowledged", label, False, "；".join(problems))
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
def engagement_go_live(*, engagement, by) -> Any:
    """Move the engagement to live (in QA) when every checklist item holds; otherwise `GoLiveBlocked`."""
    from agency.services import audit_record
    from clients.models import Engagement

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
