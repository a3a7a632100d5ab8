"""The QA API: scoped lists with constant queries, 404 for others' objects, the agent's dispute."""

from __future__ import annotations

import pytest

from compliance.quality.models import Dispute, Review
from tests.quality.test_qa_pages import build

pytestmark = pytest.mark.django_db


def test_review_list_is_scoped_and_its_queries_do_not_grow(tenants, inspector, api_client_for, django_assert_max_num_queries):
    card, _agents, _ = build(tenants, inspector, 2)
    client = api_client_for(tenants[0].user)
    with django_assert_max_num_queries(10) as small:
        body = client.get("/api/quality/reviews/").json()
    assert body["count"] == 2 and {r["shop"] for r in body["results"]} == {tenants[0].shop.code}
    build(tenants, inspector, 8, card)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get("/api/quality/reviews/").json()["count"] == 10


def test_other_merchants_review_and_autoqa_are_404(tenants, inspector, api_client_for):
    build(tenants, inspector, 1)
    theirs = Review.objects.get(shop=tenants[1].shop)
    mine = Review.objects.get(shop=tenants[0].shop)
    client = api_client_for(tenants[0].user)
    assert client.get(f"/api/quality/reviews/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/quality/sessions/{theirs.session_id}/autoqa/").status_code == 404
    detail = client.get(f"/api/quality/reviews/{mine.pk}/").json()
    assert len(detail["scores"]) == 3 and detail["final_score"] == "100.0"
    autoqa = client.get(f"/api/quality/sessions/{mine.session_id}/autoqa/").json()
    assert autoqa["deductions"] and all(d["message"] for d in autoqa["deductions"])


def test_agent_disputes_through_the_api_with_a_required_comment(tenants, inspector, api_client_for):
    _card, _agents, reviews = build(tenants, inspector, 2)
    review = next(r for r in reviews if not Dispute.objects.filter(review=r).exists())
    client = api_client_for(review.agent)
    response = client.post(f"/api/quality/reviews/{review.pk}/dispute/", {"comment": " "}, format="json")
    assert response.status_code == 400 and response.json()["errors"] == {"comment": ["请填写申诉理由"]}
    response = client.post(f"/api/quality/reviews/{review.pk}/dispute/", {"comment": "已解决"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "open"
    other = api_client_for(tenants[0].user)  # a merchant user cannot dispute
    assert other.post(f"/api/quality/reviews/{review.pk}/dispute/", {"comment": "x"}, format="json").status_code == 403
