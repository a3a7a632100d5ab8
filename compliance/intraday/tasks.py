"""Celery: re-forecast today's intraday figures for every shop every few minutes (beat)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from compliance.intraday.services import intraday_refresh


@shared_task(name="compliance.intraday_refresh")
def intraday_refresh_task() -> int:
    return intraday_refresh(day=timezone.localdate())
