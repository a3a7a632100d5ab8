"""An inspector samples and reviews in a real browser; the agent disputes; the manager resolves."""

from __future__ import annotations

from datetime import datetime

import pytest

from compliance.quality.models import Dispute, Review, ScorecardItem
from tests.factories import PASSWORD, SHANGHAI, AgentFactory, InspectorFactory, ManagerFactory
from tests.quality.factories import make_scorecard, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_samples_reviews_agent_disputes_manager_resolves(page, login, tenants):
    card = make_scorecard()
    inspector = InspectorFactory(username="b-inspector", display_name="钱质检")
    manager = ManagerFactory(username="b-manager")
    agent = AgentFactory(username="b-agent", code="b01", display_name="王小雨")
    session = make_session(
        shop=tenants[0].shop, agent=agent, start=datetime(2026, 11, 2, 9, 30, tzinfo=SHANGHAI), external_id="sess-browser",
        rows=[(0, "buyer", "在吗，这个沙发包邮吗"), (400, "agent", "包邮"), (420, "buyer", "几天能到"), (430, "agent", "三天左右")],
    )

    # Sampling: the inspector makes a daily plan for the shop and samples 2 Nov.
    login("b-inspector", PASSWORD)
    page.goto("/quality/sampling/")
    page.fill("#plan-form input[name=name]", "蓝心每日抽检")
    page.select_option("#plan-form select[name=scorecard]", str(card.pk))
    page.select_option("#plan-form select[name=shops]", str(tenants[0].shop.pk))
    page.select_option("#plan-form select[name=inspectors]", str(inspector.pk))
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("text=蓝心每日抽检")
    row = page.locator("tr", has_text="蓝心每日抽检")
    row.locator("input[name=on]").fill("2026-11-02")
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/quality/queue/")
    assert "已从 1 个候选会话中抽取 1 个" in page.inner_text(".messages")

    # Reviewing: transcript beside the scorecard; full marks except the accuracy item.
    page.click("#pending >> text=开始质检")
    page.wait_for_selector("#review-form")
    assert "在吗，这个沙发包邮吗" in page.inner_text(".transcript")
    for item in ScorecardItem.objects.filter(category__scorecard=card):
        value = 2 if item.label == "回答准确" else item.scale_max
        page.check(f"input[name=item_{item.pk}][value='{value}']")
    page.fill("textarea[name=comment]", "回复过慢，未说明物流")
    page.click("#review-form button[type=submit]")
    page.wait_for_url("**/quality/queue/")
    review = Review.objects.get(session=session)
    assert review.agent == agent and review.final_score < 100
    page.click("form[action='/logout/'] button")

    # Dispute: the agent finds the review on their page; an empty reason is refused.
    login("b-agent", PASSWORD)
    page.goto("/quality/me/")
    page.click("#my-reviews >> text=sess-browser")
    page.click("#dispute-form button[type=submit]")
    page.wait_for_selector("text=请填写申诉理由")
    page.fill("#dispute-form textarea[name=comment]", "买家在其他会话里确认了物流，不是答非所问")
    page.click("#dispute-form button[type=submit]")
    page.wait_for_selector("[data-status=open]")
    page.click("form[action='/logout/'] button")

    # Resolution: the manager accepts the dispute and revises the score.
    login("b-manager", PASSWORD)
    page.goto("/quality/disputes/")
    page.click("text=sess-browser")
    page.select_option("#resolve-form select[name=decision]", "accept")
    page.fill("#resolve-form input[name=revised_score]", "95")
    page.fill("#resolve-form textarea[name=resolution]", "核实后同意改判")
    page.click("#resolve-form button[type=submit]")
    page.wait_for_selector("[data-status=accepted]")
    assert page.inner_text("#final-score").strip() == "95.0"
    dispute = Dispute.objects.get(review=review)
    assert dispute.status == Dispute.Status.ACCEPTED and dispute.resolved_by == manager
