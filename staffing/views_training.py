"""Training pages: "my training" for agents, courses, exams (taken in the browser), results for managers."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from clients.merchants.selectors import shops_visible_to
from staffing.forms import ExamCreateForm, QuestionForm
from staffing.models import Course, Question
from staffing.selectors import attempts_visible_to, courses_visible_to, exams_visible_to, my_training
from staffing.services import (
    ExamNotAllowed,
    StaffingInputError,
    course_generate_platform,
    exam_create_for_shop,
    exam_start,
    exam_submit,
    question_add,
)


def _not_merchant(request: HttpRequest) -> None:
    if request.user.role == "merchant" and not request.user.is_superuser:
        raise PermissionDenied


@login_required
def training_home(request: HttpRequest) -> HttpResponse:
    _not_merchant(request)
    context: dict = {"courses": courses_visible_to(user=request.user)}
    shops = shops_visible_to(user=request.user).order_by("code")
    form = ExamCreateForm(shops=shops)
    if request.method == "POST":
        if not request.user.is_manager:
            raise PermissionDenied
        form = ExamCreateForm(request.POST, shops=shops)
        if form.is_valid():
            data = dict(form.cleaned_data)
            exam = exam_create_for_shop(**data)
            messages.success(request, _("已创建考试：%(t)s") % {"t": exam.title})
            return redirect("staffing:exam-detail", code=exam.code)
    context["exam_form"] = form
    if request.user.role == "agent":
        context["items"] = my_training(agent=request.user)
        context["attempts"] = attempts_visible_to(user=request.user)[:20]
    else:
        context["exams"] = exams_visible_to(user=request.user).annotate(
            attempt_count=Count("attempts", filter=Q(attempts__submitted_at__isnull=False)),
            pass_count=Count("attempts", filter=Q(attempts__passed=True)),
            avg_score=Avg("attempts__score"),
        )
    return render(request, "staffing/training_home.html", context)


@login_required
def course_detail(request: HttpRequest, code: str) -> HttpResponse:
    _not_merchant(request)
    course = get_visible_or_404(courses_visible_to(user=request.user), code=code)
    show_answers = request.user.role in ("manager", "inspector") or request.user.is_superuser
    form = QuestionForm()
    if request.method == "POST":
        if not request.user.is_manager:
            raise PermissionDenied
        if "regenerate" in request.POST and course.kind == Course.Kind.PLATFORM:
            course_generate_platform(platform=course.platform)
            messages.success(request, _("已按规则库更新题目"))
            return redirect("staffing:course-detail", code=course.code)
        form = QuestionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            key = "manual-" + hashlib.sha1(data["text"].encode()).hexdigest()[:12]
            try:
                question_add(course=course, key=key, text=data["text"], answer=data["answer"], wrong=data["wrong"])
            except StaffingInputError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已添加题目"))
                return redirect("staffing:course-detail", code=course.code)
    questions = course.questions.all() if show_answers else None
    return render(
        request, "staffing/course_detail.html", {"course": course, "questions": questions, "form": form}
    )


@login_required
def exam_detail(request: HttpRequest, code: str) -> HttpResponse:
    _not_merchant(request)
    exam = get_visible_or_404(exams_visible_to(user=request.user), code=code)
    attempts = attempts_visible_to(user=request.user).filter(exam=exam)
    pool = Question.objects.filter(course__in=exam.courses.all()).count()
    return render(request, "staffing/exam_detail.html", {"exam": exam, "attempts": attempts, "pool": pool})


@login_required
@require_POST
def exam_begin(request: HttpRequest, code: str) -> HttpResponse:
    exam = get_visible_or_404(exams_visible_to(user=request.user), code=code)
    try:
        attempt = exam_start(exam=exam, agent=request.user)
    except ExamNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("staffing:exam-detail", code=exam.code)
    return redirect("staffing:attempt-detail", pk=attempt.pk)


@login_required
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_visible_or_404(attempts_visible_to(user=request.user), pk=pk)
    questions_by_id = Question.objects.in_bulk(attempt.question_ids)
    questions = [questions_by_id[q] for q in attempt.question_ids if q in questions_by_id]
    if request.method == "POST":
        if attempt.agent_id != request.user.pk:
            raise PermissionDenied
        answers = {}
        for q in questions:
            raw = request.POST.get(f"q{q.pk}")
            if raw is not None and raw.isdigit() and int(raw) < len(q.choices):
                answers[q.pk] = int(raw)
        try:
            attempt = exam_submit(attempt=attempt, answers=answers)
        except ExamNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            if attempt.passed:
                messages.success(request, _("恭喜，考试通过！"))
            else:
                messages.warning(request, _("未通过本次考试。"))
        return redirect("staffing:attempt-detail", pk=attempt.pk)
    rows = []
    for q in questions:
        given = attempt.answers.get(str(q.pk))
        rows.append({"q": q, "given": given, "right": given == q.answer})
    open_attempt = attempt.submitted_at is None and attempt.agent_id == request.user.pk
    seconds_left = max(0, int((attempt.deadline - timezone.now()).total_seconds())) if open_attempt else 0
    return render(
        request, "staffing/attempt_detail.html",
        {"attempt": attempt, "rows": rows, "open": open_attempt, "seconds_left": seconds_left},
    )


