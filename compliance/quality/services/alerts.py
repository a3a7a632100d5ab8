"""Warnings and breach alerts from the day roll-ups.

A shop's day raises at most one alert per metric and level (a unique key on shop/day/metric/level):
recomputing the same day again updates the figures and the linked sessions of the alert it already
has, it never raises a second one. Managers see new alerts on their dashboard and the alerts page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.db import transaction
from django.utils import timezone

from agency.models import AuditEvent, User
from agency.services import audit_record
from compliance.quality.metric_models import QualityAlert, ResponseTurn, ShopDayMetrics
from compliance.quality.sla import TargetResolver

MAX_LINKED_SESSIONS = 200


def breaches_for(row: ShopDayMetrics, targets) -> list[tuple[str, str, float, float]]:
    """(metric, level, value, threshold) for one shop day."""
    found = []
    rate = row.reply_rate
    if rate is not None:
        low, high = targets.warning_low, targets.warning_high
        if low is not None and high is not None and low <= rate < high:
            found.append((QualityAlert.Metric.REPLY_RATE, QualityAlert.Level.WARNING, rate, high))
        if rate < targets.reply_rate_target:
            found.append((QualityAlert.Metric.REPLY_RATE, QualityAlert.Level.BREACH, rate, targets.reply_rate_target))
    avg, limit = row.avg_response_seconds, targets.avg_response_target_seconds
    if avg is not None and limit and avg > limit:
        found.append((QualityAlert.Metric.AVG_RESPONSE, QualityAlert.Level.BREACH, avg, float(limit)))
    return found


def _culprits(keys: set[tuple[int, date]]) -> dict[tuple[int, date], list[tuple[int, float | None]]]:
    """Per (shop, day): the sessions whose counted turns missed the target, with those turns' times."""
    from compliance.quality.services.metrics import _key_filter

    found: dict[tuple[int, date], list[tuple[int, float | None]]] = defaultdict(list)
    rows = (
        ResponseTurn.objects.filter(_key_filter(keys), counted=True, within_target=False)
        .order_by("shop_id", "day", "session_id")
        .values_list("shop_id", "day", "session_id", "response_seconds")
    )
    for shop_id, day, session_id, seconds in rows:
        found[(shop_id, day)].append((session_id, seconds))
    return found


def _linked_sessions(alert_metric: str, threshold: float, late: list[tuple[int, float | None]]) -> list[int]:
    if alert_metric == QualityAlert.Metric.AVG_RESPONSE:
        late = [(sid, sec) for sid, sec in late if sec is None or sec > threshold]
    return list(dict.fromkeys(sid for sid, _ in late))[:MAX_LINKED_SESSIONS]


@transaction.atomic
def alerts_evaluate(*, keys: set[tuple[int, date]], resolver: TargetResolver | None = None) -> int:
    """Raise or refresh the alerts of these (shop, day) pairs; returns how many were newly raised.

    Set-based: a handful of queries whatever the number of days, so a full recompute stays cheap.
    """
    from compliance.quality.services.metrics import _key_filter

    if not keys:
        return 0
    resolver = resolver or TargetResolver()
    rows = list(ShopDayMetrics.objects.filter(_key_filter(keys)).select_related("shop"))
    wanted: dict[tuple[int, date, str, str], tuple[float, float, str, object]] = {}
    for row in rows:
        targets = resolver.targets(row.shop, row.day)
        for metric, level, value, threshold in breaches_for(row, targets):
            wanted[(row.shop_id, row.day, metric, level)] = (value, threshold, targets.source, row.shop)
    if not wanted:
        return 0
    existing = {
        (a.shop_id, a.day, a.metric, a.level): a for a in QualityAlert.objects.filter(_key_filter(keys))
    }
    now = timezone.now()
    new_alerts, changed = [], []
    for key, (value, threshold, source, _shop) in wanted.items():
        alert = existing.get(key)
        if alert is None:
            new_alerts.append(
                QualityAlert(shop_id=key[0], day=key[1], metric=key[2], level=key[3], value=value,
                             threshold=threshold, source=source)
            )
        else:
            alert.value, alert.threshold, alert.source, alert.updated_at = value, threshold, source, now
            changed.append(alert)
    created = QualityAlert.objects.bulk_create(new_alerts, ignore_conflicts=False)
    QualityAlert.objects.bulk_update(changed, ["value", "threshold", "source", "updated_at"], batch_size=500)
    alerts = created + changed

    culprits = _culprits({(a.shop_id, a.day) for a in alerts})
    through = QualityAlert.sessions.through
    through.objects.filter(qualityalert_id__in=[a.pk for a in changed]).delete()
    links = []
    for alert in alerts:
        for session_id in _linked_sessions(alert.metric, alert.threshold, culprits.get((alert.shop_id, alert.day), [])):
            links.append(through(qualityalert_id=alert.pk, chatsession_id=session_id))
    through.objects.bulk_create(links, batch_size=2000)
    merchants = {shop.pk: shop.merchant_id for *_, shop in wanted.values()}
    AuditEvent.objects.bulk_create(
        AuditEvent(
            verb="quality_alert_raised", object_type=QualityAlert._meta.label_lower, object_id=str(a.pk),
            merchant_id=merchants.get(a.shop_id),
            data={"metric": a.metric, "level": a.level, "value": a.value, "threshold": a.threshold, "day": str(a.day)},
        )
        for a in created
    )
    return len(created)


def alert_acknowledge(*, alert: QualityAlert, by: User) -> QualityAlert:
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = by
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
        audit_record(actor=by, verb="quality_alert_acknowledged", target=alert, merchant_id=alert.shop.merchant_id)
    return alert
