"""The go-live checklist and `engagement_go_live`: blocked with the missing items named, then live."""

from __future__ import annotations

import pytest

from agency.models import AuditEvent
from clients.engagements import golive
from clients.engagements.golive import (
    GoLiveBlocked,
    ReadinessItem,
    engagement_go_live,
    golive_checklist,
    register_readiness_check,
)
from clients.handover import services
from clients.models import Engagement, KnowledgeKind
from tests.clients.factories import EngagementFactory, HandoverBatchFactory, add_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_staffing():
    """The checklist as `clients` alone knows it: the checks staffing registers at start-up are removed."""
    saved = dict(golive._checks)
    golive._checks.clear()
    yield
    golive._checks.update(saved)


@pytest.fixture
def staffing_checks(without_staffing):
    """Stand-ins for the checks staffing registers (agents certified, roster published) and the sales side's contract check:
    these tests are about the checklist's mechanics; `tests/test_lifecycle_golive.py` runs the real ones."""
    saved = dict(golive._checks)
    state = {"contract_signed": True, "agents_certified": True, "roster_published": True}

    def make(key):
        return lambda engagement: ReadinessItem(key, key, state[key], "" if state[key] else f"{key} 不满足")

    for key in state:
        register_readiness_check(key, make(key), order=10)
    yield state
    golive._checks.clear()
    golive._checks.update(saved)


@pytest.fixture
def engagement(tenants):
    return EngagementFactory(merchant=tenants[0].merchant, shops=[tenants[0].shop], stage=Engagement.Stage.TRAINING)


def acknowledged_products(engagement, shop, manager):
    batch = HandoverBatchFactory(engagement=engagement, shop=shop, kind=KnowledgeKind.PRODUCT, title="商品")
    add_entry(batch, "商品A", sku="A")
    return services.handover_batch_acknowledge(batch=batch, by=manager)


def by_key(items):
    return {item.key: item for item in items}


def test_without_staffing_items_are_pending_and_block(engagement, manager, without_staffing):
    items = by_key(golive_checklist(engagement))
    assert list(items) == ["contract_signed", "handover_acknowledged", "agents_certified", "roster_published"]
    assert items["contract_signed"].ok is False and items["contract_signed"].detail == "还没有双方签署的合同"
    assert items["agents_certified"].ok is None and items["roster_published"].ok is None
    assert items["handover_acknowledged"].ok is False
    with pytest.raises(GoLiveBlocked) as caught:
        engagement_go_live(engagement=engagement, by=manager)
    message = str(caught.value)
    for label in ("合同已签署", "内容交接已确认", "客服已分配并通过店铺认证", "前两周排班已发布并覆盖 8:00–23:00"):
        assert label in message
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.TRAINING


def test_handover_check_names_shops_without_products_and_batches_awaiting_acknowledgement(tenants, manager):
    from tests.factories import ShopFactory

    second = ShopFactory(merchant=tenants[0].merchant, code="second-shop", name="第二店铺")
    engagement = EngagementFactory(merchant=tenants[0].merchant, shops=[tenants[0].shop, second])
    acknowledged_products(engagement, tenants[0].shop, manager)
    waiting = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop, kind=KnowledgeKind.FAQ, title="常见问题")
    item = by_key(golive_checklist(engagement))["handover_acknowledged"]
    assert item.ok is False
    assert "第二店铺" in item.detail and "没有已确认的商品信息" in item.detail
    assert "常见问题 v1" in item.detail and "待确认" in item.detail
    assert "租户店铺1”没有" not in item.detail
    add_entry(waiting, "问", "答")
    services.handover_batch_acknowledge(batch=waiting, by=manager)
    acknowledged_products(engagement, second, manager)
    assert by_key(golive_checklist(engagement))["handover_acknowledged"].ok is True


def test_engagement_without_shops_is_named(tenants):
    engagement = EngagementFactory(merchant=tenants[0].merchant)
    item = by_key(golive_checklist(engagement))["handover_acknowledged"]
    assert item.ok is False and "没有关联店铺" in item.detail


def test_registered_check_failing_blocks_with_its_detail(engagement, manager, staffing_checks):
    acknowledged_products(engagement, engagement.shops.get(), manager)
    staffing_checks["roster_published"] = False
    with pytest.raises(GoLiveBlocked) as caught:
        engagement_go_live(engagement=engagement, by=manager)
    assert [item.key for item in caught.value.missing] == ["roster_published"]
    assert "roster_published 不满足" in str(caught.value)


def test_go_live_when_every_item_holds(engagement, manager, staffing_checks):
    acknowledged_products(engagement, engagement.shops.get(), manager)
    engagement_go_live(engagement=engagement, by=manager)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.LIVE
    assert AuditEvent.objects.filter(verb="engagement.go_live", data__engagement=engagement.pk).count() == 1
    with pytest.raises(ValueError, match="已经上岗"):
        engagement_go_live(engagement=engagement, by=manager)


def test_only_a_manager_confirms_go_live(engagement, tenants, inspector, staffing_checks, manager):
    acknowledged_products(engagement, engagement.shops.get(), manager)
    for user in (tenants[0].user, inspector):
        with pytest.raises(PermissionError):
            engagement_go_live(engagement=engagement, by=user)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.TRAINING


def test_a_contract_signed_by_both_sides_satisfies_the_contract_item(tenants, manager, staffing_checks):
    from clients.sales import services as sales
    from tests.clients.factories import price_book, sent_contract

    del staffing_checks["contract_signed"]
    golive._checks.pop("contract_signed")
    price_book()
    contract = sent_contract(tenant=tenants[0], manager=manager)
    engagement = contract.engagement
    assert by_key(golive_checklist(engagement))["contract_signed"].ok is False
    sales.contract_sign(contract=contract, by=manager, signer_name="周经理", document_sha256=contract.pdf_sha256)
    assert by_key(golive_checklist(engagement))["contract_signed"].ok is False, "one signature is not enough"
    sales.contract_sign(contract=contract, by=tenants[0].user, signer_name="商家", document_sha256=contract.pdf_sha256)
    assert by_key(golive_checklist(engagement))["contract_signed"].ok is True
    acknowledged_products(engagement, tenants[0].shop, manager)
    engagement.refresh_from_db()
    engagement_go_live(engagement=engagement, by=manager)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.LIVE


def test_a_namespaced_staffing_check_replaces_the_pending_placeholder(engagement, without_staffing):
    saved = dict(golive._checks)
    try:
        register_readiness_check(
            "staffing.agents_certified", lambda e: ReadinessItem("staffing.agents_certified", "客服认证", False, "缺 2 名"),
            order=50,
        )
        keys = [item.key for item in golive_checklist(engagement)]
        assert "staffing.agents_certified" in keys and "agents_certified" not in keys
        assert "roster_published" in keys
    finally:
        golive._checks.clear()
        golive._checks.update(saved)
