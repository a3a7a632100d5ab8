"""Celery discovers `clients.tasks`; the app's tasks live beside the code they serve."""

from clients.handover.tasks import handover_products_import_task  # noqa: F401
