"""Pages and API of the commercial lifecycle: tenancy (404), no edit path, conflicts, query counts."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clients.engagements import services as engagement_services
from clients.models import Contract, Quote, QuoteRevision
from clients.sales import services
from tests.clients.factories import consultation, price_book, sent_contract, sent_quote
from tests.factories import MerchantFactory, MerchantUserFactory, ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def book():
    return price_book()


def _login(client, user):
    client.force_login(user)
    return client


def test_merchant_sees_only_their_own_quotes_and_contracts(client, tenants, manager):
    t1, t2 = tenants
    q1 = sent_quote(tenant=t1, manager=manager)
    c2 = sent_contract(tenant=t2, manager=manager)
    q2 = c2.revision.quote
    _login(client, t1.user)
    assert client.get(reverse("clients:portal-quote", args=[q1.pk])).status_code == 200
    for url in (
        reverse("clients:portal-quote", args=[q2.pk]),
        reverse("clients:quote-pdf", args=[q2.pk, 1]),
        reverse("clients:portal-contract", args=[c2.pk]),
        reverse("clients:contract-pdf", args=[c2.pk]),
        f"/api/quotes/{q2.pk}/", f"/api/contracts/{c2.pk}/", f"/api/engagements/{q2.engagement_id}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (reverse("clients:portal-quote-accept", args=[q2.pk, 1]), f"/api/quotes/{q2.pk}/revisions/1/accept/",
                f"/api/contracts/{c2.pk}/sign/"):
        assert client.post(url, {"signer_name": "x", "document_sha256": c2.pdf_sha256}).status_code == 404, url
    listing = client.get(reverse("clients:quote-list")).content.decode()
    assert q1.number in listing and q2.number not in listing
    api = client.get("/api/quotes/").json()
    assert [row["number"] for row in api["results"]] == [q1.number]
    assert client.get("/api/contracts/").json()["count"] == 0


def test_a_draft_quote_is_invisible_to_the_merchant(client, tenants, manager):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    quote = services.quote_create(engagement=engagement, by=manager)
    _login(client, t1.user)
    assert client.get(reverse("clients:portal-quote", args=[quote.pk])).status_code == 404
    assert client.get(f"/api/quotes/{quote.pk}/").status_code == 404


def test_manager_pages_are_for_managers(client, tenants, manager):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager)
    _login(client, t1.user)
    assert client.get(reverse("clients:engagement-board")).status_code == 403
    assert client.get(reverse("clients:quote-detail", args=[quote.pk])).status_code == 403


def test_revisions_and_signed_contracts_have_no_edit_path_in_the_api(client, tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    quote = contract.revision.quote
    _login(client, manager)
    for url in (f"/api/quotes/{quote.pk}/", f"/api/contracts/{contract.pk}/"):
        assert client.put(url, {"status": "draft"}, content_type="application/json").status_code == 405
        assert client.patch(url, {"monthly_price": "1"}, content_type="application/json").status_code == 405
        assert client.delete(url).status_code == 405
    assert client.post("/api/contracts/", {}).status_code == 405
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SENT and contract.monthly_price == quote.revisions.get().monthly_total


def test_api_revise_conflict_is_409_and_writes_nothing(client, tenants, manager, api_client_for):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager)
    api = api_client_for(manager)
    first = api.post(f"/api/quotes/{quote.pk}/revisions/", {"base_revision": 1, "concurrency": 2}, format="json")
    assert first.status_code == 201 and first.json()["number"] == 2
    second = api.post(f"/api/quotes/{quote.pk}/revisions/", {"base_revision": 1, "concurrency": 4}, format="json")
    assert second.status_code == 409
    assert "第 2 版" in second.json()["detail"]
    assert QuoteRevision.objects.filter(quote=quote).count() == 2


def test_api_create_send_accept_sign(tenants, manager, api_client_for):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    staff, merchant = api_client_for(manager), api_client_for(t1.user)
    created = staff.post("/api/quotes/", {"engagement": engagement.pk, "addon_codes": ["qa-report"]}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert merchant.post(f"/api/quotes/{pk}/revisions/1/accept/", {}, format="json").status_code == 404  # a draft
    assert staff.post(f"/api/quotes/{pk}/send/", {"revision": 1}, format="json").status_code == 200
    detail = staff.get(f"/api/quotes/{pk}/").json()
    assert detail["revisions"][0]["derivation"]["agents"] == detail["revisions"][0]["seats"]
    mine = merchant.get(f"/api/quotes/{pk}/").json()  # the merchant reads business terms, not the derivation
    assert mine["revisions"][0]["derivation"] == {} and mine["revisions"][0]["seats"] == detail["revisions"][0]["seats"]
    assert merchant.post(f"/api/quotes/{pk}/revisions/1/accept/", {}, format="json").status_code == 201
    again = merchant.post(f"/api/quotes/{pk}/revisions/1/accept/", {}, format="json")
    assert again.status_code == 400 and "不能重复答复" in again.json()["detail"]
    quote = Quote.objects.get(pk=pk)
    contract = services.contract_send(contract=services.contract_create(
        quote=quote, by=manager, start_date=quote.created_at.date()), by=manager)
    signed = merchant.post(f"/api/contracts/{contract.pk}/sign/",
                           {"signer_name": "商家", "document_sha256": contract.pdf_sha256}, format="json")
    assert signed.status_code == 201 and signed.json()["pdf_sha256"] == contract.pdf_sha256
    twice = merchant.post(f"/api/contracts/{contract.pk}/sign/",
                          {"signer_name": "商家", "document_sha256": contract.pdf_sha256}, format="json")
    assert twice.status_code == 400 and "不能重复签署" in twice.json()["detail"]


def test_manager_revise_page_shows_a_conflict_not_an_overwrite(client, tenants, manager):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager)
    services.quote_revise(quote=quote, base_revision=1, by=manager, note="别人先改")
    _login(client, manager)
    response = client.post(reverse("clients:quote-detail", args=[quote.pk]), {"base_revision": 1, "concurrency": 2})
    assert response.status_code == 409
    assert "第 2 版" in response.content.decode()
    assert quote.revisions.count() == 2


def _populate(manager, n: int) -> None:
    for i in range(n):
        merchant = MerchantFactory(code=f"bulk-{n}-{i}")
        shop = ShopFactory(merchant=merchant, code=f"bulk-shop-{n}-{i}", platform="tmall")
        user = MerchantUserFactory(username=f"bulk-user-{n}-{i}", merchant=merchant)

        class T:  # the factories' tenant shape
            pass

        t = T()
        t.merchant, t.shop, t.user = merchant, shop, user
        contract = sent_contract(tenant=t, manager=manager)
        services.contract_sign(contract=contract, by=user, signer_name="商家", document_sha256=contract.pdf_sha256)


@pytest.mark.parametrize("url_name", ["clients:engagement-board", "clients:quote-list", "clients:contract-list"])
def test_list_pages_do_not_grow_queries_with_data(client, manager, url_name, django_assert_max_num_queries):
    _login(client, manager)
    _populate(manager, 1)
    with django_assert_max_num_queries(12):
        assert client.get(reverse(url_name)).status_code == 200
    _populate(manager, 4)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/api/quotes/", "/api/contracts/", "/api/engagements/"])
def test_api_lists_do_not_grow_queries_with_data(manager, api_client_for, url, django_assert_max_num_queries):
    api = api_client_for(manager)
    _populate(manager, 1)
    with django_assert_max_num_queries(10):
        assert api.get(url).status_code == 200
    _populate(manager, 4)
    with django_assert_max_num_queries(10):
        assert api.get(url).json()["count"] >= 5


def test_detail_pages_render(client, tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    _login(client, manager)
    for url in (reverse("clients:engagement-detail", args=[contract.engagement_id]),
                reverse("clients:engagement-edit", args=[contract.engagement_id]),
                reverse("clients:quote-detail", args=[contract.revision.quote_id]),
                reverse("clients:contract-detail", args=[contract.pk]), reverse("clients:price-books"),
                reverse("clients:engagement-create")):
        response = client.get(url)
        assert response.status_code == 200, url
    pdf = client.get(reverse("clients:contract-pdf", args=[contract.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(contract.pdf)


def test_manager_dashboard_shows_the_pipeline_with_overdue_next_steps(client, tenants, manager):
    from datetime import timedelta

    from django.utils import timezone

    t1, _ = tenants
    consultation(merchant=t1.merchant, shops=[t1.shop], by=manager, next_step="回访客户",
                 next_step_due=timezone.localdate() - timedelta(days=2))
    _login(client, manager)
    page = client.get("/").content.decode()
    assert 'data-widget="pipeline"' in page and "回访客户" in page
    _login(client, t1.user)
    assert 'data-widget="pipeline"' not in client.get("/").content.decode()


def test_admin_cannot_change_a_revision_or_a_contract(client, tenants, manager):
    t1, _ = tenants
    contract = sent_contract(tenant=t1, manager=manager)
    manager.is_superuser = True
    manager.save(update_fields=["is_superuser"])
    _login(client, manager)
    url = reverse("admin:clients_contract_change", args=[contract.pk])
    response = client.post(url, {"seats": 99})
    assert response.status_code in (403, 200)
    assert Contract.objects.get(pk=contract.pk).seats == contract.seats
    delete = client.post(reverse("admin:clients_quoterevision_delete", args=[contract.revision_id]), {"post": "yes"})
    assert delete.status_code == 403
    assert QuoteRevision.objects.filter(pk=contract.revision_id).exists()


def test_consultation_form_parses_promotion_peaks_and_names_a_bad_line(client, tenants, manager):
    from clients.models import Engagement

    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    _login(client, manager)
    form = {
        "title": "改名", "shops": [t1.shop.pk], "daily_volume": 800, "peak_hours": "20:00-22:00",
        "peak_hour_share": "0.15", "service_start": "08:00", "service_end": "23:00", "presale_share": 50,
        "languages": "zh", "avg_handle_seconds": 200, "concurrency": 2, "next_step": "报价",
        "next_step_due": "2030-01-01", "seasonal_peaks_text": "双11,2030-11-01,2030-11-12,3\n618 only two,2030-06-01",
    }
    url = reverse("clients:engagement-edit", args=[engagement.pk])
    bad = client.post(url, form)
    assert bad.status_code == 200 and "第 2 行" in bad.content.decode()
    assert Engagement.objects.get(pk=engagement.pk).title != "改名"
    form["seasonal_peaks_text"] = "双11,2030-11-01,2030-11-12,3"
    assert client.post(url, form).status_code == 302
    engagement.refresh_from_db()
    assert engagement.title == "改名" and engagement.seasonal_peaks[0]["multiplier"] == 3.0


def test_detail_pages_do_not_grow_queries_with_history(client, tenants, manager, django_assert_max_num_queries):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager)
    _login(client, manager)
    urls = [reverse("clients:engagement-detail", args=[quote.engagement_id]),
            reverse("clients:quote-detail", args=[quote.pk])]
    for url in urls:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200
    for n in range(1, 5):
        services.quote_revise(quote=quote, base_revision=n, by=manager, note=f"第{n}次修改")
        engagement_services.engagement_note_add(engagement=quote.engagement, by=manager, text=f"记录{n}")
    for url in urls:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_merchant_declines_with_a_reason_in_the_portal(client, tenants, manager):
    from clients.models import QuoteDecision

    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager)
    _login(client, t1.user)
    response = client.post(reverse("clients:portal-quote-decline", args=[quote.pk, 1]), {"note": "预算不够"})
    assert response.status_code == 302
    decision = QuoteDecision.objects.get()
    assert (decision.accepted, decision.note, decision.by) == (False, "预算不够", t1.user)
    again = client.post(reverse("clients:portal-quote-accept", args=[quote.pk, 1]), follow=True)
    assert "不能重复答复" in again.content.decode()
    assert QuoteDecision.objects.count() == 1


@pytest.mark.parametrize("revision", ["null", "abc", "", "1.5", "-1"])
def test_api_send_with_a_malformed_revision_is_a_400(tenants, manager, api_client_for, revision):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    staff = api_client_for(manager)
    pk = staff.post("/api/quotes/", {"engagement": engagement.pk}, format="json").json()["id"]
    response = staff.post(f"/api/quotes/{pk}/send/", {"revision": revision})
    assert response.status_code == 400 and "revision" in response.json()["errors"]
    assert Quote.objects.get(pk=pk).status == Quote.Status.DRAFT
