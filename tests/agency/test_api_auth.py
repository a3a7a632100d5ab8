"""Token login for the API and JSON errors that say what and where."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, ManagerFactory, UserFactory


@pytest.fixture
def api(db):
    ManagerFactory(username="zhou")
    return APIClient(REMOTE_ADDR="10.0.0.8")


def test_token_for_correct_credentials_then_authorised_call(api):
    response = api.post("/api/auth/token/", {"username": "zhou", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/shops/").status_code == 200


def test_wrong_password_is_a_generic_400(api):
    response = api.post("/api/auth/token/", {"username": "zhou", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "用户名或密码不正确。"


def test_missing_field_is_named(api):
    response = api.post("/api/auth/token/", {"username": "zhou"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("password:")
    assert "password" in body["errors"]


def test_malformed_json_is_a_400_with_a_message(api):
    response = api.generic("POST", "/api/auth/token/", '{"username": "zhou", ', content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_api_lockout_after_repeated_failures(api, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        api.post("/api/auth/token/", {"username": "zhou", "password": "nope"}, format="json")
    response = api.post("/api/auth/token/", {"username": "zhou", "password": PASSWORD}, format="json")
    assert response.status_code == 429


def test_unauthenticated_api_call_is_a_json_401(db):
    response = APIClient().get("/api/shops/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_openapi_schema_and_offline_docs_are_behind_login(client, db):
    assert client.get("/api/schema/?format=json").status_code == 401
    assert client.get("/api/docs/").status_code == 401
    client.force_login(UserFactory(role="agent"))
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert "/api/auth/token/" in schema.json()["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in docs
    assert "cdn" not in docs.lower()
