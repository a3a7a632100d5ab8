"""A merchant user sees only their own merchant's shops; another merchant's shop is a 404 everywhere."""

import pytest


def test_shop_list_page_shows_only_own_shops(client, tenants):
    mine, other = tenants
    client.force_login(mine.user)
    body = client.get("/clients/shops/").content.decode()
    assert mine.shop.name in body
    assert other.shop.name not in body


def test_other_merchants_shop_page_is_404(client, tenants):
    mine, other = tenants
    client.force_login(mine.user)
    assert client.get(f"/clients/shops/{mine.shop.code}/").status_code == 200
    response = client.get(f"/clients/shops/{other.shop.code}/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_404_page_in_the_users_language(client, tenants):
    mine, other = tenants
    client.force_login(mine.user)
    response = client.get(f"/clients/shops/{other.shop.code}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_other_merchants_shop_api_is_404_and_absent_from_list(api_client_for, tenants):
    mine, other = tenants
    api = api_client_for(mine.user)
    codes = [row["code"] for row in api.get("/api/shops/").json()["results"]]
    assert codes == [mine.shop.code]
    assert api.get(f"/api/shops/{mine.shop.code}/").status_code == 200
    response = api.get(f"/api/shops/{other.shop.code}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"} or "detail" in response.json()


def test_manager_sees_every_merchants_shops(api_client_for, tenants, manager):
    codes = {row["code"] for row in api_client_for(manager).get("/api/shops/").json()["results"]}
    assert {t.shop.code for t in tenants} <= codes


def test_agent_sees_no_merchant_shop_list(api_client_for, tenants, agent):
    assert api_client_for(agent).get("/api/shops/").json()["results"] == []


@pytest.mark.parametrize("size", [2, 12])
def test_shop_list_query_count_does_not_grow(client, manager, django_assert_max_num_queries, size):
    from tests.factories import ShopFactory

    ShopFactory.create_batch(size)
    client.force_login(manager)
    with django_assert_max_num_queries(6):
        assert client.get("/clients/shops/").status_code == 200
