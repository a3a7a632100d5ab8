"""Handover, knowledge-base, go-live and portal pages over HTTP: tenancy (404), roles, query counts."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.handover import services
from clients.models import Engagement, HandoverBatch, KnowledgeKind
from tests.clients.factories import EngagementFactory, HandoverBatchFactory, add_entry, product_csv
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(tenants, manager):
    """Each tenant: an engagement with one acknowledged product batch and one open FAQ batch."""
    out = []
    for tenant in tenants:
        engagement = EngagementFactory(merchant=tenant.merchant, shops=[tenant.shop], title=f"{tenant.merchant.name}项目")
        products = HandoverBatchFactory(engagement=engagement, shop=tenant.shop, title="商品资料")
        add_entry(products, f"{tenant.merchant.name}的商品", "退货说明", sku="P1")
        services.handover_batch_acknowledge(batch=products, by=manager)
        faq = HandoverBatchFactory(engagement=engagement, shop=tenant.shop, kind=KnowledgeKind.FAQ, title="常见问题")
        out.append((engagement, products, faq))
    return out


def grow(tenant, manager, n: int) -> None:
    """More engagements, shops and batches for the same merchant (query counts must not grow)."""
    for i in range(n):
        shop = ShopFactory(merchant=tenant.merchant, code=f"grow-{tenant.merchant.pk}-{i}")
        engagement = EngagementFactory(merchant=tenant.merchant, shops=[shop])
        batch = HandoverBatchFactory(engagement=engagement, shop=shop)
        add_entry(batch, f"扩展商品{i}", "退货", sku=f"G{i}")
        services.handover_batch_acknowledge(batch=batch, by=manager)


def test_other_merchants_objects_are_404(client, tenants, setup):
    client.force_login(tenants[0].user)
    engagement, products, faq = setup[1]
    for url in [
        reverse("clients:handover-detail", args=[products.pk]),
        reverse("clients:portal-engagement", args=[engagement.pk]),
        reverse("clients:golive", args=[engagement.pk]),
        reverse("clients:handover-list") + f"?engagement={engagement.pk}",
    ]:
        assert client.get(url).status_code == 404, url
    for url in [
        reverse("clients:handover-import", args=[faq.pk]),
        reverse("clients:handover-entry-add", args=[faq.pk]),
        reverse("clients:handover-acknowledge", args=[faq.pk]),
        reverse("clients:handover-new-version", args=[products.pk]),
        reverse("clients:handover-entry-remove", args=[products.pk, products.entries.get().pk]),
        reverse("clients:golive-confirm", args=[engagement.pk]),
    ]:
        assert client.post(url).status_code == 404, url
    assert client.get(reverse("clients:knowledge") + f"?shop={tenants[1].shop.code}").status_code == 404


def test_lists_and_search_never_show_other_merchants(client, tenants, setup):
    client.force_login(tenants[0].user)
    body = client.get(reverse("clients:handover-list")).content.decode()
    assert "租户商家1项目" in body and "租户商家2项目" not in body
    body = client.get(reverse("clients:knowledge") + "?q=退货").content.decode()
    assert "租户商家1的商品" in body and "租户商家2的商品" not in body
    body = client.get(reverse("clients:portal")).content.decode()
    assert "租户商家1项目" in body and "租户商家2项目" not in body
    form_html = client.get(reverse("clients:handover-list")).content.decode()
    assert "租户店铺2" not in form_html


def test_merchant_creates_batch_and_uploads_products(client, tenants, setup):
    engagement, _products, _faq = setup[0]
    client.force_login(tenants[0].user)
    response = client.post(reverse("clients:handover-create"), {
        "engagement": engagement.pk, "shop": tenants[0].shop.pk, "kind": "product", "title": "新品第二批",
    })
    batch = HandoverBatch.objects.get(title="新品第二批")
    assert response.status_code == 302 and response.url == reverse("clients:handover-detail", args=[batch.pk])
    upload = SimpleUploadedFile("p.csv", product_csv([("N1", "新品沙发", 3999, "三人位", "")]).decode().encode("gbk"))
    response = client.post(reverse("clients:handover-import", args=[batch.pk]), {"file": upload}, follow=True)
    assert "新增 1" in response.content.decode() and "gb18030" in response.content.decode()
    assert list(batch.entries.values_list("title", flat=True)) == ["新品沙发"]


def test_bad_upload_lists_every_bad_row_and_writes_nothing(client, tenants, setup):
    engagement, _products, _faq = setup[0]
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop)
    client.force_login(tenants[0].user)
    upload = SimpleUploadedFile("p.csv", product_csv([("A", "", 1, "", ""), ("B", "好", "-3", "", "")]))
    response = client.post(reverse("clients:handover-import", args=[batch.pk]), {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 2 行，列 商品名称 (name)：必填" in body
    assert "第 3 行，列 价格 (price)：价格不能为负数" in body
    assert not batch.entries.exists()


def test_merchant_cannot_acknowledge_manager_can(client, tenants, setup, manager):
    _engagement, _products, faq = setup[0]
    add_entry(faq, "问", "答")
    client.force_login(tenants[0].user)
    client.post(reverse("clients:handover-acknowledge", args=[faq.pk]))
    faq.refresh_from_db()
    assert faq.is_open
    client.force_login(manager)
    client.post(reverse("clients:handover-acknowledge", args=[faq.pk]))
    faq.refresh_from_db()
    assert faq.in_force


def test_agent_cannot_open_batches_but_can_search(client, setup, agent, tenants):
    from datetime import timedelta

    from django.utils import timezone

    from staffing.models import ShopAssignment

    _engagement, products, _faq = setup[0]
    # An agent searches the shops they serve (staffing's shop assignments); this one serves tenant 1's shop.
    ShopAssignment.objects.create(agent=agent, shop=tenants[0].shop, since=timezone.localdate() - timedelta(days=1))
    client.force_login(agent)
    assert client.get(reverse("clients:handover-detail", args=[products.pk])).status_code == 404
    response = client.get(reverse("clients:knowledge") + "?q=退货说明", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "租户商家1的商品" in response.content.decode()
    assert "租户商家2的商品" not in response.content.decode(), "a shop the agent does not serve"
    assert "<html" not in response.content.decode(), "htmx gets only the result list"


def test_golive_page_names_missing_items_and_refuses(client, setup, manager):
    engagement, _products, _faq = setup[0]
    client.force_login(manager)
    body = client.get(reverse("clients:golive", args=[engagement.pk])).content.decode()
    assert "合同已签署" in body and "还没有双方签署的合同" in body
    assert "租户店铺1：未分配客服" in body and "租户店铺1：没有已发布的排班" in body  # staffing's real checks
    assert "批次“常见问题 v1”（租户店铺1）待确认" in body
    response = client.post(reverse("clients:golive-confirm", args=[engagement.pk]), follow=True)
    assert "不能上岗" in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.HANDOVER


def test_portal_engagement_shows_timeline_batches_and_status(client, tenants, setup):
    engagement, _products, _faq = setup[0]
    client.force_login(tenants[0].user)
    body = client.get(reverse("clients:portal-engagement", args=[engagement.pk])).content.decode()
    assert "确认交接批次：商品资料 v1" in re.sub(r"<[^>]+>", "", body)
    assert "step-current" in body and "常见问题" in body and "上岗状态" in body


@pytest.mark.parametrize("name", ["clients:handover-list", "clients:knowledge", "clients:portal"])
def test_query_counts_do_not_grow_with_data(client, tenants, setup, manager, name, django_assert_max_num_queries):
    client.force_login(tenants[0].user)
    url = reverse(name) + ("?q=退货" if name == "clients:knowledge" else "")
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    grow(tenants[0], manager, 15)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_portal_engagement_query_count(client, tenants, setup, manager, django_assert_max_num_queries):
    engagement, _products, faq = setup[0]
    client.force_login(tenants[0].user)
    url = reverse("clients:portal-engagement", args=[engagement.pk])
    with django_assert_max_num_queries(16):
        client.get(url)
    for i in range(10):
        batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop, title=f"更多{i}")
        add_entry(batch, f"x{i}", sku=f"X{i}")
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_portal_lists_quotes_to_answer_and_contracts_to_sign_only_for_their_merchant(client, tenants, manager):
    from clients.sales import services as sales
    from tests.clients.factories import price_book, sent_contract, sent_quote

    price_book()
    quote = sent_quote(tenant=tenants[0], manager=manager)
    contract = sent_contract(tenant=tenants[0], manager=manager)
    other = sent_quote(tenant=tenants[1], manager=manager)
    client.force_login(tenants[0].user)
    body = client.get(reverse("clients:portal")).content.decode()
    assert reverse("clients:portal-quote", args=[quote.pk]) in body
    assert reverse("clients:portal-contract", args=[contract.pk]) in body
    assert reverse("clients:portal-quote", args=[other.pk]) not in body and other.number not in body
    body = client.get(reverse("clients:portal-engagement", args=[contract.engagement_id])).content.decode()
    assert "查看并签署" in body and contract.number in body
    sales.contract_sign(contract=contract, by=tenants[0].user, signer_name="商家", document_sha256=contract.pdf_sha256)
    body = client.get(reverse("clients:portal")).content.decode()
    assert reverse("clients:portal-contract", args=[contract.pk]) not in body, "signed: no longer a to-do"


def test_dashboard_widgets(client, tenants, setup, manager):
    _engagement, _products, faq = setup[0]
    add_entry(faq, "问", "答")
    client.force_login(manager)
    body = client.get(reverse("dashboard")).content.decode()
    assert "widget-handover-awaiting" in body and reverse("clients:handover-detail", args=[faq.pk]) in body
    client.force_login(tenants[1].user)
    body = client.get(reverse("dashboard")).content.decode()
    assert "widget-portal-todo" in body and reverse("clients:handover-detail", args=[faq.pk]) not in body
    client.force_login(tenants[0].user)
    assert reverse("clients:handover-detail", args=[faq.pk]) in client.get(reverse("dashboard")).content.decode()


def test_large_product_file_is_imported_by_a_job(client, tenants, setup, settings, django_capture_on_commit_callbacks):
    from agency.models import Job

    settings.HANDOVER_INLINE_IMPORT_MAX_BYTES = 10
    settings.MEDIA_ROOT = str(settings.BASE_DIR / "var" / "test-media")
    engagement, _products, _faq = setup[0]
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop)
    client.force_login(tenants[0].user)
    rows = [(f"S{i}", f"商品{i}", 10 + i, "", "") for i in range(30)]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("clients:handover-import", args=[batch.pk]),
                               {"file": SimpleUploadedFile("big.csv", product_csv(rows))})
    job = Job.objects.get(kind="handover.products_import")
    assert response.status_code == 302 and response.url.endswith(f"?job={job.pk}")
    assert job.status == Job.Status.DONE and job.result["created"] == 30
    assert batch.entries.count() == 30
    body = client.get(response.url).content.decode()
    assert f'id="job-{job.pk}"' in body and "新增 30" in body

    bad = [("X1", "", 1, "", ""), ("X2", "好", "-1", "", "")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("clients:handover-import", args=[batch.pk]), {"file": SimpleUploadedFile("bad.csv", product_csv(bad))})
    failed = Job.objects.filter(kind="handover.products_import").latest("pk")
    assert failed.status == Job.Status.FAILED
    assert "第 2 行" in failed.message and "第 3 行" in failed.message
    assert batch.entries.count() == 30
    assert not list((settings.BASE_DIR / "var" / "test-media" / "jobs").iterdir()), "files are removed"
    client.force_login(tenants[1].user)
    assert client.get(reverse("clients:handover-detail", args=[batch.pk]) + f"?job={job.pk}").status_code == 404
