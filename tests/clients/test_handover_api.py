"""API: handover batches (read), knowledge search, go-live checklist; tenancy and query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.handover import services
from staffing.models import ShopAssignment
from tests.clients.factories import EngagementFactory, HandoverBatchFactory, add_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def batches(tenants, manager):
    out = []
    for tenant in tenants:
        engagement = EngagementFactory(merchant=tenant.merchant, shops=[tenant.shop])
        batch = HandoverBatchFactory(engagement=engagement, shop=tenant.shop, title=f"{tenant.merchant.name}商品")
        add_entry(batch, f"{tenant.merchant.name}保温杯", "304不锈钢，保温12小时", sku="CUP")
        services.handover_batch_acknowledge(batch=batch, by=manager)
        out.append(batch)
    return out


def test_batches_list_and_detail_are_scoped(api_client_for, tenants, batches):
    api = api_client_for(tenants[0].user)
    data = api.get("/api/handover/batches/").json()
    assert [b["id"] for b in data["results"]] == [batches[0].pk]
    assert data["results"][0]["entry_count"] == 1 and data["results"][0]["in_force"] is True
    assert api.get(f"/api/handover/batches/{batches[1].pk}/").status_code == 404
    assert api.get(f"/api/handover/batches/{batches[0].pk}/").status_code == 200


def test_knowledge_search_is_scoped_and_validates(api_client_for, tenants, batches, agent):
    api = api_client_for(tenants[0].user)
    found = api.get("/api/knowledge/", {"q": "不锈钢"}).json()
    assert [e["title"] for e in found] == ["租户商家1保温杯"]
    assert found[0]["shop"] == tenants[0].shop.code and found[0]["price"] is None
    assert api.get("/api/knowledge/", {"shop": tenants[1].shop.code}).status_code == 404
    response = api.get("/api/knowledge/", {"kind": "nonsense"})
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    agent_api = api_client_for(agent)
    assert agent_api.get("/api/knowledge/", {"q": "保温"}).json() == [], "an agent searches only shops they serve"
    for tenant in tenants:  # staffing's shop assignments: this agent serves both merchants' shops
        ShopAssignment.objects.create(agent=agent, shop=tenant.shop, since=timezone.localdate() - timedelta(days=1))
    agent_found = agent_api.get("/api/knowledge/", {"q": "保温"}).json()
    assert {e["title"] for e in agent_found} == {"租户商家1保温杯", "租户商家2保温杯"}


def test_go_live_checklist_api(api_client_for, tenants, batches, manager):
    engagement = batches[0].engagement
    data = api_client_for(manager).get(f"/api/engagements/{engagement.pk}/go-live/").json()
    assert data["ready"] is False
    items = {i["key"]: i for i in data["items"]}
    assert items["handover_acknowledged"]["ok"] is True and items["contract_signed"]["ok"] is False
    assert items["staffing.agents_certified"]["ok"] is False and items["roster_published"]["ok"] is False
    assert not any(i["ok"] is None for i in data["items"]), "every item is judged by a real check"
    assert api_client_for(tenants[1].user).get(f"/api/engagements/{engagement.pk}/go-live/").status_code == 404


def test_api_query_counts_flat(api_client_for, tenants, batches, manager, django_assert_max_num_queries):
    api = api_client_for(tenants[0].user)
    for size in (1, 15):
        while len(batches) < size + 1:
            b = HandoverBatchFactory(engagement=batches[0].engagement, shop=tenants[0].shop)
            add_entry(b, f"保温饭盒{len(batches)}", sku="B")
            services.handover_batch_acknowledge(batch=b, by=manager)
            batches.append(b)
        with django_assert_max_num_queries(6):
            assert api.get("/api/handover/batches/").status_code == 200
        with django_assert_max_num_queries(6):
            assert len(api.get("/api/knowledge/", {"q": "保温"}).json()) == size
