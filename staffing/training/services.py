"""Writes for training: courses and their questions, exams, grading, certification and shop assignments."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Role, User
from agency.services import audit_record
from clients.models import Platform, Shop
from staffing.errors import StaffingInputError
from staffing.training.grading import answers_from_form, grade
from staffing.training.models import Certification, Course, Exam, ExamAttempt, Question, ShopAssignment
from staffing.training.training_sources import COMPLIANT_REPLIES, knowledge_facts, rule_facts

# --- courses and questions --------------------------------------------------------------------------------


def _stable_rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))


@transaction.atomic
def course_generate_platform(*, platform: str) -> Course:
    """The platform-rules course: material and one question per rule fact ("which reply breaks the rules?"),
    the violating reply among three compliant ones. Re-running adds only new rules."""
    if platform not in Platform.values:
        raise StaffingInputError(_("未知平台 %(p)s") % {"p": platform})
    label = Platform(platform).label
    facts = rule_facts(platform)
    material = "\n".join(
        f"· {f.banned}：{_('例如')}“{f.example}”" + (f" → {f.suggestion}" if f.suggestion else "") for f in facts
    )
    course, _created = Course.objects.update_or_create(
        code=f"rules-{platform}",
        defaults={"title": _("%(p)s 平台规则") % {"p": label}, "kind": Course.Kind.PLATFORM, "platform": platform,
                  "material": material},
    )
    for fact in facts:
        rng = _stable_rng(fact.rule)
        choices = rng.sample(COMPLIANT_REPLIES, 3) + [fact.example]
        rng.shuffle(choices)
        Question.objects.get_or_create(
            course=course,
            key=fact.rule,
            defaults={
                "text": _("在%(p)s店铺的客服聊天中，下列哪句回复会被判为违规？") % {"p": label},
                "choices": choices,
                "answer": choices.index(fact.example),
                "explanation": f"“{fact.banned}”（{fact.category}）" + (f"：{fact.suggestion}" if fact.suggestion else ""),
            },
        )
    return course


@transaction.atomic
def course_generate_shop(*, shop: Shop, material: str = "") -> Course:
    """The shop's knowledge course, with questions from the registered knowledge sources (the handover)."""
    course, _created = Course.objects.get_or_create(
        code=f"shop-{shop.code}",
        defaults={"title": _("%(s)s 店铺知识") % {"s": shop.name}, "kind": Course.Kind.SHOP, "shop": shop,
                  "platform": shop.platform, "material": material},
    )
    for fact in knowledge_facts(shop):
        question_add(course=course, key=fact.key, text=fact.question, answer=fact.answer, wrong=fact.distractors)
    return course


def question_add_manual(*, course: Course, text: str, answer: str, wrong: list[str]) -> Question:
    """A manager's own question; its key comes from the text, so adding the same question twice keeps one."""
    key = "manual-" + hashlib.sha1(text.encode()).hexdigest()[:12]
    return question_add(course=course, key=key, text=text, answer=answer, wrong=wrong)


def question_add(*, course: Course, key: str, text: str, answer: str, wrong: list[str]) -> Question:
    """Add (or keep) a single-choice question; the right answer is placed at a stable random position."""
    if not wrong:
        raise StaffingInputError(_("题目“%(t)s”至少需要一个错误选项") % {"t": text[:30]})
    choices = list(wrong) + [answer]
    _stable_rng(f"{course.code}:{key}").shuffle(choices)
    question, _created = Question.objects.get_or_create(
        course=course, key=key, defaults={"text": text, "choices": choices, "answer": choices.index(answer)}
    )
    return question


@transaction.atomic
def exam_create_for_shop(
    *, shop: Shop, question_count: int = 10, pass_mark: int = 80, time_limit_minutes: int = 20,
    max_attempts: int = 3, certification_days: int = 180,
) -> Exam:
    """The shop's certification exam: the platform's rules plus the shop's knowledge."""
    platform_course = course_generate_platform(platform=shop.platform)
    shop_course = course_generate_shop(shop=shop)
    exam, _created = Exam.objects.get_or_create(
        code=f"cert-{shop.code}",
        defaults={"title": _("%(s)s 上岗考核") % {"s": shop.name}, "shop": shop, "question_count": question_count,
                  "pass_mark": pass_mark, "time_limit_minutes": time_limit_minutes, "max_attempts": max_attempts,
                  "certification_days": certification_days},
    )
    exam.courses.add(platform_course, shop_course)
    return exam


# --- exams and certification ------------------------------------------------------------------------------


class ExamNotAllowed(Exception):
    """The agent may not start this exam now (message says why)."""


@transaction.atomic
def exam_start(*, exam: Exam, agent: User, now: datetime | None = None, seed: int | None = None) -> ExamAttempt:
    """Draw a random subset of the pool for the agent. An unfinished attempt still in time is resumed."""
    now = now or timezone.now()
    if agent.role != Role.AGENT:
        raise ExamNotAllowed(_("只有客服可以参加考试"))
    if not exam.active:
        raise ExamNotAllowed(_("该考试已停用"))
    open_attempt = (
        ExamAttempt.objects.select_for_update()
        .filter(exam=exam, agent=agent, submitted_at__isnull=True, deadline__gt=now)
        .first()
    )
    if open_attempt:
        return open_attempt
    # an unfinished attempt past its deadline counts as a failed one
    for stale in ExamAttempt.objects.filter(exam=exam, agent=agent, submitted_at__isnull=True):
        _grade(stale, {}, now=now)
    used = ExamAttempt.objects.filter(exam=exam, agent=agent).count()
    if used >= exam.max_attempts:
        raise ExamNotAllowed(_("已用完 %(n)s 次考试机会") % {"n": exam.max_attempts})
    pool = list(Question.objects.filter(course__in=exam.courses.all()).values_list("pk", flat=True))
    if not pool:
        raise ExamNotAllowed(_("题库为空"))
    rng = random.Random(seed)
    drawn = rng.sample(pool, min(exam.question_count, len(pool)))
    return ExamAttempt.objects.create(
        exam=exam, agent=agent, started_at=now, deadline=now + timedelta(minutes=exam.time_limit_minutes),
        question_ids=drawn,
    )


def _grade(attempt: ExamAttempt, answers: Mapping[int, int], *, now: datetime) -> ExamAttempt:
    right = dict(Question.objects.filter(pk__in=attempt.question_ids).values_list("pk", "answer"))
    result = grade(
        question_ids=attempt.question_ids, right=right, answers=answers, pass_mark=attempt.exam.pass_mark,
        submitted_at=now, deadline=attempt.deadline,
    )
    attempt.answers = result.answers
    attempt.score = result.score
    attempt.submitted_at = now
    attempt.late = result.late
    attempt.passed = result.passed
    if attempt.passed and (shop := attempt.exam.shop) is not None:
        attempt.certification = certification_grant(
            agent=attempt.agent, shop=shop, days=attempt.exam.certification_days, now=now
        )
    attempt.save()
    return attempt


@transaction.atomic
def exam_submit(*, attempt: ExamAttempt, answers: Mapping[int, int], now: datetime | None = None) -> ExamAttempt:
    """Grade once. Past the time limit the attempt is recorded as failed (超时). Passing a shop exam certifies
    the agent for the shop for the exam's validity."""
    attempt = ExamAttempt.objects.select_for_update().select_related("exam", "agent").get(pk=attempt.pk)
    if attempt.submitted_at is not None:
        raise ExamNotAllowed(_("本次考试已交卷"))
    result = _grade(attempt, answers, now=now or timezone.now())
    audit_record(actor=attempt.agent, verb="exam.submit", target=attempt,
                 data={"score": result.score, "passed": result.passed, "late": result.late})
    return result


class ExamUnanswered(ExamNotAllowed):
    """Submitted in time with questions left unanswered: nothing is graded; the page asks for the rest."""

    def __init__(self, message: str, *, missing: list[int], answers: dict[int, int]) -> None:
        super().__init__(message)
        self.missing, self.answers = missing, answers


def exam_submit_form(*, attempt: ExamAttempt, data: Mapping[str, str], now: datetime | None = None) -> ExamAttempt:
    """Grade an attempt from the exam page's form (`q<question id>` → choice index); answers that name no
    question of the attempt or no choice of the question are ignored. Within the time limit every question
    must be answered (`ExamUnanswered` names the missing ones by their number on the page); past it, the
    attempt is graded as it stands."""
    choices = {q.pk: len(q.choices) for q in Question.objects.filter(pk__in=attempt.question_ids)}
    answers = answers_from_form(data, choices)
    now = now or timezone.now()
    missing = [number for number, qid in enumerate(attempt.question_ids, start=1) if qid not in answers]
    if missing and attempt.submitted_at is None and now <= attempt.deadline:
        raise ExamUnanswered(
            _("还有 %(count)s 题未作答（第 %(numbers)s 题），请答完再交卷。") % {
                "count": len(missing), "numbers": _("、").join(str(n) for n in missing)},
            missing=missing, answers=answers,
        )
    return exam_submit(attempt=attempt, answers=answers, now=now)


@transaction.atomic
def certification_grant(*, agent: User, shop: Shop, days: int, now: datetime | None = None,
                        by: User | None = None) -> Certification:
    now = now or timezone.now()
    # A new certificate never ends before one the agent already holds for the shop (passing an exam again, or
    # a shorter exam, must not shorten a longer certification).
    held = (
        Certification.objects.filter(agent=agent, shop=shop, expires_at__gt=now)
        .order_by("-expires_at").values_list("expires_at", flat=True).first()
    )
    expires_at = max(now + timedelta(days=days), held) if held else now + timedelta(days=days)
    cert = Certification.objects.create(agent=agent, shop=shop, granted_at=now, expires_at=expires_at)
    audit_record(actor=by or agent, verb="certification.grant", target=cert, merchant_id=shop.merchant_id)
    return cert


@transaction.atomic
def shop_assignment_ensure(*, agent: User, shop: Shop, since: date) -> ShopAssignment:
    assignment, _created = ShopAssignment.objects.get_or_create(agent=agent, shop=shop, since=since)
    return assignment


