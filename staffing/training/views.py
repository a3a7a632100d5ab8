"""Training pages: "my training" for agents, courses, exams (taken in the browser), results for managers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import AGENCY, AGENTS, MANAGERS, STAFF, has_role, require_role, roles_required
from clients.merchants.selectors import shops_visible_to
from staffing.errors import StaffingInputError
from staffing.training.forms import ExamCreateForm, QuestionForm
from staffing.training.models import Course
from staffing.training.selectors import (
    attempt_questions,
    attempt_review,
    attempts_visible_to,
    courses_visible_to,
    exam_pool_size,
    exam_results,
    exams_visible_to,
    my_training,
)
from staffing.training.services import (
    ExamNotAllowed,
    ExamUnanswered,
    course_generate_platform,
    exam_create_for_shop,
    exam_start,
    exam_submit_form,
    question_add_manual,
)


@roles_required(AGENCY)
def training_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context: dict = {"courses": courses_visible_to(user=request.user)}
    shops = shops_visible_to(user=request.user).order_by("code")
    form = ExamCreateForm(shops=shops)
    if request.method == "POST":
        require_role(request.user, MANAGERS)
        form = ExamCreateForm(request.POST, shops=shops)
        if form.is_valid():
            data = dict(form.cleaned_data)
            exam = exam_create_for_shop(**data)
            messages.success(request, _("已创建考试：%(t)s") % {"t": exam.title})
            return redirect("staffing:exam-detail", code=exam.code)
    context["exam_form"] = form
    if has_role(request.user, AGENTS):
        context["items"] = my_training(agent=request.user)
        context["attempts"] = attempts_visible_to(user=request.user)[:20]
    else:
        context["exams"] = exam_results(user=request.user)
    return render(request, "staffing/training_home.html", context)


@roles_required(AGENCY)
def course_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    course = get_visible_or_404(courses_visible_to(user=request.user), code=code)
    show_answers = has_role(request.user, STAFF)
    form = QuestionForm()
    if request.method == "POST":
        require_role(request.user, MANAGERS)
        if "regenerate" in request.POST and course.kind == Course.Kind.PLATFORM:
            course_generate_platform(platform=course.platform)
            messages.success(request, _("已按规则库更新题目"))
            return redirect("staffing:course-detail", code=course.code)
        form = QuestionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                question_add_manual(course=course, text=data["text"], answer=data["answer"], wrong=data["wrong"])
            except StaffingInputError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("已添加题目"))
                return redirect("staffing:course-detail", code=course.code)
    questions = course.questions.all() if show_answers else None
    return render(
        request, "staffing/course_detail.html", {"course": course, "questions": questions, "form": form}
    )


@roles_required(AGENCY)
def exam_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    exam = get_visible_or_404(exams_visible_to(user=request.user), code=code)
    attempts = attempts_visible_to(user=request.user).filter(exam=exam)
    pool = exam_pool_size(exam=exam)
    return render(request, "staffing/exam_detail.html", {"exam": exam, "attempts": attempts, "pool": pool})


@login_required
@require_POST
def exam_begin(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    exam = get_visible_or_404(exams_visible_to(user=request.user), code=code)
    try:
        attempt = exam_start(exam=exam, agent=request.user)
    except ExamNotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("staffing:exam-detail", code=exam.code)
    return redirect("staffing:attempt-detail", pk=attempt.pk)


@login_required
def attempt_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attempt = get_visible_or_404(attempts_visible_to(user=request.user), pk=pk)
    if request.method == "POST":
        if attempt.agent_id != request.user.pk:
            raise PermissionDenied
        try:
            attempt = exam_submit_form(attempt=attempt, data=request.POST)
        except ExamUnanswered as exc:
            messages.error(request, str(exc))
            return _attempt_page(request, attempt, chosen=exc.answers, missing=set(exc.missing))
        except ExamNotAllowed as exc:
            messages.error(request, str(exc))
        else:
            if attempt.passed:
                messages.success(request, _("恭喜，考试通过！"))
            else:
                messages.warning(request, _("未通过本次考试。"))
        return redirect("staffing:attempt-detail", pk=attempt.pk)
    return _attempt_page(request, attempt)


def _attempt_page(request: AuthenticatedHttpRequest, attempt, *, chosen: dict[int, int] | None = None,
                  missing: set[int] | None = None) -> HttpResponse:
    """The exam page; after a refused submission, the answers already chosen stay chosen and the questions
    still unanswered are marked."""
    rows = attempt_review(attempt=attempt, questions=attempt_questions(attempt=attempt))
    for number, row in enumerate(rows, start=1):
        row["chosen"] = (chosen or {}).get(row["q"].pk)
        row["missing"] = number in (missing or set())
    open_attempt = attempt.submitted_at is None and attempt.agent_id == request.user.pk
    seconds_left = max(0, int((attempt.deadline - timezone.now()).total_seconds())) if open_attempt else 0
    return render(
        request, "staffing/attempt_detail.html",
        {"attempt": attempt, "rows": rows, "open": open_attempt, "seconds_left": seconds_left},
    )
