"""Reads of the intraday view: the stored day of every shop and one shop's half hours, chart and suggestions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from agency import charts
from agency.access import scope_by_merchant
from agency.models import User
from clients.models import Shop
from compliance.intraday.models import IntradayShopDay, IntradaySuggestion


def ratio_reason_label(code: str) -> str:
    labels = {
        "nothing_yet": _("还没有已结束的半小时，按预测"),
        "no_forecast": _("没有预测，无法按比例调整"),
        "too_few": _("迄今咨询量太少，比例保持 1"),
        "capped": _("比例已达上限"),
        "measured": _("按迄今实际/预测"),
    }
    return labels.get(code, code)


def shops_visible_to(*, user: User) -> QuerySet[Shop]:
    return scope_by_merchant(Shop.objects.select_related("merchant"), user=user, merchant_path="merchant")


def intraday_overview(*, user: User, day: date) -> list[IntradayShopDay]:
    """Every visible shop's stored day, the shops short of agents first."""
    return list(
        IntradayShopDay.objects.filter(date=day, shop__in=shops_visible_to(user=user))
        .select_related("shop").order_by("-largest_gap", "-short_half_hours", "shop__code")
    )


@dataclass
class ShopDayView:
    row: IntradayShopDay | None
    half_hours: list[dict[str, Any]]
    chart: dict[str, Any] | None
    suggestions: list[IntradaySuggestion]
    accepted: list[IntradaySuggestion]


def intraday_shop_day(*, shop: Shop, day: date) -> ShopDayView:
    """One shop's stored day: the half hours worth showing (the service window and any half hour with
    sessions or agents), a chart of them, and the suggestions that concern the shop."""
    row = IntradayShopDay.objects.filter(shop=shop, date=day).first()
    shown = [
        {**h, "surplus": max(0, -h["gap"])}
        for h in (row.half_hours if row else []) if h["in_window"] or h["actual"] or h["rostered"]
    ]
    chart = None
    if shown:
        labels = [h["slot"] for h in shown]
        chart = charts.chart(
            title=_("今日各半小时：咨询量与人手"),
            labels=labels,
            series_list=[
                charts.series(_("预测咨询量"), [h["forecast"] for h in shown]),
                charts.series(_("实际咨询量"), [h["actual"] if h["elapsed"] else None for h in shown]),
                charts.series(_("重新预测"), [h["reforecast"] for h in shown]),
                charts.series(_("所需客服（右轴）"), [h["required"] for h in shown], kind="bar", on_axis=1),
                charts.series(_("排班客服（右轴）"), [h["rostered"] for h in shown], kind="bar", on_axis=1,
                              colors=["bad" if h["gap"] > 0 and not h["elapsed"] else "ok" for h in shown]),
            ],
            axes=[charts.axis(_("咨询量")), charts.axis(_("客服"))],
        )
    concerning = (
        IntradaySuggestion.objects.filter(date=day).filter(Q(to_shop=shop) | Q(from_shop=shop))
        .select_related("agent", "from_shop", "to_shop", "shift", "decided_by").order_by("starts_at", "id")
    )
    suggestions = [s for s in concerning if s.status == IntradaySuggestion.Status.PROPOSED]
    accepted = [s for s in concerning if s.status == IntradaySuggestion.Status.ACCEPTED]
    return ShopDayView(row=row, half_hours=shown, chart=chart, suggestions=suggestions, accepted=accepted)


def suggestions_visible_to(*, user: User) -> QuerySet[IntradaySuggestion]:
    return IntradaySuggestion.objects.filter(to_shop__in=shops_visible_to(user=user))
