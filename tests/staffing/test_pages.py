"""Staffing pages over HTTP: roles, tenancy (another merchant's shop is a 404), query counts, taking an exam."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.urls import reverse

from staffing.forecasting.services import promotion_calendar_ensure, seasonal_plan_create
from staffing.models import Certification, ExamAttempt, ForecastOverride, IntervalVolume, Question
from staffing.training.services import (
    certification_grant,
    exam_create_for_shop,
    exam_start,
    question_add,
    shop_assignment_ensure,
)
from tests.factories import AgentFactory, ShopFactory
from tests.staffing.factories import feed_history

pytestmark = pytest.mark.django_db


def make_exam(shop, n_questions=4):
    exam = exam_create_for_shop(shop=shop, question_count=n_questions)
    course = exam.courses.get(kind="shop")
    for n in range(4):
        question_add(course=course, key=f"k{n}", text=f"题{n}", answer="对", wrong=["错"])
    return exam


def test_forecast_page_for_manager_and_own_merchant_only(client, tenants, manager):
    one, two = tenants
    feed_history(one.shop, start=date(2026, 8, 3), days=14)
    client.force_login(manager)
    url = reverse("staffing:forecast-shop", args=[one.shop.code]) + "?start=2026-09-07&days=7"
    response = client.get(url)
    assert response.status_code == 200
    assert b'data-chart-source="chart-daily-data"' in response.content and b'id="required-agents"' in response.content
    assert len(response.context["daily_chart"]["series"][0]["values"]) == 7
    client.force_login(one.user)
    assert client.get(url).status_code == 200
    client.force_login(two.user)
    assert client.get(url).status_code == 404
    index = client.get(reverse("staffing:forecast-index"))
    assert one.shop.name not in index.content.decode() and two.shop.name in index.content.decode()


def test_forecast_page_query_count_does_not_grow_with_days_or_history(client, tenants, manager,
                                                                       django_assert_max_num_queries):
    shop = tenants[0].shop
    client.force_login(manager)
    url = reverse("staffing:forecast-shop", args=[shop.code])
    feed_history(shop, start=date(2026, 8, 24), days=7)
    with django_assert_max_num_queries(9):
        assert client.get(url + "?start=2026-09-07&days=3").status_code == 200
    feed_history(shop, start=date(2026, 8, 3), days=35)
    for day in range(7, 14):
        ForecastOverride.objects.create(shop=shop, date=date(2026, 9, day), slot=time(10), agents=3)
    with django_assert_max_num_queries(9):
        assert client.get(url + "?start=2026-09-07&days=30").status_code == 200


def test_manager_overrides_from_the_page_and_merchant_cannot(client, tenants, manager):
    shop = tenants[0].shop
    url = reverse("staffing:forecast-shop", args=[shop.code]) + "?start=2026-09-07&days=3"
    client.force_login(tenants[0].user)
    assert client.post(url, {"day": "2026-09-07", "volume": "500"}).status_code == 403
    client.force_login(manager)
    response = client.post(url, {"day": "2026-09-07", "slot": "10:00", "agents": "7"})
    assert response.status_code == 302
    assert ForecastOverride.objects.get(shop=shop).agents == 7
    bad = client.post(url, {"day": "2026-09-07", "slot": "10:15", "volume": "3"})
    assert bad.status_code == 200 and "半点" in bad.content.decode()


def test_history_csv_upload_reports_the_line(client, tenants, manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    shop = tenants[0].shop
    client.force_login(manager)
    url = reverse("staffing:forecast-shop", args=[shop.code])
    bad = SimpleUploadedFile("h.csv", b"start,volume\n2026-08-03T08:00:00+08:00,x\n")
    response = client.post(url, {"file": bad}, follow=True)
    assert "第 2 行" in response.content.decode()
    assert not IntervalVolume.objects.exists()
    good = SimpleUploadedFile("h.csv", b"start,volume\n2026-08-03T08:00:00+08:00,3\n")
    client.post(url, {"file": good})
    assert IntervalVolume.objects.get(shop=shop).volume == 3


def test_agent_takes_an_exam_over_http_and_gets_certified(client, tenants, agent):
    shop = tenants[0].shop
    exam = make_exam(shop)
    shop_assignment_ensure(agent=agent, shop=shop, since=date(2026, 1, 1))
    client.force_login(agent)
    response = client.get(reverse("staffing:training"))
    assert b'data-status="due"' in response.content
    response = client.post(reverse("staffing:exam-start", args=[exam.code]))
    attempt = ExamAttempt.objects.get(agent=agent)
    assert response.url == reverse("staffing:attempt-detail", args=[attempt.pk])
    page = client.get(response.url)
    assert b'id="exam-form"' in page.content
    questions = Question.objects.in_bulk(attempt.question_ids)
    answers = {f"q{qid}": str(q.answer) for qid, q in questions.items()}
    client.post(response.url, answers)
    attempt.refresh_from_db()
    assert attempt.passed
    assert Certification.objects.filter(agent=agent, shop=shop).exists()
    assert b'data-status="certified"' in client.get(reverse("staffing:training")).content


def test_agents_see_only_their_own_attempts_and_exams_of_their_shops(client, tenants, agent):
    exam = make_exam(tenants[0].shop)
    other_exam = make_exam(tenants[1].shop)
    other = AgentFactory()
    shop_assignment_ensure(agent=other, shop=tenants[0].shop, since=date(2026, 1, 1))
    shop_assignment_ensure(agent=agent, shop=tenants[0].shop, since=date(2026, 1, 1))
    theirs = exam_start(exam=exam, agent=other)
    client.force_login(agent)
    assert client.get(reverse("staffing:attempt-detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("staffing:attempt-detail", args=[theirs.pk]), {}).status_code == 404
    assert client.get(reverse("staffing:exam-detail", args=[other_exam.code])).status_code == 404
    other_course = other_exam.courses.get(kind="shop")
    assert client.get(reverse("staffing:course-detail", args=[other_course.code])).status_code == 404
    client.force_login(tenants[0].user)  # merchants see no training material at all
    assert client.get(reverse("staffing:course-detail", args=[other_course.code])).status_code == 403
    client.force_login(agent)
    detail = client.get(reverse("staffing:exam-detail", args=[exam.code])).content.decode()
    assert other.display_name not in detail


def test_merchants_see_no_training_and_no_plans(client, tenants):
    client.force_login(tenants[0].user)
    assert client.get(reverse("staffing:training")).status_code == 403
    assert client.get(reverse("staffing:plan-list")).status_code == 403


def test_training_pages_query_counts(client, tenants, manager, agent, django_assert_max_num_queries):
    exam = make_exam(tenants[0].shop)
    shop_assignment_ensure(agent=agent, shop=tenants[0].shop, since=date(2026, 1, 1))
    client.force_login(manager)
    for size in (1, 6):
        for _ in range(size):
            a = AgentFactory()
            exam_start(exam=exam, agent=a)
        with django_assert_max_num_queries(8):
            assert client.get(reverse("staffing:training")).status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(reverse("staffing:exam-detail", args=[exam.code])).status_code == 200


def test_seasonal_plan_pages(client, tenants, manager):
    promotion_calendar_ensure(year=2026)
    from staffing.models import Promotion

    promo = Promotion.objects.get(code="double12-2026")
    shop = tenants[0].shop
    feed_history(shop, start=date(2026, 9, 14), days=14)
    certification_grant(agent=AgentFactory(), shop=shop, days=365)
    client.force_login(manager)
    response = client.post(reverse("staffing:plan-list"), {
        "promotion": promo.pk, "shops": [shop.pk], "expected_orders": 10000, "refund_rate": 0.05,
        "refunds_per_agent": 80, "title": "双12",
    })
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.status_code == 200 and b'data-kpi="gap"' in page.content
    plan = seasonal_plan_create(promotion=promo, shops=[ShopFactory(), shop])
    assert client.get(reverse("staffing:plan-detail", args=[plan.pk])).status_code == 200


def test_promotion_calendar_page(client, manager, inspector):
    client.force_login(manager)
    client.post(reverse("staffing:promotion-list"), {"year": 2027})
    assert "2027 双11" in client.get(reverse("staffing:promotion-list")).content.decode()
    client.force_login(inspector)
    assert client.post(reverse("staffing:promotion-list"), {"year": 2028}).status_code == 403


def test_agent_dashboard_widget_lists_what_is_due(client, tenants, agent):
    exam = make_exam(tenants[0].shop)
    shop_assignment_ensure(agent=agent, shop=tenants[0].shop, since=date(2026, 1, 1))
    client.force_login(agent)
    assert exam.title in client.get(reverse("dashboard")).content.decode()


def test_seasonal_plan_page_queries_do_not_grow_with_shops(client, tenants, manager, django_assert_max_num_queries):
    from staffing.models import Promotion

    promotion_calendar_ensure(year=2026)
    promo = Promotion.objects.get(code="double12-2026")
    client.force_login(manager)
    small = seasonal_plan_create(promotion=promo, shops=[tenants[0].shop])
    shops = [ShopFactory(platform="pdd") for _ in range(4)]
    for shop in shops:
        certification_grant(agent=AgentFactory(), shop=shop, days=90)
    large = seasonal_plan_create(promotion=promo, shops=[tenants[0].shop, *shops])
    for plan in (small, large):
        with django_assert_max_num_queries(12):
            assert client.get(reverse("staffing:plan-detail", args=[plan.pk])).status_code == 200


def test_pages_are_translated_to_english(client, tenants, manager, settings):
    client.force_login(manager)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("staffing:forecast-shop", args=[tenants[0].shop.code])).content.decode()
    assert "Daily totals" in page and "每日咨询总量" not in page


def test_manager_creates_an_exam_and_adds_questions(client, tenants, manager, agent):
    from staffing.models import Exam

    shop = tenants[1].shop
    client.force_login(manager)
    response = client.post(reverse("staffing:training"), {
        "shop": shop.pk, "question_count": 5, "pass_mark": 60, "time_limit_minutes": 10, "max_attempts": 2,
        "certification_days": 90,
    })
    exam = Exam.objects.get(shop=shop)
    assert response.url == reverse("staffing:exam-detail", args=[exam.code])
    assert (exam.pass_mark, exam.max_attempts, exam.certification_days) == (60, 2, 90)
    course = exam.courses.get(kind="shop")
    url = reverse("staffing:course-detail", args=[course.code])
    client.post(url, {"text": "本店发什么快递？", "answer": "顺丰", "wrong": "圆通\n中通"})
    q = course.questions.get()
    assert q.choices[q.answer] == "顺丰" and len(q.choices) == 3
    empty = client.post(url, {"text": "题", "answer": "对", "wrong": "  "})
    assert empty.status_code == 200 and course.questions.count() == 1
    client.force_login(agent)
    assert client.post(url, {"text": "x", "answer": "y", "wrong": "z"}).status_code in (403, 404)


def test_manager_sets_the_shops_staffing_parameters(client, tenants, manager):
    from staffing.models import StaffingProfile

    shop = tenants[0].shop
    client.force_login(manager)
    url = reverse("staffing:forecast-shop", args=[shop.code])
    fields = {"profile": "1", "aht_seconds": 300, "answer_seconds": 60, "service_level": 0.9, "max_occupancy": 0.8,
              "shrinkage": 0.25, "concurrency": 2, "window_start": "09:00", "window_end": "22:00"}
    assert client.post(url, fields).status_code == 302
    profile = StaffingProfile.objects.get(shop=shop)
    assert (profile.aht_seconds, profile.concurrency, profile.window_start.hour) == (300, 2, 9)
    bad = client.post(url, {**fields, "concurrency": 7})
    assert bad.status_code == 200 and StaffingProfile.objects.get(shop=shop).concurrency == 2


def test_forecast_index_is_filtered_paged_and_charts_the_last_four_weeks(client, tenants, manager):
    from datetime import timedelta

    from django.utils import timezone

    one, two = tenants
    for n in range(30):
        ShopFactory(code=f"fi-{n:02d}", name=f"索引店{n:02d}", platform="douyin")
    yesterday = timezone.localdate() - timedelta(days=1)
    feed_history(one.shop, start=yesterday - timedelta(days=6), days=7)
    client.force_login(manager)
    context = client.get(reverse("staffing:forecast-index")).context
    assert len(context["shops"]) == 25 and context["page"].paginator.count == 32
    first = client.get(reverse("staffing:forecast-index"), {"platform": "douyin"}).context["shops"]
    second = client.get(reverse("staffing:forecast-index"), {"platform": "douyin", "page": 2}).context["shops"]
    assert {s.code for s in first + second} == {f"fi-{n:02d}" for n in range(30)} and len(second) == 5
    context = client.get(reverse("staffing:forecast-index"), {"q": one.shop.name}).context
    assert [s.code for s in context["shops"]] == [one.shop.code]
    (series,) = context["chart"]["series"]
    assert series["name"] == one.shop.name and len(series["values"]) == 28
    assert series["values"][:21] == [0] * 21 and all(v > 0 for v in series["values"][21:])
    client.force_login(two.user)
    context = client.get(reverse("staffing:forecast-index")).context
    assert [s.code for s in context["shops"]] == [two.shop.code]  # another merchant's shops are not listed
