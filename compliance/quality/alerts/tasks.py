"""Celery tasks of the alert notifications: thin wrappers over the services. Names are fixed (the metrics
services queue `quality.alerts_notify` by name; the beat schedule runs `quality.alerts_digest`)."""

from __future__ import annotations

import logging

from celery import shared_task

from compliance.quality.alerts.services import (
    RETRY_BASE_SECONDS,
    RETRY_MAX,
    alert_deliveries_retry,
    alerts_digest_send,
    alerts_notify,
)

logger = logging.getLogger(__name__)


@shared_task(name="quality.alerts_notify")
def alerts_notify_task(alert_ids: list[int]) -> int:
    return alerts_notify(alert_ids=alert_ids)


@shared_task(name="quality.alert_deliveries_retry", bind=True, max_retries=RETRY_MAX - 1)
def alert_deliveries_retry_task(self, *, rule_id: int, alert_ids: list[int], digest: bool) -> None:
    """One more try of deliveries whose send failed for a reason that may pass; again later, each pause twice
    the last (2, 4, 8, 16 minutes after the first retry), until it goes out or the tries run out."""
    if not alert_deliveries_retry(rule_id=rule_id, alert_ids=alert_ids, digest=digest):
        return
    if self.request.retries >= RETRY_MAX - 1:  # the deliveries stay failed, with their error, on the rules page
        logger.warning("alert deliveries of rule %s still failing after %s tries", rule_id, RETRY_MAX)
        return
    raise self.retry(countdown=RETRY_BASE_SECONDS * 2 ** (self.request.retries + 1))


@shared_task(name="quality.alerts_digest")
def alerts_digest_task() -> int:
    return alerts_digest_send()
