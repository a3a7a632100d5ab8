"""Forecast pages: per shop, a half-hour profile, daily totals with promotion and holiday marks, the required
agents per half hour, and managers' overrides and history upload."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agency.access import get_visible_or_404
from clients.merchants.selectors import shops_visible_to
from staffing import forecast as fc
from staffing.charts import bar_chart, line_chart
from staffing.forms import HistoryUploadForm, OverrideForm, PromotionYearForm, StaffingProfileForm
from staffing.models import Promotion
from staffing.selectors import shop_forecast, staffing_profile_fresh
from staffing.services import (
    StaffingInputError,
    demand_history_import_csv,
    forecast_override_set,
    promotion_calendar_ensure,
    staffing_profile_update,
)

PHASE_LABELS = {fc.PRESALE: gettext_lazy("预售"), fc.PEAK: gettext_lazy("高峰"), fc.TAIL: gettext_lazy("售后")}
KIND_LABELS = {
    fc.WORKDAY: gettext_lazy("工作日"), fc.WEEKEND: gettext_lazy("周末"),
    fc.HOLIDAY: gettext_lazy("法定节假日"), fc.MAKEUP: gettext_lazy("调休上班"),
}


def _staff_only(request: HttpRequest) -> None:
    if request.user.role not in ("manager", "inspector") and not request.user.is_superuser:
        raise PermissionDenied


def _manager_only(request: HttpRequest) -> None:
    if not request.user.is_manager:
        raise PermissionDenied


@login_required
def forecast_index(request: HttpRequest) -> HttpResponse:
    if request.user.role == "agent":
        raise PermissionDenied
    return render(request, "staffing/forecast_index.html", {"shops": shops_visible_to(user=request.user)})


@login_required
def forecast_shop(request: HttpRequest, code: str) -> HttpResponse:
    shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
    start = parse_date(request.GET.get("start", "") or "") or timezone.localdate()
    try:
        days = max(1, min(int(request.GET.get("days", 14)), 62))
    except ValueError:
        days = 14
    can_edit = request.user.is_manager
    override_form = OverrideForm(initial={"day": start})
    upload_form = HistoryUploadForm()
    profile_form = StaffingProfileForm(instance=staffing_profile_fresh(shop=shop)) if can_edit else None
    if request.method == "POST":
        _manager_only(request)
        if "profile" in request.POST:
            profile_form = StaffingProfileForm(request.POST, instance=staffing_profile_fresh(shop=shop))
            if profile_form.is_valid():
                try:
                    staffing_profile_update(shop=shop, by=request.user, **{
                        f: profile_form.cleaned_data[f] for f in StaffingProfileForm.Meta.fields
                    })
                except StaffingInputError as exc:
                    profile_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("排班参数已保存"))
                    return redirect(request.get_full_path())
        elif "file" in request.FILES:
            upload_form = HistoryUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                try:
                    count = demand_history_import_csv(shop=shop, data=upload_form.cleaned_data["file"].read())
                except (StaffingInputError, UnicodeDecodeError) as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, _("已导入 %(n)s 个时段的历史咨询量") % {"n": count})
                    return redirect(request.get_full_path())
        else:
            override_form = OverrideForm(request.POST)
            if override_form.is_valid():
                data = override_form.cleaned_data
                try:
                    forecast_override_set(
                        shop=shop, day=data["day"], slot=data["slot"], volume=data["volume"], agents=data["agents"],
                        note=data["note"], by=request.user,
                    )
                except StaffingInputError as exc:
                    override_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("预测已调整"))
                    return redirect(request.get_full_path())

    result = shop_forecast(shop=shop, start=start, days=days)
    slots = result.slots
    mean_volume = np.mean([d.volumes for d in result.days], axis=0) if result.days else np.zeros(fc.SLOTS_PER_DAY)
    mean_agents = np.max([result.agents[d.day] for d in result.days], axis=0) if result.days else np.zeros(48)
    profile_chart = line_chart(
        [float(v) for v in mean_volume],
        labels=[fc.slot_label(i) for i in range(fc.SLOTS_PER_DAY)],
        second=[float(v) for v in mean_agents],
        title=_("半小时咨询量曲线"),
        legend=(_("平均每半小时咨询量"), _("最多所需客服（右轴）")),
    )
    bars = []
    rows = []
    for d in result.days:
        css = f"phase-{d.phase}" if d.phase else ("holiday" if d.kind.kind == fc.HOLIDAY else "")
        mark = ""
        if d.phase == fc.PEAK:
            mark = "★"
        elif d.kind.kind == fc.HOLIDAY:
            mark = _("休")
        elif d.kind.kind == fc.MAKEUP:
            mark = _("班")
        bars.append({"value": d.total, "label": d.day.strftime("%m-%d"), "css": css, "mark": mark})
        agents = result.agents.get(d.day)
        rows.append({
            "forecast": d,
            "kind": KIND_LABELS[d.kind.kind],
            "phase": PHASE_LABELS[d.phase] if d.phase else "",
            "total": round(d.total),
            "peak_agents": int(agents.max()) if agents is not None else 0,
            "agent_hours": float(agents.sum()) / 2 if agents is not None else 0,
            "cells": [
                {"value": int(agents[i]), "volume": round(float(d.volumes[i]), 1),
                 "overridden": (d.day, i) in result.overridden}
                for i in slots
            ] if agents is not None else [],
            "overridden": (d.day, None) in result.overridden,
        })
    peak_value = max((c["value"] for r in rows for c in r["cells"]), default=0) or 1
    for r in rows:
        for c in r["cells"]:
            c["level"] = min(5, int(np.ceil(c["value"] / peak_value * 5)))
    context = {
        "shop": shop,
        "result": result,
        "start": start,
        "days": days,
        "prev": start - timedelta(days=days),
        "next": start + timedelta(days=days),
        "rows": rows,
        "slot_labels": result.slot_labels,
        "profile_chart": profile_chart,
        "daily_chart": bar_chart(bars, title=_("每日咨询总量")),
        "can_edit": can_edit,
        "override_form": override_form,
        "upload_form": upload_form,
        "profile_form": profile_form,
        "total_volume": round(sum(d.total for d in result.days)),
        "peak_agents": max((r["peak_agents"] for r in rows), default=0),
    }
    return render(request, "staffing/forecast_shop.html", context)


@login_required
def promotion_list(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    form = PromotionYearForm(initial={"year": timezone.localdate().year})
    if request.method == "POST":
        _manager_only(request)
        form = PromotionYearForm(request.POST)
        if form.is_valid():
            promotion_calendar_ensure(year=form.cleaned_data["year"])
            messages.success(request, _("已生成默认大促日历"))
            return redirect("staffing:promotion-list")
    today = timezone.localdate()
    promotions = Promotion.objects.filter(tail_end__gte=date(today.year - 1, 1, 1)).order_by("presale_start")
    return render(request, "staffing/promotion_list.html", {"promotions": promotions, "form": form})
