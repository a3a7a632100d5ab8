"""Reads for training: shop assignments, valid certifications, the courses, exams and attempts a user may
see, and an agent's training to do."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from agency.access import assigned_shops_q, is_staff_viewer, scope_by_agent
from agency.models import Role, User
from clients.models import Shop
from staffing.training.models import Certification, Course, Exam, ExamAttempt, Question, ShopAssignment


def certifications_valid(*, on: datetime | None = None) -> QuerySet[Certification]:
    on = on or timezone.now()
    return Certification.objects.filter(revoked=False, granted_at__lte=on, expires_at__gt=on)


def certified_agent_ids(*, shop: Shop, on: datetime | None = None) -> set[int]:
    return set(certifications_valid(on=on).filter(shop=shop).values_list("agent_id", flat=True))


def assignments_active(*, on: date | None = None) -> QuerySet[ShopAssignment]:
    on = on or timezone.localdate()
    return ShopAssignment.objects.filter(since__lte=on).filter(Q(until__isnull=True) | Q(until__gte=on))


def assigned_shops(*, user: User) -> QuerySet[Shop]:
    """The shops an agent is assigned to serve today (the shared rule of `agency.access`)."""
    return Shop.objects.filter(assigned_shops_q(user=user, shop_path=""))


def courses_visible_to(*, user: User) -> QuerySet[Course]:
    """Staff see every course; an agent sees platform courses and the courses of shops assigned to them."""
    qs = Course.objects.select_related("shop").order_by("kind", "code")
    if is_staff_viewer(user):
        return qs
    if user.is_authenticated and user.role == Role.AGENT:
        mine = assigned_shops(user=user)
        return qs.filter(
            Q(shop__isnull=True, platform__in=mine.values("platform")) | Q(shop_id__in=mine.values("pk"))
        )
    return qs.none()


def exams_visible_to(*, user: User) -> QuerySet[Exam]:
    qs = Exam.objects.select_related("shop").prefetch_related("courses").order_by("code")
    if is_staff_viewer(user):
        return qs
    if user.is_authenticated and user.role == Role.AGENT:
        shop_ids = assigned_shops(user=user).values("pk")
        return qs.filter(active=True).filter(Q(shop__isnull=True) | Q(shop_id__in=shop_ids))
    return qs.none()


def exam_results(*, user: User) -> QuerySet[Exam]:
    """The exams a user may see, each with its submitted attempts, passes and average score."""
    return exams_visible_to(user=user).annotate(
        attempt_count=Count("attempts", filter=Q(attempts__submitted_at__isnull=False)),
        pass_count=Count("attempts", filter=Q(attempts__passed=True)),
        avg_score=Avg("attempts__score"),
    )


def attempts_visible_to(*, user: User) -> QuerySet[ExamAttempt]:
    """An agent's own attempts; staff see all; merchants none (attempts are the agency's business)."""
    return scope_by_agent(
        ExamAttempt.objects.select_related("exam", "exam__shop", "agent").order_by("-started_at"), user=user
    )


@dataclass
class TrainingItem:
    shop: Shop
    exam: Exam | None
    certification: Certification | None
    status: str  # "due", "expiring", "certified", "no_exam"
    attempts_used: int = 0


def my_training(*, agent: User, expiring_within_days: int = 30) -> list[TrainingItem]:
    """Per shop the agent is assigned to: the exam to take and whether it is due (no valid certificate, or
    one expiring soon)."""
    now = timezone.now()
    shops = list(assigned_shops(user=agent).distinct())
    certs: dict[int, Certification] = {}
    for c in certifications_valid(on=now).filter(agent=agent).order_by("expires_at"):
        certs[c.shop_id] = c  # the one lasting longest wins
    exams: dict[int | None, Exam] = {}  # by shop id; only shop exams, so never None
    for e in Exam.objects.filter(active=True, shop__in=shops).order_by("code"):
        exams.setdefault(e.shop_id, e)
    used: dict[int, int] = defaultdict(int)
    for exam_id in ExamAttempt.objects.filter(agent=agent, exam__in=exams.values()).values_list("exam_id", flat=True):
        used[exam_id] += 1
    items = []
    for shop in sorted({s.pk: s for s in shops}.values(), key=lambda s: s.code):
        cert = certs.get(shop.pk)
        exam = exams.get(shop.pk)
        if cert and cert.expires_at > now + timedelta(days=expiring_within_days):
            status = "certified"
        elif cert:
            status = "expiring"
        else:
            status = "due" if exam else "no_exam"
        items.append(TrainingItem(shop, exam, cert, status, used[exam.pk] if exam else 0))
    return items


def attempt_questions(*, attempt: ExamAttempt) -> list[Question]:
    """The questions drawn for an attempt, in the order they were drawn."""
    by_id = Question.objects.in_bulk(attempt.question_ids)
    return [by_id[q] for q in attempt.question_ids if q in by_id]


def attempt_review(*, attempt: ExamAttempt, questions: list[Question]) -> list[dict]:
    """Per question: the answer given and whether it was right (for the result page)."""
    rows = []
    for q in questions:
        given = attempt.answers.get(str(q.pk))
        rows.append({"q": q, "given": given, "right": given == q.answer})
    return rows


def exam_pool_size(*, exam: Exam) -> int:
    """How many questions the exam draws from."""
    return Question.objects.filter(course__in=exam.courses.all()).count()
