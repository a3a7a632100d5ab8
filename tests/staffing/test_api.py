"""Staffing API: erlang, forecast (tenancy), attempts (own only), schema stays valid."""

from __future__ import annotations

from datetime import date

import pytest

from staffing.training.services import exam_create_for_shop, exam_start, question_add
from tests.factories import AgentFactory
from tests.staffing.factories import feed_history

pytestmark = pytest.mark.django_db


def test_erlang_api_matches_the_command(api_client_for, agent):
    client = api_client_for(agent)
    response = client.post("/api/staffing/erlang/", {
        "volume": 100, "interval_minutes": 30, "aht_seconds": 180, "answer_seconds": 180,
        "service_level": 0.8, "max_occupancy": 0.85, "shrinkage": 0.3,
    }, format="json")
    assert response.status_code == 200
    assert response.json()["raw_agents"] == 12 and response.json()["agents"] == 18
    bad = client.post("/api/staffing/erlang/", {"volume": 1}, format="json")
    assert bad.status_code == 400 and "errors" in bad.json() and "interval_minutes" in bad.json()["errors"]


def test_forecast_api_is_scoped_to_the_merchant(api_client_for, tenants, manager, django_assert_max_num_queries):
    one, two = tenants
    feed_history(one.shop, start=date(2026, 8, 3), days=14)
    url = f"/api/staffing/forecast/{one.shop.code}/?start=2026-09-07&days=2"
    data = api_client_for(one.user).get(url).json()
    assert data["shop"] == one.shop.code and len(data["days"]) == 2
    assert data["days"][0]["slots"][0] == {"slot": "08:00", "volume": data["days"][0]["slots"][0]["volume"],
                                            "agents": data["days"][0]["slots"][0]["agents"]}
    assert api_client_for(two.user).get(url).status_code == 404
    client = api_client_for(manager)
    with django_assert_max_num_queries(9):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(url.replace("days=2", "days=40")).status_code == 200
    assert client.get(url.replace("days=2", "days=400")).status_code == 400


def test_attempts_api_shows_agents_only_their_own(api_client_for, tenants, agent, manager):
    exam = exam_create_for_shop(shop=tenants[0].shop, question_count=2)
    course = exam.courses.get(kind="shop")
    question_add(course=course, key="k", text="题", answer="对", wrong=["错"])
    mine = exam_start(exam=exam, agent=agent)
    exam_start(exam=exam, agent=AgentFactory())
    own = api_client_for(agent).get("/api/staffing/attempts/").json()
    rows = own["results"] if isinstance(own, dict) else own
    assert [a["id"] for a in rows] == [mine.pk]
    every = api_client_for(manager).get("/api/staffing/attempts/").json()
    assert len(every["results"] if isinstance(every, dict) else every) == 2
    merchant = api_client_for(tenants[0].user).get("/api/staffing/attempts/").json()
    assert len(merchant["results"] if isinstance(merchant, dict) else merchant) == 0


def test_schema_is_valid(api_client_for, manager):
    response = api_client_for(manager).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/staffing/forecast/{code}/" in paths and "/api/staffing/erlang/" in paths
