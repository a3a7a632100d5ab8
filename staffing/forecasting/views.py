"""Forecasting pages: per shop, a half-hour profile, daily totals with promotion and holiday marks, the
required agents per half hour, and managers' parameters, overrides and history upload; the promotion
calendar; seasonal plans (required seats per shop and day of a promotion against certified capacity)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from agency import charts
from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, STAFF, STAFF_AND_MERCHANTS, has_role, require_role, roles_required
from clients.merchants.selectors import shops_visible_to
from clients.models import Platform, Shop
from staffing.errors import StaffingInputError
from staffing.forecasting.forms import (
    HistoryUploadForm,
    OverrideForm,
    PlanForm,
    PromotionYearForm,
    StaffingProfileForm,
)
from staffing.forecasting.selectors import (
    PlanShop,
    daily_volume_by_shop,
    day_ahead_accuracy,
    forecast_accuracy_recent,
    forecast_page,
    plan_detail,
    plans_visible_to,
    promotions_recent,
    staffing_profile_fresh,
)
from staffing.forecasting.services import (
    demand_history_import_csv,
    forecast_override_set,
    promotion_calendar_ensure,
    seasonal_plan_create,
    staffing_profile_update,
)


@roles_required(STAFF_AND_MERCHANTS)
def forecast_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The shops to forecast, filtered by platform and name and paged; the consultations of the page's shops
    over the last four weeks as one chart."""
    platform = request.GET.get("platform", "")
    query = (request.GET.get("q") or "").strip()
    shops = shops_visible_to(user=request.user).select_related("merchant").order_by("merchant__name", "name")
    if platform in Platform.values:
        shops = shops.filter(platform=platform)
    if query:
        shops = shops.filter(Q(name__icontains=query) | Q(code__icontains=query) | Q(merchant__name__icontains=query))
    page = Paginator(shops, 25).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    last = timezone.localdate() - timedelta(days=1)
    first = last - timedelta(days=27)
    volumes = daily_volume_by_shop(shops=on_page, first=first, last=last)
    chart = charts.chart(
        title=_("近四周每日咨询量"),
        labels=[f"{first + timedelta(days=n):%m-%d}" for n in range(28)],
        series_list=[charts.series(shop.name, volumes[shop.pk]) for shop in on_page if any(volumes[shop.pk])],
        axes=[charts.axis(_("咨询量"))],
    )
    accuracy = day_ahead_accuracy(shops=on_page, first=first, last=last)
    return render(request, "staffing/forecast_index.html", {
        "page": page, "shops": on_page, "rows": [(shop, accuracy.get(shop.pk)) for shop in on_page], "platform": platform, "platforms": Platform.choices, "q": query,
        "chart": chart, "has_chart": charts.has_data(chart),
    })


def _save_profile(request: AuthenticatedHttpRequest, shop: Shop) -> StaffingProfileForm | None:
    """The parameters form: saved (None) or returned with its errors."""
    form = StaffingProfileForm(request.POST, instance=staffing_profile_fresh(shop=shop))
    if form.is_valid():
        try:
            staffing_profile_update(
                shop=shop, by=request.user, **{f: form.cleaned_data[f] for f in StaffingProfileForm.Meta.fields}
            )
        except StaffingInputError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("排班参数已保存"))
            return None
    return form


def _upload_history(request: AuthenticatedHttpRequest, shop: Shop) -> HistoryUploadForm | None:
    """The history upload: imported (None) or the form back (a bad file is said in a message)."""
    form = HistoryUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = demand_history_import_csv(shop=shop, data=form.cleaned_data["file"].read())
        except StaffingInputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已导入 %(n)s 个时段的历史咨询量") % {"n": count})
            return None
    return form


def _set_override(request: AuthenticatedHttpRequest, shop: Shop) -> OverrideForm | None:
    """An override of the forecast: stored (None) or the form back with its errors."""
    form = OverrideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            forecast_override_set(
                shop=shop, day=data["day"], slot=data["slot"], volume=data["volume"], agents=data["agents"],
                note=data["note"], by=request.user,
            )
        except StaffingInputError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("预测已调整"))
            return None
    return form


@login_required
def forecast_shop(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
    start = parse_date(request.GET.get("start", "") or "") or timezone.localdate()
    try:
        days = max(1, min(int(request.GET.get("days", 14)), 62))
    except ValueError:
        days = 14
    can_edit = has_role(request.user, MANAGERS)
    forms_shown: dict[str, forms.BaseForm | None] = {
        "override_form": OverrideForm(initial={"day": start}),
        "upload_form": HistoryUploadForm(),
        "profile_form": StaffingProfileForm(instance=staffing_profile_fresh(shop=shop)) if can_edit else None,
    }
    if request.method == "POST":
        require_role(request.user, MANAGERS)
        form: forms.BaseForm | None
        if "profile" in request.POST:
            key, form = "profile_form", _save_profile(request, shop)
        elif "file" in request.FILES:
            key, form = "upload_form", _upload_history(request, shop)
        else:
            key, form = "override_form", _set_override(request, shop)
        if form is None:
            return redirect(request.get_full_path())
        forms_shown[key] = form
    context = {
        "shop": shop,
        "start": start,
        "days": days,
        "prev": start - timedelta(days=days),
        "next": start + timedelta(days=days),
        "can_edit": can_edit,
        **forms_shown,
        **forecast_page(shop=shop, start=start, days=days),
        **forecast_accuracy_recent(shop=shop, today=timezone.localdate()),
    }
    return render(request, "staffing/forecast_shop.html", context)


@roles_required(STAFF)
def promotion_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PromotionYearForm(initial={"year": timezone.localdate().year})
    if request.method == "POST":
        require_role(request.user, MANAGERS)
        form = PromotionYearForm(request.POST)
        if form.is_valid():
            promotion_calendar_ensure(year=form.cleaned_data["year"])
            messages.success(request, _("已生成默认大促日历"))
            return redirect("staffing:promotion-list")
    promotions = promotions_recent(today=timezone.localdate())
    return render(request, "staffing/promotion_list.html", {"promotions": promotions, "form": form})


@roles_required(STAFF)
def plan_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    shops = shops_visible_to(user=request.user)
    form = PlanForm(shops=shops)
    if request.method == "POST":
        require_role(request.user, MANAGERS)
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


@roles_required(STAFF)
def plan_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(plans_visible_to(user=request.user), pk=pk)
    lines = plan_detail(plan=plan)
    charted = [(line, _plan_chart(line)) for line in lines]
    return render(request, "staffing/plan_detail.html", {"plan": plan, "lines": charted})


def _plan_chart(line: PlanShop) -> dict:
    """A shop's promotion days: the people needed (consultation agents and refund agents, stacked) against
    the certified agents available; a day short of people has its bars in red."""
    days = line.days
    return charts.chart(
        title=_("%(shop)s：所需与可用人数") % {"shop": line.line.shop.name},
        labels=[f"{d.day:%m-%d}" for d in days],
        series_list=[
            charts.series(_("咨询客服"), [d.headcount for d in days], kind="bar",
                          colors=["bad" if d.gap else (d.phase or "normal") for d in days]),
            charts.series(_("售后退款客服"), [d.refund_agents for d in days], kind="bar",
                          colors=["muted"] * len(days)),
            charts.series(_("可用（已认证）"), [d.capacity for d in days], step=True),
        ],
        axes=[charts.axis(_("人"))],
        stacked=True,
    )
