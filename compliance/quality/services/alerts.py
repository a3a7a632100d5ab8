"""Warnings and breach alerts from the day roll-ups.

A shop's day raises at most one alert per metric and level (a unique key on shop/day/metric/level):
recomputing the same day again updates the figures and the linked sessions of the alert it already
has, it never raises a second one. Managers see new alerts on their dashboard and the alerts page.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agency.models import User
from agency.services import audit_record
from compliance.quality.metric_models import QualityAlert, ResponseTurn, ShopDayMetrics
from compliance.quality.sla import TargetResolver

MAX_LINKED_SESSIONS = 200


def _culprit_sessions(*, shop_id: int, day: date, condition: Q) -> list[int]:
    return list(
        ResponseTurn.objects.filter(condition, shop_id=shop_id, day=day, counted=True)
        .order_by("session_id")
        .values_list("session_id", flat=True)
        .distinct()[:MAX_LINKED_SESSIONS]
    )


def breaches_for(row: ShopDayMetrics, targets) -> list[tuple[str, str, float, float, Q]]:
    """(metric, level, value, threshold, which turns caused it) for one shop day."""
    found = []
    rate = row.reply_rate
    late = Q(within_target=False)
    if rate is not None:
        low, high = targets.warning_low, targets.warning_high
        if low is not None and high is not None and low <= rate < high:
            found.append((QualityAlert.Metric.REPLY_RATE, QualityAlert.Level.WARNING, rate, high, late))
        if rate < targets.reply_rate_target:
            found.append(
                (QualityAlert.Metric.REPLY_RATE, QualityAlert.Level.BREACH, rate, targets.reply_rate_target, late)
            )
    avg, limit = row.avg_response_seconds, targets.avg_response_target_seconds
    if avg is not None and limit and avg > limit:
        slow = Q(response_seconds__gt=limit) | Q(response_seconds__isnull=True)
        found.append((QualityAlert.Metric.AVG_RESPONSE, QualityAlert.Level.BREACH, avg, float(limit), slow))
    return found


@transaction.atomic
def alerts_evaluate(*, keys: set[tuple[int, date]], resolver: TargetResolver | None = None) -> int:
    """Raise or refresh the alerts of these (shop, day) pairs; returns how many were newly raised."""
    from compliance.quality.services.metrics import _key_filter

    if not keys:
        return 0
    resolver = resolver or TargetResolver()
    created_count = 0
    for row in ShopDayMetrics.objects.filter(_key_filter(keys)).select_related("shop"):
        targets = resolver.targets(row.shop, row.day)
        for metric, level, value, threshold, condition in breaches_for(row, targets):
            alert, created = QualityAlert.objects.get_or_create(
                shop=row.shop, day=row.day, metric=metric, level=level,
                defaults={"value": value, "threshold": threshold, "source": targets.source},
            )
            if not created:
                QualityAlert.objects.filter(pk=alert.pk).update(
                    value=value, threshold=threshold, source=targets.source, updated_at=timezone.now()
                )
            else:
                created_count += 1
                audit_record(
                    actor=None, verb="quality_alert_raised", target=alert, merchant_id=row.shop.merchant_id,
                    data={"metric": metric, "level": level, "value": value, "threshold": threshold},
                )
            alert.sessions.set(_culprit_sessions(shop_id=row.shop_id, day=row.day, condition=condition))
    return created_count


def alert_acknowledge(*, alert: QualityAlert, by: User) -> QualityAlert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(actor=by, verb="quality_alert_acknowledged", target=alert, merchant_id=alert.shop.merchant_id)
    return alert
