"""Celery tasks of forecasting (thin: the services do the work)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from staffing.forecasting.services import forecast_accuracy_score, forecast_snapshots_take


@shared_task(name="staffing.forecast_snapshots_take")
def forecast_snapshots_take_task() -> int:
    """Beat, every evening: keep tomorrow's and next week's forecasts as they stand."""
    return forecast_snapshots_take(today=timezone.localdate())


@shared_task(name="staffing.forecast_accuracy_score")
def forecast_accuracy_score_task(*, days: int = 14) -> int:
    """Beat, every night after the sessions' demand history: score the last `days` days' snapshots."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return forecast_accuracy_score(first=yesterday - timedelta(days=days - 1), last=yesterday)
