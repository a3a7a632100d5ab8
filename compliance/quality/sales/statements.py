"""What the monthly statement needs from measured service (registered into `clients.statements.figures`).

For a contract's shops and one month: the served sessions (begun in the month, with at least one agent
message), the §8 attributed sales of orders paid in the month (refunds as known now), and each target's
attained value over the month with the shop-days that missed it:
- `reply_rate`: Σ turns answered within target ÷ Σ counted turns (contracts §7), higher is better;
- `first_response_seconds`: the mean first response over the sessions that have one, lower is better;
- `qa_score`: the inspectors' average when there are reviews, else the auto-QA average;
- `conversion_rate`: Σ converted ÷ Σ inquiring buyers of the shop rows (§8); a target set as a share of the
  shops' own average takes that share of the same ratio over the three months before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Exists, F, OuterRef, Sum
from django.urls import reverse

from clients.models import Shop
from clients.statements.figures import MonthFigures, TargetFigure, TargetSpec
from compliance.quality.metrics.models import ShopDayMetrics
from compliance.quality.qa.models import AutoQAResult, Review
from compliance.quality.sales.engine.attribution import SHANGHAI
from compliance.quality.sales.models import Order, SalesDayMetrics
from compliance.quality.sales.services.attribution import sales_refresh
from compliance.sessions.models import ChatMessage, ChatSession, Sender


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time.min, tzinfo=SHANGHAI),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=SHANGHAI))


def attributed_sales(*, shop_ids: Sequence[int], first: date, last: date) -> Decimal:
    """Σ (amount − refund) of the shops' attributed orders paid in the month, as known now (§9 commission)."""
    start, end = _bounds(first, last)
    total = (Order.objects.filter(shop_id__in=shop_ids, paid_at__gte=start, paid_at__lt=end,
                                  attribution__attributed_at__isnull=False)
             .aggregate(s=Sum(F("amount") - F("refund_amount")))["s"])
    return (total or Decimal(0)).quantize(Decimal("0.01"))


def _conversion(shop_ids: Sequence[int], first: date, last: date) -> float | None:
    sums = SalesDayMetrics.objects.filter(shop_id__in=shop_ids, agent_code="", day__gte=first, day__lte=last).aggregate(
        c=Sum("converted_buyers"), i=Sum("inquiring_buyers"))
    return sums["c"] / sums["i"] if sums["i"] else None


def _months_before(first: date, n: int) -> date:
    year, month = first.year, first.month - n
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def statement_month_figures(
    *, shop_ids: Sequence[int], first: date, last: date, targets: Sequence[TargetSpec]
) -> MonthFigures:
    sales_refresh()  # orders and messages that arrived since the last scheduled run
    start, end = _bounds(first, last)
    codes = dict(Shop.objects.filter(pk__in=shop_ids).values_list("pk", "code"))
    served = ChatSession.objects.filter(shop_id__in=shop_ids, started_at__gte=start, started_at__lt=end).filter(
        Exists(ChatMessage.objects.filter(session_id=OuterRef("pk"), sender=Sender.AGENT))).count()
    sales = attributed_sales(shop_ids=shop_ids, first=first, last=last)
    orders = Order.objects.filter(shop_id__in=shop_ids, paid_at__gte=start, paid_at__lt=end, attribution__attributed_at__isnull=False)
    month = f"{first:%Y-%m}"
    order_url = reverse("quality:order-list") + f"?month={month}&attributed=1"
    days = ShopDayMetrics.objects.filter(shop_id__in=shop_ids, day__gte=first, day__lte=last)
    out: list[TargetFigure] = []
    for spec in targets:
        attained: float | None = None
        target = spec.target
        day_values: list[dict[str, Any]] = []
        if spec.metric == "reply_rate":
            sums = days.aggregate(a=Sum("answered_within_target"), c=Sum("counted_turns"))
            attained = sums["a"] / sums["c"] if sums["c"] else None
            for row in days.order_by("day", "shop_id"):
                if row.reply_rate is not None:
                    day_values.append({"date": row.day.isoformat(), "shop": codes.get(row.shop_id),
                                       "value": round(row.reply_rate, 3)})
        elif spec.metric == "first_response_seconds":
            sums = days.aggregate(s=Sum("first_response_sum"), c=Sum("first_response_count"))
            attained = sums["s"] / sums["c"] if sums["c"] else None
            for row in days.order_by("day", "shop_id"):
                if row.avg_first_response_seconds is not None:
                    day_values.append({"date": row.day.isoformat(), "shop": codes.get(row.shop_id),
                                       "value": round(row.avg_first_response_seconds, 1)})
        elif spec.metric == "qa_score":
            manual = Review.objects.filter(shop_id__in=shop_ids, day__gte=first, day__lte=last,
                                           calibration__isnull=True).aggregate(a=Avg("final_score"))["a"]
            auto = AutoQAResult.objects.filter(shop_id__in=shop_ids, day__gte=first, day__lte=last).aggregate(
                a=Avg("score"))["a"]
            chosen = manual if manual is not None else auto
            attained = float(chosen) if chosen is not None else None
        elif spec.metric == "conversion_rate":
            attained = _conversion(shop_ids, first, last)
            if spec.share_of_average is not None:
                average = _conversion(shop_ids, _months_before(first, 3), first - timedelta(days=1))
                target = round(average * spec.share_of_average, 4) if average is not None else None
            for sales_day in SalesDayMetrics.objects.filter(shop_id__in=shop_ids, agent_code="", day__gte=first,
                                                            day__lte=last).order_by("day", "shop_id"):
                if sales_day.inquiring_buyers:
                    day_values.append({
                        "date": sales_day.day.isoformat(), "shop": codes.get(sales_day.shop_id),
                        "value": round(sales_day.converted_buyers / sales_day.inquiring_buyers, 3)})
        if attained is not None:
            attained = round(attained, 4)
        missed_days = [d for d in day_values if target is not None and (
            d["value"] < target if spec.better == "higher" else d["value"] > target)]
        evidence: dict[str, Any] = {"days": missed_days[:62]}
        if codes and spec.metric != "conversion_rate":
            evidence["url"] = reverse("quality:shop", args=[next(iter(codes.values()))]) + f"?month={month}"
        elif codes:
            evidence["url"] = reverse("quality:sales-shop", args=[next(iter(codes.values()))]) + f"?month={month}"
        out.append(TargetFigure(spec.metric, target, attained, spec.better, evidence))
    return MonthFigures(
        served_sessions=served, attributed_sales=sales, targets=out,
        commission_evidence={"orders": orders.count(), "url": order_url},
        sessions_evidence={"sessions": served},
    )
