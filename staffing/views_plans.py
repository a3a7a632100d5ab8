"""Seasonal plan pages: required seats per shop and day of a promotion against certified capacity."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from agency.access import get_visible_or_404
from clients.merchants.selectors import shops_visible_to
from staffing.forms import PlanForm
from staffing.selectors import plan_detail, plans_visible_to
from staffing.services import StaffingInputError, seasonal_plan_create


def _staff(request: HttpRequest) -> None:
    if not (request.user.is_manager or request.user.role == "inspector"):
        raise PermissionDenied


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    _staff(request)
    shops = shops_visible_to(user=request.user)
    form = PlanForm(shops=shops)
    if request.method == "POST":
        if not request.user.is_manager:
            raise PermissionDenied
        form = PlanForm(request.POST, shops=shops)
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = seasonal_plan_create(
                    promotion=data["promotion"], shops=data["shops"], title=data["title"], by=request.user,
                    expected_orders={s.pk: data["expected_orders"] for s in data["shops"]},
                    refund_rate=data["refund_rate"], refunds_per_agent=data["refunds_per_agent"],
                )
            except StaffingInputError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, str(plan))
                return redirect("staffing:plan-detail", pk=plan.pk)
    plans = plans_visible_to(user=request.user)
    return render(request, "staffing/plan_list.html", {"plans": plans, "form": form})


@login_required
def plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    plan = get_visible_or_404(plans_visible_to(user=request.user), pk=pk)
    lines = plan_detail(plan=plan)
    return render(request, "staffing/plan_detail.html", {"plan": plan, "lines": lines})
