"""Celery tasks of the quality app (autodiscovered). Each part keeps its tasks in its own module."""

from compliance.quality.metric_tasks import (  # noqa: F401
    metrics_recompute_all_task,
    metrics_refresh_new_task,
    metrics_refresh_recent_task,
    metrics_refresh_sessions_task,
)
