"""Leave pages: an agent's leave (request, cancel, balances) and roster preferences; the managers' queue
with the coverage gap each request opens, approval and entitlements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import AGENTS, MANAGERS, has_role, roles_required
from staffing.leave.forms import BalanceForm, LeaveRequestForm, PreferenceForm
from staffing.leave.selectors import balances, leave_coverage_gap, leaves_visible_to, pending_requests
from staffing.leave.services import leave_balance_set, leave_cancel, leave_decide, leave_request, preference_set
from staffing.rosters.models import AgentPreference, Leave


def _errors(request: AuthenticatedHttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def my_leave(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not has_role(request.user, AGENTS):
        return redirect("staffing:leave-queue")
    preference = AgentPreference.objects.filter(agent=request.user).first()
    initial = {"prefer_shifts": preference.prefer_shifts, "avoid_shifts": preference.avoid_shifts,
               "unwanted_weekdays": preference.unwanted_weekdays,
               "preferred_weekdays": preference.preferred_weekdays} if preference else {}
    today = timezone.localdate()
    return render(request, "staffing/leave/my_leave.html", {
        "form": LeaveRequestForm(initial={"first_day": today, "last_day": today}),
        "preference_form": PreferenceForm(initial=initial),
        "leaves": leaves_visible_to(user=request.user).filter(agent=request.user)[:50],
        "balances": balances(agent=request.user, year=today.year), "year": today.year,
    })


@require_POST
@roles_required(AGENTS)
def leave_request_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LeaveRequestForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else field
            messages.error(request, f"{label}: {' '.join(str(e) for e in errors)}")
        return redirect("staffing:my-leave")
    data = form.cleaned_data
    try:
        leave_request(agent=request.user, kind=data["kind"], first_day=data["first_day"], last_day=data["last_day"],
                      reason=data["reason"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("请假申请已提交，等待经理审批。"))
    return redirect("staffing:my-leave")


@require_POST
@roles_required(AGENTS)
def leave_cancel_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    leave = get_visible_or_404(leaves_visible_to(user=request.user), pk=pk)
    try:
        leave_cancel(leave=leave, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("已撤回请假申请。"))
    return redirect("staffing:my-leave")


@require_POST
@roles_required(AGENTS)
def preference_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferenceForm(request.POST)
    if form.is_valid():
        try:
            preference_set(agent=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, gettext("排班偏好已保存，下次求解时会尽量照顾。"))
    else:
        messages.error(request, gettext("偏好填写有误。"))
    return redirect("staffing:my-leave")


@roles_required(MANAGERS)
def leave_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    pending = [(leave, leave_coverage_gap(leave=leave)) for leave in pending_requests(user=request.user)[:20]]
    decided = leaves_visible_to(user=request.user).exclude(status=Leave.Status.REQUESTED).order_by("-decided_at", "-pk")[:30]
    return render(request, "staffing/leave/queue.html", {
        "pending": pending, "decided": decided, "balance_form": BalanceForm(),
    })


@require_POST
@roles_required(MANAGERS)
def leave_decide_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    leave = get_visible_or_404(leaves_visible_to(user=request.user), pk=pk)
    approve = request.POST.get("decision") == "approve"
    try:
        _leave, removed = leave_decide(leave=leave, by=request.user, approve=approve)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if approve and removed:
            messages.success(request, gettext("已批准请假；这名客服那几天的 %(n)s 个班次已取消，请重新求解排班表补位。") % {"n": removed})
        else:
            messages.success(request, gettext("已批准请假。") if approve else gettext("已拒绝请假。"))
    return redirect("staffing:leave-queue")


@require_POST
@roles_required(MANAGERS)
def leave_balance_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BalanceForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("额度填写有误。"))
        return redirect("staffing:leave-queue")
    data = form.cleaned_data
    try:
        leave_balance_set(agent=data["agent"], kind=data["kind"], year=data["year"], days=data["days"], by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, gettext("假期额度已保存。"))
    return redirect("staffing:leave-queue")


