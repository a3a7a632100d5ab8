"""Notification rules and the deliveries of alerts to them.

- `alerts_notify(alert_ids=…)` runs (as the Celery task `quality.alerts_notify`) when an alert is raised or
  escalated: every active, immediate rule whose owner may see the alert and whose filters match gets one
  delivery per alert. The unique key on (rule, alert) makes a rule hear of an alert at most once, however
  often the task runs, and a delivery is claimed (pending → sending) before it is sent, so two workers
  never send the same one. A rule's alerts of one run go out as one message.
- `alerts_digest_send()` (hourly beat task `quality.alerts_digest`) sends each digest rule, once a local day
  from its hour on, one message with the matching alerts of the last seven days it has not been told of.
- Channels: in-app (the delivery itself is the notification, shown in the user's inbox), e-mail through
  Django's mail settings, and group-robot webhooks (`robots.py` builds the JSON; urllib posts it).
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.access import merchant_ids_visible_to
from agency.models import User
from agency.services import audit_record
from clients.models import Shop
from compliance.quality.alerts.models import AlertDelivery, NotificationRule
from compliance.quality.alerts.robots import robot_accepted, robot_request
from compliance.quality.metrics.models import LEVEL_RANK, QualityAlert

logger = logging.getLogger(__name__)

DIGEST_LOOKBACK_DAYS = 7
RULE_FIELDS = (
    "name", "channel", "robot", "webhook_url", "webhook_secret", "email", "min_level", "metric", "mode",
    "digest_hour", "active",
)


# --------------------------------------------------------------------------------------------- rules
def webhook_host_allowed(url: str) -> bool:
    """Only the robots' own hosts (settings.ALERT_WEBHOOK_HOSTS): a rule cannot make the server call inside."""
    host = (urlsplit(url).hostname or "").lower()
    return host in {h.lower() for h in settings.ALERT_WEBHOOK_HOSTS}


@transaction.atomic
def notification_rule_save(
    *, user: User, data: dict, shops: Iterable[Shop], rule: NotificationRule | None = None
) -> NotificationRule:
    """Create or change one of `user`'s rules (data already validated by `NotificationRuleForm`)."""
    rule = rule or NotificationRule(user=user)
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    if rule.channel != NotificationRule.Channel.WEBHOOK:
        rule.robot, rule.webhook_url, rule.webhook_secret = "", "", ""
    rule.full_clean(exclude=["user"])
    rule.save()
    rule.shops.set(list(shops))
    audit_record(actor=user, verb="notification_rule_saved", target=rule, data={"channel": rule.channel, "mode": rule.mode})
    return rule


def notification_rule_delete(*, rule: NotificationRule, by: User) -> None:
    audit_record(actor=by, verb="notification_rule_deleted", target=rule, data={"name": rule.name})
    rule.delete()


def alerts_acknowledge_bulk(*, alerts: QuerySet[QualityAlert], by: User) -> int:
    """Acknowledge every open alert of `alerts` (already scoped to `by`); returns how many."""
    now = timezone.now()
    with transaction.atomic():
        open_ids = list(alerts.filter(acknowledged_at__isnull=True).values_list("pk", flat=True))
        QualityAlert.objects.filter(pk__in=open_ids, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by
        )
        for alert in QualityAlert.objects.filter(pk__in=open_ids).select_related("shop"):
            audit_record(actor=by, verb="quality_alert_acknowledged", target=alert, merchant_id=alert.shop.merchant_id)
    return len(open_ids)


def deliveries_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    qs = AlertDelivery.objects.filter(rule__user=user, rule__channel=NotificationRule.Channel.IN_APP, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


# ------------------------------------------------------------------------------------------ matching
def _rule_matches(rule: NotificationRule, alert: QualityAlert, visible: set[int] | None) -> bool:
    if visible is not None and alert.shop.merchant_id not in visible:
        return False
    if LEVEL_RANK[alert.level] < LEVEL_RANK[rule.min_level]:
        return False
    if rule.metric and alert.metric != rule.metric:
        return False
    shop_ids = {s.pk for s in rule.shops.all()}
    return not shop_ids or alert.shop_id in shop_ids


def _active_rules(mode: str) -> list[NotificationRule]:
    return list(
        NotificationRule.objects.filter(active=True, mode=mode, user__is_active=True)
        .select_related("user")
        .prefetch_related("shops")
    )


def _claim(rule: NotificationRule, alerts: list[QualityAlert], *, digest: bool) -> list[QualityAlert]:
    """Record a delivery per alert (once per rule, ever) and claim those still pending; returns their alerts."""
    AlertDelivery.objects.bulk_create(
        [AlertDelivery(rule=rule, alert=a, level=a.level, digest=digest) for a in alerts], ignore_conflicts=True
    )
    claimed = []
    pending = AlertDelivery.objects.filter(
        rule=rule, alert__in=[a.pk for a in alerts], status=AlertDelivery.Status.PENDING
    ).values_list("pk", "alert_id")
    by_id = {a.pk: a for a in alerts}
    for delivery_id, alert_id in pending:
        if AlertDelivery.objects.filter(pk=delivery_id, status=AlertDelivery.Status.PENDING).update(
            status=AlertDelivery.Status.SENDING
        ):
            claimed.append(by_id[alert_id])
    return claimed


def _finish(rule: NotificationRule, alerts: list[QualityAlert], error: str) -> None:
    AlertDelivery.objects.filter(rule=rule, alert__in=[a.pk for a in alerts], status=AlertDelivery.Status.SENDING).update(
        status=AlertDelivery.Status.FAILED if error else AlertDelivery.Status.SENT,
        sent_at=None if error else timezone.now(),
        error=error[:300],
    )


# ------------------------------------------------------------------------------------------ messages
def _figure(alert: QualityAlert, value: float) -> str:
    if alert.metric == QualityAlert.Metric.REPLY_RATE:
        return f"{value * 100:.1f}%"
    return _("%(seconds)s 秒") % {"seconds": f"{value:.0f}"}


def _alert_line(alert: QualityAlert) -> str:
    return _("%(shop)s %(day)s %(metric)s %(value)s（阈值 %(threshold)s）：**%(level)s**") % {
        "shop": alert.shop.name, "day": alert.day.isoformat(), "metric": alert.get_metric_display(),
        "value": _figure(alert, alert.value), "threshold": _figure(alert, alert.threshold),
        "level": alert.get_level_display(),
    }


def _message(alerts: list[QualityAlert], *, digest: bool) -> tuple[str, str]:
    """(title, body) in the site's language; the body ends with the alerts page's address."""
    with translation.override(settings.LANGUAGE_CODE):
        if digest:
            title = _("质量告警每日汇总：%(n)s 条") % {"n": len(alerts)}
        elif len(alerts) == 1:
            title = _("质量告警：%(shop)s %(level)s") % {"shop": alerts[0].shop.name, "level": alerts[0].get_level_display()}
        else:
            title = _("质量告警：%(n)s 条") % {"n": len(alerts)}
        lines = [f"- {_alert_line(a)}" for a in alerts]
        link = settings.SITE_URL.rstrip("/") + reverse("quality:alert-list")
        lines.append(_("查看：%(url)s") % {"url": link})
        return title, "\n".join(lines)


def _send(rule: NotificationRule, alerts: list[QualityAlert], *, digest: bool) -> str:
    """Send one message for these alerts by the rule's channel; returns the error ('' when sent)."""
    if rule.channel == NotificationRule.Channel.IN_APP:
        return ""
    title, body = _message(alerts, digest=digest)
    if rule.channel == NotificationRule.Channel.EMAIL:
        address = rule.email or rule.user.email
        if not address:
            return "no e-mail address"
        try:
            send_mail(title, body.replace("**", ""), None, [address])
        except Exception as exc:  # the mail backend's own errors (SMTP, socket) are many
            logger.warning("alert e-mail to %s failed: %s", address, exc)
            return f"e-mail: {exc}"
        return ""
    if not webhook_host_allowed(rule.webhook_url):
        return "webhook host not allowed"
    request = robot_request(
        robot=rule.robot, url=rule.webhook_url, title=title, text=body, secret=rule.webhook_secret,
        now_s=timezone.now().timestamp(),
    )
    http = urllib.request.Request(
        request.url, data=request.json_bytes(), headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=settings.ALERT_WEBHOOK_TIMEOUT) as answer:
            accepted, why = robot_accepted(rule.robot, answer.read(65536))
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        logger.warning("alert webhook %s failed: %s", rule.pk, exc)
        return f"webhook: {exc}"
    return "" if accepted else f"webhook: {why}"


# ------------------------------------------------------------------------------------------- sending
def alerts_notify(*, alert_ids: Iterable[int]) -> int:
    """Hand new or escalated alerts to every matching immediate rule; returns how many deliveries were sent."""
    alerts = list(QualityAlert.objects.filter(pk__in=list(alert_ids)).select_related("shop"))
    if not alerts:
        return 0
    sent = 0
    for rule in _active_rules(NotificationRule.Mode.IMMEDIATE):
        visible = merchant_ids_visible_to(user=rule.user)
        matching = [a for a in alerts if _rule_matches(rule, a, visible)]
        claimed = _claim(rule, matching, digest=False) if matching else []
        if claimed:
            error = _send(rule, claimed, digest=False)
            _finish(rule, claimed, error)
            sent += 0 if error else len(claimed)
    return sent


def alerts_digest_send() -> int:
    """Send the daily digests that are due (hourly beat); returns how many alerts went out in them."""
    now = timezone.now()
    local = timezone.localtime(now)
    sent = 0
    for rule in _active_rules(NotificationRule.Mode.DIGEST):
        if local.hour < rule.digest_hour:
            continue
        if rule.last_digest_at and timezone.localtime(rule.last_digest_at).date() >= local.date():
            continue
        visible = merchant_ids_visible_to(user=rule.user)
        candidates = (
            QualityAlert.objects.filter(day__gte=local.date() - timedelta(days=DIGEST_LOOKBACK_DAYS))
            .exclude(deliveries__rule=rule)
            .select_related("shop")
            .order_by("shop__name", "day", "metric")
        )
        matching = [a for a in candidates if _rule_matches(rule, a, visible)]
        claimed = _claim(rule, matching, digest=True) if matching else []
        if claimed:
            error = _send(rule, claimed, digest=True)
            _finish(rule, claimed, error)
            sent += 0 if error else len(claimed)
        NotificationRule.objects.filter(pk=rule.pk).update(last_digest_at=now)
    return sent

