"""The agent's journey: type a reply in the pre-send check box and see the hits and suggestions."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, AgentFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_sees_hits_while_typing(page, login):
    AgentFactory(username="agent-browser", code="a42")
    login("agent-browser", PASSWORD)
    page.goto("/compliance/check/")
    page.select_option("select[name=platform]", "pdd")
    page.fill("textarea[name=text]", "亲，这个宝贝加我薇.信聊")
    result = page.locator("#precheck-result .precheck-result")
    result.wait_for()
    assert result.get_attribute("data-hits") == "2"
    marks = page.locator("#precheck-result p.highlighted mark").all_inner_texts()
    assert marks == ["宝贝", "薇.信"]
    assert "商品" in page.locator("#precheck-result table").inner_text()
    page.fill("textarea[name=text]", "亲，这个商品今天发货")
    page.locator('#precheck-result .precheck-result[data-hits="0"]').wait_for()
