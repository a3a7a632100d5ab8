"""Pages of auto-QA and manual QA. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency import charts
from agency.access import get_visible_or_404
from agency.forms import form_errors_text
from agency.http import AuthenticatedHttpRequest
from agency.permissions import (
    AGENCY,
    AGENTS,
    MANAGERS,
    MERCHANTS,
    STAFF,
    has_role,
    require_staff_or_team_lead,
    roles_required,
)
from compliance.quality.qa import selectors as sel
from compliance.quality.qa import services as svc
from compliance.quality.qa.forms import (
    AutoQACheckForm,
    CalibrationForm,
    DisputeForm,
    ResolveForm,
    ReviewForm,
    SamplingPlanForm,
    SamplingRunForm,
    ScorecardForm,
)
from compliance.quality.qa.models import (
    AutoQACheck,
    AutoQADeduction,
    ReviewAssignment,
    SamplingPlan,
    Scorecard,
)
from compliance.sessions.services.retention import buyer_data_view_audit


def _errors(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{m}" for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _by_message(deductions) -> dict:
    grouped: dict = {}
    for d in deductions:
        grouped.setdefault(d.message_id, []).append(d)
    return grouped


# ------------------------------------------------------------------------------------------ auto-QA


@roles_required(STAFF)
def autoqa_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    checks = sel.autoqa_checks_effective()
    forms_ = [
        (c, AutoQACheckForm(key=c.key, prefix=c.key, initial=AutoQACheckForm.initial_for(
            key=c.key, enabled=c.enabled, points=c.points, max_occurrences=c.max_occurrences, params=c.params,
        )))
        for c in checks
    ]
    low = sel.low_autoqa_results(user=request.user, limit=30)
    context = {"check_forms": forms_, "low": low, "versions": sel.autoqa_versions()}
    return render(request, "quality/autoqa_overview.html", context)


@require_POST
@roles_required(MANAGERS)
def autoqa_check_edit(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    try:
        check = svc.autoqa_check_ensure(key=key)
    except AutoQACheck.DoesNotExist:
        raise Http404 from None
    form = AutoQACheckForm(request.POST, prefix=key, key=check.key)
    if form.is_valid():
        try:
            svc.autoqa_check_update(
                check=check, by=request.user, enabled=form.cleaned_data["enabled"], points=form.cleaned_data["points"],
                max_occurrences=form.cleaned_data["max_occurrences"], params=form.params(),
            )
            messages.success(request, _("已保存「%(check)s」。新的配置会在下次评分时生效。") % {"check": check})
        except ValidationError as exc:
            messages.error(request, "；".join(_errors(exc)))
    else:
        messages.error(request, form_errors_text(form))
    return redirect("quality:autoqa")


@require_POST
@roles_required(MANAGERS)
def autoqa_rescore(request: AuthenticatedHttpRequest) -> HttpResponse:
    job = svc.autoqa_rescore_start(by=request.user, rescore_all=request.POST.get("all") == "1")
    return redirect("job-detail", job.pk)


@login_required
def session_qa(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One session: transcript with hits highlighted, auto-QA deductions next to their messages, reviews."""
    session = get_visible_or_404(sel.qa_sessions_visible_to(user=request.user), pk=pk)
    transcript = sel.session_transcript(session=session)
    result = sel.autoqa_results_visible_to(user=request.user).filter(session=session).first()
    deductions = list(AutoQADeduction.objects.filter(result=result)) if result else []
    reviews = list(sel.reviews_visible_to(user=request.user).filter(session=session))
    mask = has_role(request.user, MERCHANTS)
    if not mask:
        buyer_data_view_audit(user=request.user, session=session, where="quality:session-qa")
    return render(request, "quality/session_qa.html", {
        "session": session, "transcript": transcript, "result": result, "deductions": deductions, "reviews": reviews,
        "deductions_by_message": _by_message(deductions),
        "mask": mask,
    })


# ------------------------------------------------------------------------------------------ scorecards

SPEC_EXAMPLE = """name: 通用服务质检
description: 适用于各平台售前售后会话
categories:
  - name: 服务态度
    weight: 40
    items:
      - label: 使用礼貌用语
        scale_max: 5
        weight: 1
      - label: 无辱骂、无不耐烦
        scale_max: 1
        critical: true
  - name: 专业能力
    weight: 60
    items:
      - label: 回答准确完整
        scale_max: 5
        weight: 2
"""


@roles_required(STAFF)
def scorecard_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "quality/scorecard_list.html", {"scorecards": sel.scorecards_current()})


@roles_required(STAFF)
def scorecard_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    scorecard = get_visible_or_404(Scorecard.objects.all(), pk=pk)
    scorecard = sel.scorecard_with_items(pk=scorecard.pk)
    versions = sel.scorecard_versions(key=scorecard.key)
    return render(request, "quality/scorecard_detail.html", {
        "scorecard": scorecard, "versions": versions, "used": svc.scorecard_is_used(scorecard),
    })


@roles_required(STAFF)
def scorecard_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    scorecard = get_visible_or_404(Scorecard.objects.all(), pk=pk) if pk else None
    if request.method == "POST":
        form = ScorecardForm(request.POST)
        if form.is_valid():
            try:
                spec = svc.scorecard_spec_from_yaml(form.cleaned_data["spec"])
                if scorecard is None:
                    key = form.cleaned_data["key"]
                    if not key:
                        raise ValidationError({"key": _("请填写标识（字母、数字、连字符）")})
                    result = svc.scorecard_create(key=key, spec=spec, by=request.user)
                    messages.success(request, _("评分表已创建。"))
                else:
                    result = svc.scorecard_update(scorecard=scorecard, spec=spec, by=request.user)
                    if result.pk != scorecard.pk:
                        messages.success(request, _("此版本已被使用，已保存为新版本 v%(v)s；旧评分保持不变。") % {"v": result.version})
                    else:
                        messages.success(request, _("评分表已保存。"))
                return redirect("quality:scorecard-detail", result.pk)
            except ValidationError as exc:
                _form_errors(form, exc)
    else:
        initial = {"spec": svc.scorecard_spec_yaml(scorecard) if scorecard else SPEC_EXAMPLE}
        form = ScorecardForm(initial=initial)
    used = bool(scorecard and svc.scorecard_is_used(scorecard))
    return render(request, "quality/scorecard_edit.html", {"form": form, "scorecard": scorecard, "used": used})


# ------------------------------------------------------------------------------------------ sampling


@roles_required(STAFF)
def sampling_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SamplingPlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = svc.sampling_plan_create(
                    name=data["name"], cadence=data["cadence"], scorecard=data["scorecard"], inspectors=data["inspectors"],
                    by=request.user, shops=data["shops"], agents=data["agents"], max_auto_score=data["max_auto_score"],
                    only_violations=data["only_violations"], random_share=data["random_share"], max_sessions=data["max_sessions"],
                )
                messages.success(request, _("抽检计划「%(name)s」已创建。") % {"name": plan.name})
                return redirect("quality:sampling")
            except ValidationError as exc:
                _form_errors(form, exc)
    else:
        form = SamplingPlanForm()
    plans = sel.sampling_plans()
    return render(request, "quality/sampling_list.html", {"form": form, "plans": plans, "run_form": SamplingRunForm()})


@require_POST
@roles_required(STAFF)
def sampling_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(SamplingPlan.objects.all(), pk=pk)
    form = SamplingRunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择抽检日期。"))
        return redirect("quality:sampling")
    run, created = svc.sampling_run(plan=plan, on=form.cleaned_data["on"], by=request.user)
    if created:
        messages.success(
            request,
            _("已从 %(pool)s 个候选会话中抽取 %(n)s 个，分配给质检员。") % {"pool": run.pool_size, "n": run.assigned},
        )
    else:
        messages.warning(request, _("这一期（%(start)s 起）已经抽过了，没有重复分配。") % {"start": run.period_start})
    return redirect("quality:queue")


# ------------------------------------------------------------------------------------------ reviewing


@roles_required(STAFF)
def queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = sel.assignments_for(user=request.user)[:200]
    done = sel.assignments_for(user=request.user, status=ReviewAssignment.Status.DONE).select_related("review")[:50]
    return render(request, "quality/queue.html", {"pending": pending, "done": done})


@roles_required(STAFF)
def review_assignment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The review page: the transcript with hits on one side, the scorecard form on the other."""
    assignment = get_visible_or_404(sel.assignments_for(user=request.user, status=None), pk=pk)
    if assignment.status == ReviewAssignment.Status.DONE and hasattr(assignment, "review"):
        return redirect("quality:review-detail", assignment.review.pk)
    scorecard = sel.scorecard_with_items(pk=assignment.scorecard_id)
    items = [item for category in scorecard.categories.all() for item in category.items.all()]
    form = ReviewForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            review = svc.review_submit(
                assignment=assignment, by=request.user, scores=form.scores(), notes=form.notes(),
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("评分已提交：%(score)s 分。") % {"score": review.score})
            following = sel.assignments_for(user=request.user).first()
            if following is not None:
                return redirect("quality:review", following.pk)
            return redirect("quality:queue")
        except ValidationError as exc:
            _form_errors(form, exc)
    session = assignment.session
    result = getattr(session, "autoqa", None)
    deductions = list(AutoQADeduction.objects.filter(result=result)) if result else []
    return render(request, "quality/review_form.html", {
        "assignment": assignment, "scorecard": scorecard, "form": form, "session": session,
        "transcript": sel.session_transcript(session=session), "result": result, "deductions": deductions,
        "deductions_by_message": _by_message(deductions),
    })


@login_required
def review_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    reviews = sel.reviews_visible_to(user=request.user)
    shop = request.GET.get("shop")
    if shop:
        reviews = reviews.filter(shop__code=shop)
    return render(request, "quality/review_list.html", {"reviews": reviews[:200]})


@login_required
def review_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A review with its item scores; the reviewed agent disputes it here, a manager or team lead resolves
    the dispute (the posted `action` says which)."""
    review = get_visible_or_404(sel.reviews_visible_to(user=request.user, include_calibration=True), pk=pk)
    dispute = getattr(review, "dispute", None)
    dispute_form: DisputeForm | None = None
    resolve_form: ResolveForm | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        form: DisputeForm | ResolveForm | None = None
        if action == "dispute":
            form = dispute_form = DisputeForm(request.POST)
        elif action == "resolve" and dispute is not None:
            form = resolve_form = ResolveForm(request.POST)
        if form is not None and form.is_valid():
            try:
                done = svc.review_act(review=review, by=request.user, action=action, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("quality:review-detail", review.pk)
    can_resolve = dispute is not None and dispute.status == dispute.Status.OPEN and svc.can_resolve(dispute=dispute, user=request.user)
    return render(request, "quality/review_detail.html", {
        "review": review, "scores": sel.review_scores(review=review), "dispute": dispute,
        "dispute_form": (dispute_form or DisputeForm()) if svc.can_dispute(review=review, user=request.user) else None,
        "resolve_form": (resolve_form or ResolveForm()) if can_resolve else None,
    })


@roles_required(AGENCY)
def dispute_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Disputes to act on: staff see all, a team lead their team's; other agents and merchants are refused."""
    require_staff_or_team_lead(request.user)
    disputes = sel.disputes_visible_to(user=request.user)
    status = request.GET.get("status", "open")
    if status in {"open", "accepted", "rejected"}:
        disputes = disputes.filter(status=status)
    return render(request, "quality/dispute_list.html", {"disputes": disputes[:200], "status": status})


# ------------------------------------------------------------------------------------------ calibration


@roles_required(STAFF)
def calibration_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    recent = sel.qa_sessions_visible_to(user=request.user).order_by("-started_at")
    if request.method == "POST":
        form = CalibrationForm(request.POST, sessions=recent)
        if form.is_valid():
            data = form.cleaned_data
            try:
                round_ = svc.calibration_create(
                    title=data["title"], scorecard=data["scorecard"], sessions=list(data["sessions"]),
                    inspectors=list(data["inspectors"]), by=request.user,
                )
                messages.success(request, _("校准已发起，每位质检员都会在任务列表里看到这些会话。"))
                return redirect("quality:calibration-detail", round_.pk)
            except ValidationError as exc:
                _form_errors(form, exc)
    else:
        form = CalibrationForm(sessions=recent)
    return render(request, "quality/calibration_list.html", {
        "rounds": sel.calibration_rounds(), "form": form, "recent": recent[:30],
    })


@roles_required(STAFF)
def calibration_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = get_visible_or_404(sel.calibration_rounds(), pk=pk)
    return render(request, "quality/calibration_detail.html", {"round": round_, **sel.calibration_report(round_=round_)})


# ------------------------------------------------------------------------------------------ scores, agent


@roles_required(STAFF)
def quality_scores(request: AuthenticatedHttpRequest) -> HttpResponse:
    by = request.GET.get("by", "agent")
    if by not in sel.GROUPS:
        by = "agent"
    end = timezone.localdate()
    try:
        days = max(1, min(366, int(request.GET.get("days", 30))))
    except ValueError:
        days = 30
    start = end - timedelta(days=days - 1)
    rows = sel.quality_scores(user=request.user, by=by, start=start, end=end)
    return render(request, "quality/scores.html", {"rows": rows, "by": by, "days": days, "start": start, "end": end})


@roles_required(AGENTS)
def my_quality(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The agent's own reviews, auto-QA deductions and disputes, nobody else's; the two long lists paged and
    filtered by shop (and the deductions by check); the last 30 days as a chart."""
    user = request.user
    shop = request.GET.get("shop", "")
    check = request.GET.get("check", "")
    if check not in AutoQACheck.Key.values:
        check = ""
    lists = sel.my_quality_lists(user=user, shop=shop, check=check)
    disputes = sel.disputes_visible_to(user=user).filter(agent=user)[:50]
    end = timezone.localdate()
    start = end - timedelta(days=29)
    by_day = {row["day"]: row for row in sel.agent_daily_scores(agent=user, start=start, end=end)}
    days = [start + timedelta(days=n) for n in range(30)]
    trend_chart = charts.chart(
        title=_("最近 30 天"),
        labels=[f"{day:%m-%d}" for day in days],
        series_list=[
            charts.series(_("自动质检分"), [by_day.get(day, {}).get("auto") for day in days]),
            charts.series(_("人工质检得分"), [by_day.get(day, {}).get("qa") for day in days]),
        ],
        axes=[charts.axis(bottom=0, top=100)],
    )
    return render(request, "quality/my_quality.html", {
        "summary": sel.agent_summary(agent=user),
        "reviews": Paginator(lists["reviews"], 20).get_page(request.GET.get("rpage")),
        "deductions": Paginator(lists["deductions"], 25).get_page(request.GET.get("dpage")),
        "disputes": disputes, "shops": lists["shops"], "shop": shop, "check": check,
        "checks": AutoQACheck.Key.choices,
        "trend_chart": trend_chart, "has_trend": bool(by_day),
    })
