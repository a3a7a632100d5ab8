"""The intraday page for managers: every shop's day at a glance, one shop's half hours (chart and table) and
the suggestions with their accept buttons, refreshed by htmx from the stored figures."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, roles_required
from compliance.intraday.selectors import (
    intraday_overview,
    intraday_shop_day,
    ratio_reason_label,
    shops_visible_to,
    suggestions_visible_to,
)
from compliance.intraday.services import intraday_refresh, intraday_suggestion_accept


def _day(request: AuthenticatedHttpRequest) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", "") or request.POST.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _context(request: AuthenticatedHttpRequest, day: date, shop_code: str) -> dict:
    overview = intraday_overview(user=request.user, day=day)
    shop = None
    if shop_code:
        shop = get_visible_or_404(shops_visible_to(user=request.user), code=shop_code)
    elif overview:
        shop = overview[0].shop
    view = intraday_shop_day(shop=shop, day=day) if shop is not None else None
    return {
        "htmx": bool(request.htmx), "day": day, "today": timezone.localdate(), "overview": overview, "shop": shop,
        "view": view,
        "ratio_reason": ratio_reason_label(view.row.ratio_reason) if view and view.row else "",
        "ratio_pct": round(view.row.ratio * 100) if view and view.row else None,
    }


@roles_required(MANAGERS)
def intraday(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = _context(request, _day(request), request.GET.get("shop", ""))
    template = "compliance/intraday/_day.html" if request.htmx else "compliance/intraday/day.html"
    return render(request, template, context)


def _back(day: date, shop_code: str) -> str:
    url = reverse("compliance:intraday") + f"?date={day.isoformat()}"
    return url + (f"&shop={shop_code}" if shop_code else "")


@require_POST
@roles_required(MANAGERS)
def intraday_refresh_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Re-forecast today now (the same run beat makes every few minutes; under a second for all shops)."""
    today = timezone.localdate()
    intraday_refresh(day=today)
    messages.info(request, gettext("已重新预测今日各店铺。"))
    return redirect(_back(today, request.POST.get("shop", "")))


@require_POST
@roles_required(MANAGERS)
def intraday_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suggestion = get_visible_or_404(suggestions_visible_to(user=request.user), pk=pk)
    shop_code = request.POST.get("shop", "")
    try:
        intraday_suggestion_accept(suggestion=suggestion, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, gettext("已采纳建议并重新预测。"))
    if request.htmx:
        return render(request, "compliance/intraday/_day.html", _context(request, suggestion.date, shop_code))
    return redirect(_back(suggestion.date, shop_code))
