"""Celery tasks of the alert notifications: thin wrappers over the services. Names are fixed (the metrics
services queue `quality.alerts_notify` by name; the beat schedule runs `quality.alerts_digest`)."""

from __future__ import annotations

from celery import shared_task

from compliance.quality.alerts.services import alerts_digest_send, alerts_notify


@shared_task(name="quality.alerts_notify")
def alerts_notify_task(alert_ids: list[int]) -> int:
    return alerts_notify(alert_ids=alert_ids)


@shared_task(name="quality.alerts_digest")
def alerts_digest_task() -> int:
    return alerts_digest_send()
