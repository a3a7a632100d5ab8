"""The Celery application. Broker and result backend come from settings (CELERY_* names).

Every feature's `tasks` module is found by walking the apps (`agency.features`), so no task module is
imported by hand; services queue tasks by their registered name (`agency.services.task_queue`)."""

import os

from celery import Celery
from celery.app.task import Task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings")

# Every task's base class claims its Job and beats its heartbeat while it runs (`agency.worker`); named by
# string, so this module imports nothing of ours.
app = Celery("agency", task_cls="agency.worker:JobTask")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _task_packages() -> list[str]:
    from agency.features import feature_packages

    return list(feature_packages())


app.autodiscover_tasks(_task_packages)


def registered_task(celery_app: Celery, name: str) -> Task:
    """The task registered as `name`, importing every feature's tasks module first if a web process has
    not yet done so (a worker imports them at start)."""
    if name not in celery_app.tasks:
        celery_app.loader.import_default_modules()
    return celery_app.tasks[name]


@app.task(name="agency.ping")
def ping(value: int) -> int:
    """Round-trip check used by health checks and tests: echoes the value back, plus one."""
    return value + 1
