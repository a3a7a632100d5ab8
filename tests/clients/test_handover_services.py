"""Knowledge handover through its services: batches, imports (all or nothing), acknowledgement, versions."""

from __future__ import annotations

import pytest

from agency.models import AuditEvent
from clients.handover import services
from clients.models import HandoverBatch, KnowledgeEntry, KnowledgeKind
from tests.clients.factories import EngagementFactory, HandoverBatchFactory, add_entry, product_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement(tenants):
    return EngagementFactory(merchant=tenants[0].merchant, shops=[tenants[0].shop])


def test_merchant_creates_a_batch_for_their_engagement(engagement, tenants):
    batch = services.handover_batch_create(
        engagement=engagement, shop=tenants[0].shop, kind=KnowledgeKind.FAQ, title="售后常见问题", by=tenants[0].user
    )
    assert batch.version == 1 and batch.is_open and not batch.in_force
    assert AuditEvent.objects.filter(verb="handover.batch_create", data__engagement=engagement.pk).exists()


def test_batch_refuses_other_merchants_shop_and_other_merchants_user(engagement, tenants, manager):
    with pytest.raises(services.HandoverError, match="不属于"):
        services.handover_batch_create(
            engagement=engagement, shop=tenants[1].shop, kind="product", title="x", by=manager
        )
    with pytest.raises(services.HandoverError):
        services.handover_batch_create(
            engagement=engagement, shop=tenants[0].shop, kind="product", title="x", by=tenants[1].user
        )
    assert not HandoverBatch.objects.exists()


def test_product_import_adds_then_updates_by_sku(engagement, tenants):
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop)
    user = tenants[0].user
    outcome = services.handover_products_import(
        batch=batch, data=product_csv([("S1", "羽绒被", 399, "200x230", "7天无理由"), ("S2", "乳胶枕", 199, "", "")]),
        filename="a.csv", by=user,
    )
    assert (outcome.created, outcome.updated) == (2, 0)
    outcome = services.handover_products_import(
        batch=batch, data=product_csv([("S2", "天然乳胶枕", 219, "", ""), ("S3", "床垫", 2999, "", "")]),
        filename="b.csv", by=user,
    )
    assert (outcome.created, outcome.updated) == (1, 1)
    entries = {e.sku: e for e in batch.entries.all()}
    assert set(entries) == {"S1", "S2", "S3"}
    assert entries["S2"].title == "天然乳胶枕" and str(entries["S2"].price) == "219.00"
    assert "7天无理由" in entries["S1"].body and "羽绒被" in entries["S1"].search_text


def test_product_file_with_bad_rows_imports_nothing_and_lists_each_row(engagement, tenants):
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop)
    add_entry(batch, "已有商品", sku="OLD")
    data = product_csv([("S1", "好", 1, "", ""), ("S2", "", "x", "", ""), ("S1", "重复", 2, "", "")])
    with pytest.raises(services.ProductImportError) as caught:
        services.handover_products_import(batch=batch, data=data, filename="bad.csv", by=tenants[0].user)
    lines = caught.value.messages()
    assert len(lines) == 3
    assert any("第 3 行" in line and "商品名称" in line for line in lines)
    assert any("第 3 行" in line and "价格" in line and "“x”" in line for line in lines)
    assert any("第 4 行" in line and "第 2 行重复" in line for line in lines)
    assert list(batch.entries.values_list("sku", flat=True)) == ["OLD"]


def test_only_product_batches_take_product_files(engagement, tenants, manager):
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop, kind=KnowledgeKind.SCRIPT)
    with pytest.raises(services.HandoverError, match="商品信息"):
        services.handover_products_import(batch=batch, data=product_csv([("S", "n", 1, "", "")]), filename="a.csv", by=manager)


def test_only_a_manager_acknowledges_and_not_an_empty_batch(engagement, tenants, manager, inspector):
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop)
    with pytest.raises(services.HandoverError, match="没有任何内容"):
        services.handover_batch_acknowledge(batch=batch, by=manager)
    add_entry(batch, "商品")
    for user in (tenants[0].user, inspector):
        with pytest.raises(services.HandoverError, match="机构经理"):
            services.handover_batch_acknowledge(batch=batch, by=user)
    batch = services.handover_batch_acknowledge(batch=batch, by=manager)
    assert batch.in_force and batch.acknowledged_by == manager and batch.acknowledged_at
    with pytest.raises(services.HandoverError, match="已经确认"):
        services.handover_batch_acknowledge(batch=batch, by=manager)


def test_acknowledged_batch_cannot_change(engagement, tenants, manager):
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop, kind=KnowledgeKind.FAQ)
    entry = add_entry(batch, "能开发票吗", "可以，下单后在订单页申请")
    services.handover_batch_acknowledge(batch=batch, by=manager)
    with pytest.raises(services.HandoverError, match="新版本"):
        services.handover_entry_add(batch=batch, title="新问题", body="答案", by=manager)
    with pytest.raises(services.HandoverError, match="新版本"):
        services.handover_entry_remove(entry=entry, by=tenants[0].user)
    assert batch.entries.count() == 1


def test_new_version_supersedes_on_acknowledgement_and_old_stays_readable(engagement, tenants, manager):
    v1 = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop, kind=KnowledgeKind.POLICY)
    add_entry(v1, "退货政策", "7天无理由退货")
    services.handover_batch_acknowledge(batch=v1, by=manager)
    v2 = services.handover_batch_new_version(batch=v1, by=tenants[0].user)
    assert (v2.version, v2.supersedes_id, v2.series) == (2, v1.pk, v1.series)
    assert [e.title for e in v2.entries.all()] == ["退货政策"]
    v1.refresh_from_db()
    assert v1.in_force, "the old version stays in force until the new one is acknowledged"
    services.handover_entry_add(batch=v2, title="换货政策", body="15天内可换货", by=tenants[0].user)
    with pytest.raises(services.HandoverError, match="不是最新版本"):
        services.handover_batch_new_version(batch=v1, by=manager)
    services.handover_batch_acknowledge(batch=v2, by=manager)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert not v1.in_force and v1.superseded_at and v2.in_force
    assert v1.entries.count() == 1 and v2.entries.count() == 2
    assert KnowledgeEntry.objects.filter(batch__series=v1.series).count() == 3


def test_open_batch_needs_no_new_version(engagement, tenants, manager):
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop)
    with pytest.raises(services.HandoverError, match="无需新版本"):
        services.handover_batch_new_version(batch=batch, by=manager)
