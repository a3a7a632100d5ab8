"""Notification rules and the deliveries of alerts to them.

- `alerts_notify(alert_ids=…)` runs (as the Celery task `quality.alerts_notify`) when an alert is raised or
  escalated: every active, immediate rule whose owner may see the alert and whose filters match gets one
  delivery per alert. The unique key on (rule, alert) makes a rule hear of an alert at most once, however
  often the task runs, and a delivery is claimed (pending → sending) before it is sent, so two workers
  never send the same one. A rule's alerts of one run go out as one message.
- `alerts_digest_send()` (hourly beat task `quality.alerts_digest`) sends each digest rule, once a local day
  from its hour on, one message with the matching alerts of the last seven days it has not been told of.
- Channels: in-app (the delivery itself is the notification, shown in the user's inbox), e-mail through
  Django's mail settings, and group-robot webhooks (`robots.py` builds the JSON; urllib posts it). Messages
  are written in the rule's language (`NotificationRule.language`).
- A send that failed for a reason that may pass (a mail server or robot that did not answer) is tried again
  by the task `quality.alert_deliveries_retry`, after 1, 2, 4, 8 and 16 minutes; a refusal (no address, a
  host not allowed, a robot that answered with an error) is final. The retry claims the failed delivery back
  first, so an alert still reaches a rule at most once.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import timedelta
from typing import NamedTuple
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
from agency.services import audit_record, task_queue
from clients.models import Shop
from compliance.quality.alerts.models import AlertDelivery, NotificationRule
from compliance.quality.alerts.robots import robot_accepted, robot_request
from compliance.quality.metrics.models import LEVEL_RANK, QualityAlert

logger = logging.getLogger(__name__)

DIGEST_LOOKBACK_DAYS = 7
RETRY_TASK = "quality.alert_deliveries_retry"
RETRY_BASE_SECONDS = 60  # the first retry after a minute, then doubling (the task's own backoff)
RETRY_MAX = 5
RULE_FIELDS = (
    "name", "channel", "robot", "webhook_url", "webhook_secret", "email", "min_level", "metric", "mode",
    "digest_hour", "language", "active",
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


def _message(alerts: list[QualityAlert], *, digest: bool, language: str) -> tuple[str, str]:
    """(title, body) in the rule's language; the body ends with the alerts page's address."""
    with translation.override(language or settings.LANGUAGE_CODE):
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


class SendFailure(NamedTuple):
    """Why a message was not sent, and whether trying again later may help (a network or mail server that did
    not answer) or not (no address, a host not allowed, a robot that refused the message)."""

    error: str
    transient: bool


def _send(rule: NotificationRule, alerts: list[QualityAlert], *, digest: bool) -> SendFailure | None:
    """Send one message for these alerts by the rule's channel; None when sent."""
    if rule.channel == NotificationRule.Channel.IN_APP:
        return None
    title, body = _message(alerts, digest=digest, language=rule.language)
    if rule.channel == NotificationRule.Channel.EMAIL:
        address = rule.email or rule.user.email
        if not address:
            return SendFailure("no e-mail address", transient=False)
        try:
            send_mail(title, body.replace("**", ""), None, [address])
        except Exception as exc:  # the mail backend's own errors (SMTP, socket) are many
            logger.warning("alert e-mail to %s failed: %s", address, exc)
            return SendFailure(f"e-mail: {exc}", transient=True)
        return None
    if not webhook_host_allowed(rule.webhook_url):
        return SendFailure("webhook host not allowed", transient=False)
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
        return SendFailure(f"webhook: {exc}", transient=True)
    return None if accepted else SendFailure(f"webhook: {why}", transient=False)


def _deliver(rule: NotificationRule, claimed: list[QualityAlert], *, digest: bool) -> int:
    """Send the claimed alerts, record the outcome; a failure that may pass is tried again later by a task
    (`quality.alert_deliveries_retry`, with growing pauses). Returns how many alerts went out."""
    failure = _send(rule, claimed, digest=digest)
    _finish(rule, claimed, failure.error if failure else "")
    if failure and failure.transient:
        kwargs = {"rule_id": rule.pk, "alert_ids": [a.pk for a in claimed], "digest": digest}
        transaction.on_commit(lambda: task_queue(name=RETRY_TASK, kwargs=kwargs, countdown=RETRY_BASE_SECONDS))
    return 0 if failure else len(claimed)


def alert_deliveries_retry(*, rule_id: int, alert_ids: Iterable[int], digest: bool) -> bool:
    """Try again the failed deliveries of these alerts to this rule: each is claimed back from failed (so two
    workers never both send it, and a delivery that went out is never sent again) and sent as one message.
    Returns True when another try may help (the failure was transient again)."""
    rule = NotificationRule.objects.filter(pk=rule_id, active=True).select_related("user").first()
    if rule is None or not rule.user.is_active:
        return False
    alerts = {a.pk: a for a in QualityAlert.objects.filter(pk__in=list(alert_ids)).select_related("shop")}
    claimed = [
        alerts[alert_id] for delivery_id, alert_id in AlertDelivery.objects.filter(
            rule=rule, alert__in=list(alerts), status=AlertDelivery.Status.FAILED).values_list("pk", "alert_id")
        if AlertDelivery.objects.filter(pk=delivery_id, status=AlertDelivery.Status.FAILED).update(
            status=AlertDelivery.Status.SENDING)
    ]
    if not claimed:
        return False
    failure = _send(rule, claimed, digest=digest)
    _finish(rule, claimed, failure.error if failure else "")
    return bool(failure and failure.transient)


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
            sent += _deliver(rule, claimed, digest=False)
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
            sent += _deliver(rule, claimed, digest=True)
        NotificationRule.objects.filter(pk=rule.pk).update(last_digest_at=now)
    return sent

