"""Adherence pages: today's floor (refreshed by htmx), the month per shop and team, an agent's month and a
shop's month. Who sees what is decided by the selectors."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404, is_staff_viewer
from agency.http import AuthenticatedHttpRequest
from agency.permissions import AGENTS, MANAGERS, has_role, roles_required
from compliance.adherence.selectors import (
    agent_month,
    agents_visible_to,
    floor_now,
    month_bounds,
    month_overview,
    shop_month,
    shops_visible_to,
)
from compliance.adherence.services import adherence_compute_start


def _month(request: AuthenticatedHttpRequest) -> date:
    """`?month=YYYY-MM`, else this month."""
    text = request.GET.get("month", "")
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        return timezone.localdate().replace(day=1)


def _month_nav(month: date) -> dict:
    first, last = month_bounds(month)
    previous = month_bounds(first - timedelta(days=1))[0]
    following = last + timedelta(days=1)
    return {"month": first, "month_last": last, "prev_month": previous.strftime("%Y-%m"),
            "next_month": following.strftime("%Y-%m")}


@login_required
def floor(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"shops": floor_now(user=request.user), "now": timezone.localtime(), "staff": is_staff_viewer(request.user),
               "agent": has_role(request.user, AGENTS)}
    template = "compliance/adherence/_floor.html" if request.htmx else "compliance/adherence/floor.html"
    return render(request, template, context)


@login_required
def adherence_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    if has_role(request.user, AGENTS):
        return redirect("compliance:adherence-agent", pk=request.user.pk)
    month = _month(request)
    overview = month_overview(month=month) if is_staff_viewer(request.user) else None
    shops = list(shops_visible_to(user=request.user).order_by("code"))
    return render(request, "compliance/adherence/home.html", {
        **_month_nav(month), "overview": overview, "shops": shops, "staff": is_staff_viewer(request.user),
    })


@require_POST
@roles_required(MANAGERS)
def adherence_compute_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        first, last = month_bounds(date.fromisoformat(f"{request.POST.get('month', '')}-01"))
    except ValueError:
        messages.error(request, gettext("月份格式不正确（YYYY-MM）。"))
        return redirect("compliance:adherence")
    try:
        job = adherence_compute_start(first=first, last=last, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("compliance:adherence")
    messages.info(request, gettext("已开始重算排班遵守。"))
    return redirect("job-detail", pk=job.pk)


@login_required
def agent_month_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    agent = get_visible_or_404(agents_visible_to(user=request.user), pk=pk)
    month = _month(request)
    data = agent_month(agent=agent, month=month, viewer=request.user)
    return render(request, "compliance/adherence/agent_month.html", {**_month_nav(month), "data": data})


@login_required
def shop_month_view(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    if has_role(request.user, AGENTS):
        raise Http404
    shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
    month = _month(request)
    data = shop_month(shop=shop, month=month, viewer=request.user)
    return render(request, "compliance/adherence/shop_month.html", {
        **_month_nav(month), "data": data, "staff": is_staff_viewer(request.user),
    })
