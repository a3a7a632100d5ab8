"""Reads for the merchant's quality view, the alerts page, the report and the export.

Every function takes the caller (or a shop the caller was already allowed to see) and runs a fixed
number of queries whatever the amount of data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from agency.access import get_visible_or_404, scope_by_merchant
from agency.models import User
from clients.merchants.selectors import shops_visible_to
from clients.models import Shop
from compliance.models import ChatSession, Hit
from compliance.quality.metrics.definitions import SHANGHAI
from compliance.quality.metrics.models import AgentDayMetrics, QualityAlert, ShopDayMetrics, SlaProfile
from compliance.quality.metrics.sla import TargetResolver
from compliance.sessions.selectors import sessions_visible_to

SERIOUS = ("violation", "severe")

ShopDay = tuple[int, date]  # (shop id, local day): the grain of the day roll-ups and alerts


def shop_day_filter(keys: set[ShopDay], prefix: str = "") -> Q:
    """The rows (turns, session figures, day roll-ups, alerts) that fall on these (shop, day) pairs: one
    `shop_id = … AND day IN (…)` term per shop. `prefix` is the lookup from the row to those fields."""
    days_by_shop: dict[int, set[date]] = defaultdict(set)
    for shop_id, day in keys:
        days_by_shop[shop_id].add(day)
    condition = Q(pk__in=[])
    for shop_id, days in days_by_shop.items():
        condition |= Q(**{f"{prefix}shop_id": shop_id, f"{prefix}day__in": sorted(days)})
    return condition


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def label(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def start_at(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=SHANGHAI)

    @property
    def end_at(self) -> datetime:
        nxt = self.end + timedelta(days=1)
        return datetime(nxt.year, nxt.month, nxt.day, tzinfo=SHANGHAI)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def previous(self) -> Period:
        return month_period(self.start - timedelta(days=1))

    def next(self) -> Period:
        return month_period(self.end + timedelta(days=1))


def month_period(day: date) -> Period:
    start = day.replace(day=1)
    nxt = (start + timedelta(days=32)).replace(day=1)
    return Period(start, nxt - timedelta(days=1))


def parse_month(value: str | None) -> date | None:
    """'2026-11' → 2026-11-01; anything else → None."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return None


def period_for(*, month: str | None, shops: QuerySet[Shop]) -> Period:
    """The asked month, else the latest month with metrics for these shops, else this month."""
    asked = parse_month(month)
    if asked:
        return month_period(asked)
    latest = ShopDayMetrics.objects.filter(shop__in=shops).order_by("-day").values_list("day", flat=True).first()
    return month_period(latest or datetime.now(SHANGHAI).date())


def shop_visible_or_404(*, user: User, code: str) -> Shop:
    return get_visible_or_404(shops_visible_to(user=user), code=code)


DAY_SUMS = {
    "sessions_sum": Sum("sessions"),
    "counted": Sum("counted_turns"),
    "answered": Sum("answered_turns"),
    "within": Sum("answered_within_target"),
    "response_sum": Sum("response_seconds_sum"),
    "nonreply": Sum("nonreply_turns"),
    "unserved": Sum("unserved_turns"),
    "first_sum": Sum("first_response_sum"),
    "first_count": Sum("first_response_count"),
}


def figures(row: Mapping[str, Any] | None) -> dict:
    """Rates and averages from summed day counters."""
    row = row or {}
    counted, answered, first_count = row.get("counted") or 0, row.get("answered") or 0, row.get("first_count") or 0
    return {
        "sessions": row.get("sessions_sum") or 0,
        "counted_turns": counted,
        "within": row.get("within") or 0,
        "reply_rate": (row.get("within") or 0) / counted if counted else None,
        "avg_response": (row.get("response_sum") or 0) / answered if answered else None,
        "avg_first_response": (row.get("first_sum") or 0) / first_count if first_count else None,
        "nonreply": row.get("nonreply") or 0,
        "unserved": row.get("unserved") or 0,
    }


def quality_overview(*, user: User, period: Period) -> list[dict]:
    """One row per visible shop with its figures for the period (three queries)."""
    shops = list(shops_visible_to(user=user).order_by("merchant__name", "name"))
    sums = {
        row["shop_id"]: row
        for row in ShopDayMetrics.objects.filter(shop__in=[s.pk for s in shops], day__gte=period.start, day__lte=period.end)
        .values("shop_id")
        .annotate(**DAY_SUMS)
        .order_by()
    }
    alerts = dict(
        QualityAlert.objects.filter(shop__in=[s.pk for s in shops], day__gte=period.start, day__lte=period.end)
        .values("shop_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("shop_id", "n")
    )
    return [{"shop": shop, "alerts": alerts.get(shop.pk, 0), **figures(sums.get(shop.pk))} for shop in shops]


def shop_daily(*, shop: Shop, period: Period) -> list[dict]:
    """Every day of the period with its figures (None where there was no traffic)."""
    rows = {
        r.day: r for r in ShopDayMetrics.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end)
    }
    out = []
    for day in period.days():
        r = rows.get(day)
        out.append(
            {
                "day": day,
                "sessions": r.sessions if r else 0,
                "counted_turns": r.counted_turns if r else 0,
                "reply_rate": r.reply_rate if r else None,
                "avg_response": r.avg_response_seconds if r else None,
                "avg_first_response": r.avg_first_response_seconds if r else None,
                "nonreply": r.nonreply_turns if r else 0,
                "unserved": r.unserved_turns if r else 0,
            }
        )
    return out


def shop_totals(*, shop: Shop, period: Period) -> dict:
    row = ShopDayMetrics.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end).aggregate(**DAY_SUMS)
    return figures(row)


def agent_table(*, shop: Shop, period: Period) -> list[dict]:
    rows = (
        AgentDayMetrics.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end)
        .values("agent_id", "agent__code", "agent__display_name", "agent__username")
        .annotate(**DAY_SUMS)
        .order_by("agent__code")
    )
    return [
        {
            "code": r["agent__code"] or r["agent__username"],
            "name": r["agent__display_name"] or r["agent__username"],
            **figures(r),
        }
        for r in rows
    ]


def violations_by_category(*, shop: Shop, period: Period) -> list[dict]:
    from compliance.models import Category

    # The period's violations as the violation list counts them: current hits in agents' messages, read
    # from the hits' own shop and time (the violation index), never joined to the month's messages.
    rows = dict(
        Hit.objects.filter(shop=shop, sent_at__gte=period.start_at, sent_at__lt=period.end_at, current=True,
                           from_buyer=False)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("category", "n")
    )
    return [
        {"category": value, "label": label, "count": rows.get(value, 0)}
        for value, label in Category.choices
        if rows.get(value)
    ]


def _hit_count(severities: tuple[str, ...] | None = None) -> Subquery:
    # A session's messages lie between its start and end: saying so lets PostgreSQL read one month's
    # message partition per session instead of every month's.
    hits = Hit.objects.filter(
        message__session=OuterRef("pk"), message__sent_at__gte=OuterRef("started_at"),
        message__sent_at__lte=OuterRef("ended_at"),
    )
    if severities:
        hits = hits.filter(severity__in=severities)
    return Subquery(
        hits.order_by().values("message__session").annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()
    )


def shop_sessions(
    *, user: User, shop: Shop, period: Period, flag: str = "", has_hits: bool = False, agent: str = ""
) -> QuerySet[ChatSession]:
    """A shop's sessions in the period with their metrics and hit counts (one query per page)."""
    qs = (
        sessions_visible_to(user=user)
        .filter(shop=shop, started_at__gte=period.start_at, started_at__lt=period.end_at)
        .select_related("metrics", "metrics__agent", "shop")
        .annotate(
            hit_count=Coalesce(_hit_count(), Value(0)),
            violation_count=Coalesce(_hit_count(SERIOUS), Value(0)),
        )
        .order_by("-started_at", "-pk")
    )
    if flag == "nonreply":
        qs = qs.filter(metrics__five_minute_nonreply=True)
    elif flag == "unserved":
        qs = qs.filter(metrics__unserved=True)
    elif flag == "late":
        qs = qs.filter(metrics__counted_turns__gt=0).exclude(
            metrics__answered_within_target=F("metrics__counted_turns")
        )
    if has_hits:
        qs = qs.filter(hit_count__gt=0)
    if agent:
        qs = qs.filter(metrics__agent__code=agent)
    return qs


def session_for_drilldown(*, user: User, pk: int, hit_counts: bool = False) -> ChatSession:
    """One session a user may read; `hit_counts` adds `hit_count` and `violation_count` as in `shop_sessions`."""
    qs = sessions_visible_to(user=user).select_related("shop", "metrics", "metrics__agent")
    if hit_counts:
        qs = qs.annotate(
            hit_count=Coalesce(_hit_count(), Value(0)),
            violation_count=Coalesce(_hit_count(SERIOUS), Value(0)),
        )
    return get_visible_or_404(qs, pk=pk)


def alerts_visible_to(*, user: User) -> QuerySet[QualityAlert]:
    return scope_by_merchant(
        QualityAlert.objects.select_related("shop", "shop__merchant", "acknowledged_by").annotate(
            session_count=Count("sessions")
        ),
        user=user,
        merchant_path="shop__merchant",
    ).order_by("-day", "shop__code", "metric")


def alerts_filtered(
    *, user: User, shop: Shop | None = None, level: str = "", metric: str = "", status: str = "",
    day_from: date | None = None, day_to: date | None = None,
) -> QuerySet[QualityAlert]:
    """The alerts page: the caller's alerts by the filters, ordered so a page groups them by shop."""
    alerts = alerts_visible_to(user=user)
    if shop is not None:
        alerts = alerts.filter(shop=shop)
    if level:
        alerts = alerts.filter(level=level)
    if metric:
        alerts = alerts.filter(metric=metric)
    if status == "open":
        alerts = alerts.filter(acknowledged_at__isnull=True)
    elif status == "acknowledged":
        alerts = alerts.filter(acknowledged_at__isnull=False)
    if day_from:
        alerts = alerts.filter(day__gte=day_from)
    if day_to:
        alerts = alerts.filter(day__lte=day_to)
    return alerts.order_by("shop__name", "shop__code", "-day", "metric")


def open_alerts_count(*, user: User) -> int:
    return alerts_visible_to(user=user).filter(acknowledged_at__isnull=True).count()


def sla_profiles() -> QuerySet[SlaProfile]:
    return SlaProfile.objects.select_related("updated_by").order_by("platform")


def shop_alert_count(*, shop: Shop, period: Period) -> int:
    return QualityAlert.objects.filter(shop=shop, day__gte=period.start, day__lte=period.end).count()


def overview_daily(*, user: User, period: Period) -> list[dict]:
    """Every day of the period with the figures of all the shops the user may see together (one query), for the
    overview's trend chart."""
    rows = {
        row["day"]: figures(row)
        for row in ShopDayMetrics.objects.filter(
            shop__in=shops_visible_to(user=user), day__gte=period.start, day__lte=period.end
        ).values("day").annotate(**DAY_SUMS).order_by()
    }
    return [{"day": day, **rows.get(day, figures(None))} for day in period.days()]


def kpis_against_targets(*, user: User, period: Period) -> list[dict]:
    """Per visible shop: the period's reply rate and average response beside the targets in force at the
    period's end (contract terms over the platform's profile), each flagged when it misses. For the merchant's
    dashboard; a few queries per shop, and a merchant has a handful of shops."""
    resolver = TargetResolver()
    out = []
    for row in quality_overview(user=user, period=period):
        targets = resolver.targets(row["shop"], period.end)
        rate, avg = row["reply_rate"], row["avg_response"]
        avg_target = targets.avg_response_target_seconds
        out.append({
            **row,
            "target_seconds": targets.sla.target_seconds,
            "reply_rate_target": targets.reply_rate_target,
            "reply_rate_ok": None if rate is None else rate >= targets.reply_rate_target,
            "avg_response_target": avg_target,
            "avg_response_ok": None if avg is None or avg_target is None else avg <= avg_target,
        })
    return out
