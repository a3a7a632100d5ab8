"""The Celery application. Broker and result backend come from settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

app = Celery("agency")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="agency.ping")
def ping(value: int) -> int:
    """Round-trip check used by health checks and tests: echoes the value back, plus one."""
    return value + 1
