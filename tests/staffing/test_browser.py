"""Browser journeys: an agent takes a shop exam; a manager reads a shop's forecast."""

from __future__ import annotations

from datetime import date

import pytest

from staffing.models import Certification, ExamAttempt, Question
from staffing.training.services import exam_create_for_shop, question_add, shop_assignment_ensure
from tests.factories import PASSWORD, AgentFactory, ManagerFactory, ShopFactory
from tests.staffing.factories import feed_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_takes_exam_in_the_browser(page, login):
    shop = ShopFactory(code="br-shop", name="浏览器店铺", platform="pdd")
    agent = AgentFactory(username="br-agent", code="b01")
    shop_assignment_ensure(agent=agent, shop=shop, since=date(2026, 1, 1))
    exam = exam_create_for_shop(shop=shop, question_count=4)
    course = exam.courses.get(kind="shop")
    for n in range(3):
        question_add(course=course, key=f"k{n}", text=f"浏览器题{n}", answer="正确", wrong=["错误"])
    login("br-agent", PASSWORD)
    page.goto("/staffing/training/")
    page.click(f"text={exam.title}")
    page.click("#start-exam")
    page.wait_for_selector("#exam-form")
    attempt = ExamAttempt.objects.get(agent=agent)
    for qid, q in Question.objects.in_bulk(attempt.question_ids).items():
        page.check(f"input[name=q{qid}][value='{q.answer}']")
    page.click("#submit-exam")
    page.wait_for_selector("#score")
    assert page.inner_text("#score").strip() == "100.0"
    assert Certification.objects.filter(agent=agent, shop=shop).exists()


def test_manager_reads_a_forecast(page, login):
    shop = ShopFactory(code="br-fc", name="预测店铺", platform="jd")
    ManagerFactory(username="br-manager")
    feed_history(shop, start=date(2026, 8, 3), days=14)
    login("br-manager", PASSWORD)
    page.goto("/staffing/forecast/")
    page.click("text=预测店铺")
    page.wait_for_selector("#required-agents")
    page.goto("/staffing/forecast/br-fc/?start=2026-09-07&days=7")
    assert page.locator("#days tbody tr").count() == 7
    page.wait_for_selector("#chart-daily canvas")
    assert page.locator(".echart canvas").count() == 2
