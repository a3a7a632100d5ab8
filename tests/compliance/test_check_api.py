"""POST /api/compliance/check/ (contracts §5)."""

from __future__ import annotations

from datetime import date

import pytest

from compliance.rules.services import custom_rule_save
from staffing.models import ShopAssignment

URL = "/api/compliance/check/"


@pytest.mark.django_db
def test_check_returns_hits_with_original_offsets(api_client_for, agent):
    text = "亲，这个宝贝全網最低，加ＶＸ"
    response = api_client_for(agent).post(URL, {"platform": "pdd", "text": text}, format="json")
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert {h["category"] for h in hits} == {"other_platform", "absolute_claim"}
    for hit in hits:
        assert hit["matched"] == text[hit["start"] : hit["end"]]


@pytest.mark.django_db
def test_check_needs_login_and_valid_input(client, api_client_for, agent):
    assert client.post(URL, {"platform": "pdd", "text": "x"}, content_type="application/json").status_code in (401, 403)
    response = api_client_for(agent).post(URL, {"platform": "ebay", "text": "x"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("platform") and "platform" in body["errors"]


@pytest.mark.django_db
def test_shop_rules_and_tenancy(api_client_for, tenants, agent):
    first, second = tenants
    custom_rule_save(merchant=first.merchant, by=None, data={"category": "other_platform", "severity": "warning", "terms": ["竞品A"]})
    custom_rule_save(merchant=second.merchant, by=None, data={"category": "other_platform", "severity": "warning", "terms": ["竞品B"]})
    own = api_client_for(first.user).post(URL, {"platform": "pdd", "text": "竞品A", "shop": first.shop.code}, format="json")
    assert own.status_code == 200 and [h["matched"] for h in own.json()["hits"]] == ["竞品A"]
    other = api_client_for(first.user).post(URL, {"platform": "jd", "text": "竞品B", "shop": second.shop.code}, format="json")
    assert other.status_code == 404
    # an agent may use the shops assigned to them, not others
    assert api_client_for(agent).post(URL, {"platform": "pdd", "text": "竞品A", "shop": first.shop.code}, format="json").status_code == 404
    ShopAssignment.objects.create(agent=agent, shop=first.shop, since=date(2020, 1, 1))
    hits = api_client_for(agent).post(URL, {"platform": "pdd", "text": "竞品A", "shop": first.shop.code}, format="json").json()["hits"]
    assert [h["matched"] for h in hits] == ["竞品A"]
    wrong = api_client_for(first.user).post(URL, {"platform": "jd", "text": "x", "shop": first.shop.code}, format="json")
    assert wrong.status_code == 400 and "shop" in wrong.json()["errors"]
