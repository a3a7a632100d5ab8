"""The input guard (agency/middleware.py) and the API's error answers: malformed input is a 400 or 404 with
a JSON body under /api/, never a server error (issue 12: NUL bytes → DataError, non-integer revision → 500)."""

from __future__ import annotations

import pytest
from django.db import DataError
from django.test import RequestFactory

from agency.middleware import InputGuardMiddleware
from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_api(api_client_for):
    return api_client_for(ManagerFactory(username="guard-manager"))


@pytest.mark.parametrize("url", [
    "/api/sessions/?shop=%00", "/api/sessions/?q=a%00b", "/api/quality/alerts/?%00=1", "/api/shops/a%00b/",
])
def test_nul_bytes_on_the_api_are_a_json_400(manager_api, url):
    response = manager_api.get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json" and "NUL" in response.json()["detail"]


def test_nul_bytes_on_a_page_are_a_400(client):
    client.force_login(ManagerFactory(username="guard-page"))
    assert client.get("/compliance/sessions/?q=%00").status_code == 400
    assert client.get("/clients/shops/a%00b/").status_code == 400


@pytest.mark.parametrize("url", [
    "/api/quality/sessions/99999999999999999999999/", "/api/sessions/99999999999999999999999/",
    "/api/quotes/abc/", "/api/quality/sessions/abc/", "/api/no-such-endpoint/",
])
def test_ids_that_name_nothing_are_a_json_404(manager_api, url):
    response = manager_api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and response.json()["detail"]


def test_impossible_ids_on_pages_are_a_404(client):
    client.force_login(ManagerFactory(username="guard-ids"))
    assert client.get("/jobs/99999999999999999999999/").status_code == 404
    assert client.get("/compliance/sessions/99999999999999999999999/").status_code == 404


def test_a_value_the_database_refuses_is_a_400_not_a_500():
    """The backstop: whatever a view let through and PostgreSQL refused (DataError) is the client's error."""
    guard = InputGuardMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]
    api = guard.process_exception(RequestFactory().post("/api/x/"), DataError("NUL"))
    page = guard.process_exception(RequestFactory().post("/compliance/x/"), DataError("NUL"))
    assert api is not None and api.status_code == 400 and api["Content-Type"] == "application/json"
    assert page is not None and page.status_code == 400
    assert guard.process_exception(RequestFactory().get("/"), ValueError("other")) is None


def test_erlang_refuses_an_absurd_load_quickly(manager_api):
    response = manager_api.post("/api/staffing/erlang/", {
        "volume": 3.6e307, "interval_minutes": 30, "aht_seconds": 6.5e307, "answer_seconds": 20, "service_level": 0.8,
    }, format="json")
    assert response.status_code == 400 and "volume" in response.json()["errors"]


def test_the_schema_documents_error_answers_and_nullable_fields(manager_api):
    schema = manager_api.get("/api/schema/?format=json").json()
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404"} <= set(operation["responses"]), (method, path)
    assert "429" in schema["paths"]["/api/auth/token/"]["post"]["responses"]
    assert "409" in schema["paths"]["/api/quotes/{id}/send/"]["post"]["responses"]
    assert schema["components"]["schemas"]["HandoverBatch"]["properties"]["acknowledged_by"]["nullable"] is True
    assert schema["components"]["schemas"]["SessionMetrics"]["properties"]["avg_response_seconds"]["nullable"] is True
    assert "format" not in schema["components"]["schemas"]["Engagement"]["properties"]["service_start"]
