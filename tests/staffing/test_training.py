"""Training, exams and certification: random subsets, time limits, attempts, certification on passing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from clients.engagements.golive import registered_checks
from clients.models import Engagement
from staffing.models import Certification, Exam, ExamAttempt, Question
from staffing.training.selectors import attempts_visible_to, my_training
from staffing.training.services import (
    ExamNotAllowed,
    course_generate_platform,
    exam_create_for_shop,
    exam_start,
    exam_submit,
    question_add,
    shop_assignment_ensure,
)
from staffing.training.training_sources import COMPLIANT_REPLIES, KnowledgeFact, register_knowledge_source
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def shop_exam(shop, **kwargs) -> Exam:
    exam = exam_create_for_shop(shop=shop, **kwargs)
    course = exam.courses.get(kind="shop")
    for n in range(6):
        question_add(course=course, key=f"k{n}", text=f"第{n}题：退货地址？", answer=f"对{n}", wrong=[f"错{n}a", f"错{n}b"])
    return exam


def answer_all(attempt: ExamAttempt, *, right: bool) -> dict[int, int]:
    questions = Question.objects.in_bulk(attempt.question_ids)
    return {qid: (q.answer if right else (q.answer + 1) % len(q.choices)) for qid, q in questions.items()}


def test_platform_course_questions_are_generated_from_rule_facts():
    course = course_generate_platform(platform="pdd")
    questions = list(course.questions.all())
    assert len(questions) >= 5
    for q in questions:
        assert len(q.choices) == 4
        assert q.choices[q.answer] not in COMPLIANT_REPLIES
    # re-running adds nothing
    course_generate_platform(platform="pdd")
    assert course.questions.count() == len(questions)


def test_exam_draws_a_random_subset_and_passing_certifies(tenants, agent):
    shop = tenants[0].shop
    exam = shop_exam(shop, question_count=5, pass_mark=80)
    pool = Question.objects.filter(course__in=exam.courses.all()).count()
    attempt = exam_start(exam=exam, agent=agent, seed=1)
    assert len(attempt.question_ids) == 5 < pool
    other = exam_start(exam=exam, agent=AgentFactory(), seed=2)
    assert other.question_ids != attempt.question_ids
    done = exam_submit(attempt=attempt, answers=answer_all(attempt, right=True))
    assert done.passed and done.score == 100
    cert = Certification.objects.get(agent=agent, shop=shop)
    assert done.certification == cert
    assert cert.expires_at - cert.granted_at == timedelta(days=exam.certification_days)
    with pytest.raises(ExamNotAllowed):
        exam_submit(attempt=done, answers={})


def test_failing_records_the_attempt_and_limits_attempts(tenants, agent):
    exam = shop_exam(tenants[0].shop, question_count=4, max_attempts=2)
    for _ in range(2):
        attempt = exam_start(exam=exam, agent=agent)
        result = exam_submit(attempt=attempt, answers=answer_all(attempt, right=False))
        assert result.passed is False and result.score == 0
    with pytest.raises(ExamNotAllowed):
        exam_start(exam=exam, agent=agent)
    assert not Certification.objects.exists()
    assert ExamAttempt.objects.filter(agent=agent).count() == 2


def test_late_submission_fails_even_with_right_answers(tenants, agent):
    exam = shop_exam(tenants[0].shop, question_count=3, time_limit_minutes=10)
    start = timezone.now() - timedelta(minutes=30)
    attempt = exam_start(exam=exam, agent=agent, now=start)
    result = exam_submit(attempt=attempt, answers=answer_all(attempt, right=True))
    assert result.late and result.passed is False
    assert not Certification.objects.exists()


def test_open_attempt_is_resumed_not_duplicated(tenants, agent):
    exam = shop_exam(tenants[0].shop)
    first = exam_start(exam=exam, agent=agent)
    assert exam_start(exam=exam, agent=agent).pk == first.pk


def test_only_agents_take_exams(tenants, manager):
    exam = shop_exam(tenants[0].shop)
    with pytest.raises(ExamNotAllowed):
        exam_start(exam=exam, agent=manager)


def test_my_training_shows_due_and_certified(tenants, agent):
    shop1, shop2 = tenants[0].shop, tenants[1].shop
    for shop in (shop1, shop2):
        shop_assignment_ensure(agent=agent, shop=shop, since=date(2026, 1, 1))
    exam1 = shop_exam(shop1, question_count=3)
    shop_exam(shop2, question_count=3)
    attempt = exam_start(exam=exam1, agent=agent)
    exam_submit(attempt=attempt, answers=answer_all(attempt, right=True))
    items = {i.shop.pk: i for i in my_training(agent=agent)}
    assert items[shop1.pk].status == "certified"
    assert items[shop2.pk].status == "due"


def test_agents_see_only_their_own_attempts(tenants, agent, manager):
    exam = shop_exam(tenants[0].shop, question_count=3)
    mine = exam_start(exam=exam, agent=agent)
    theirs = exam_start(exam=exam, agent=AgentFactory())
    assert list(attempts_visible_to(user=agent)) == [mine]
    assert set(attempts_visible_to(user=manager)) == {mine, theirs}
    assert not attempts_visible_to(user=tenants[0].user).exists()


def test_knowledge_source_feeds_shop_questions(tenants, monkeypatch):
    from staffing.training import training_sources

    monkeypatch.setattr(training_sources, "_knowledge_sources", [])
    shop = tenants[0].shop

    def source(s):
        return [KnowledgeFact("return-days", "本店支持几天无理由退货？", "7天", ["3天", "15天"])] if s == shop else []

    register_knowledge_source(source)
    exam = exam_create_for_shop(shop=shop)
    q = Question.objects.get(course__shop=shop, key="return-days")
    assert q.choices[q.answer] == "7天"
    assert exam.shop == shop


@translation.override("zh-hans")
def test_golive_readiness_check_names_uncertified_agents(tenants, agent):
    checks = dict(registered_checks())
    check = checks["staffing.agents_certified"]
    shop = tenants[0].shop
    engagement = Engagement.objects.create(merchant=tenants[0].merchant, title="上线")
    engagement.shops.add(shop)
    item = check(engagement)
    assert item.ok is False and "未分配" in item.detail
    shop_assignment_ensure(agent=agent, shop=shop, since=date(2026, 1, 1))
    item = check(engagement)
    assert item.ok is False and "a99" in item.detail
    exam = shop_exam(shop, question_count=3)
    attempt = exam_start(exam=exam, agent=agent)
    exam_submit(attempt=attempt, answers=answer_all(attempt, right=True))
    assert check(engagement).ok is True


def test_agents_see_courses_of_their_shops_and_platforms_only(tenants, agent, manager):
    from staffing.training.selectors import courses_visible_to

    exam_create_for_shop(shop=tenants[0].shop)  # pdd
    exam_create_for_shop(shop=tenants[1].shop)  # jd
    shop_assignment_ensure(agent=agent, shop=tenants[0].shop, since=date(2026, 1, 1))
    codes = set(courses_visible_to(user=agent).values_list("code", flat=True))
    assert codes == {"rules-pdd", f"shop-{tenants[0].shop.code}"}
    assert len(courses_visible_to(user=manager)) == 4
    assert not courses_visible_to(user=tenants[0].user).exists()


def test_shop_course_asks_about_the_handed_over_knowledge(tenants, manager):
    from clients.handover import services as handover
    from clients.models import KnowledgeKind
    from staffing.training.services import course_generate_shop
    from tests.clients.factories import EngagementFactory, HandoverBatchFactory, add_entry

    shop = tenants[0].shop
    engagement = EngagementFactory(merchant=tenants[0].merchant, shops=[shop])
    products = HandoverBatchFactory(engagement=engagement, shop=shop, kind=KnowledgeKind.PRODUCT, title="商品")
    for n in range(4):
        add_entry(products, f"羽绒服 {n} 号", sku=f"YRF-{n}")
    handover.handover_batch_acknowledge(batch=products, by=manager)
    course = course_generate_shop(shop=shop)
    question = course.questions.get(key="sku:YRF-2")
    assert "羽绒服 2 号" in question.text
    assert question.choices[question.answer] == "YRF-2"
    assert len(question.choices) == 4


def test_agents_find_knowledge_of_the_shops_they_are_assigned_to(tenants, agent):
    from clients.handover.knowledge import shops_searchable_by
    from staffing.models import ShopAssignment

    assert list(shops_searchable_by(user=agent)) == []
    ShopAssignment.objects.create(agent=agent, shop=tenants[1].shop, since=date(2020, 1, 1))
    assert list(shops_searchable_by(user=agent)) == [tenants[1].shop]
