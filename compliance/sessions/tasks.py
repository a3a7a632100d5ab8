"""Celery tasks of the sessions: import, scans and re-scans, demand history; thin wrappers over the services, reporting through agency.Job.

All tasks are safe to run twice and to re-deliver after a worker died (acks_late is on project-wide):
imports are idempotent per message id, and scans replace their own hits chunk by chunk.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from datetime import datetime, timedelta

from celery import shared_task
from django.urls import reverse
from django.utils import timezone

from agency.models import Job, User
from agency.services import job_fail, job_fail_on_error, job_finish, job_progress, job_progress_reporter
from clients.models import Shop
from compliance.sessions.exports import violations_export_run
from compliance.sessions.services import partitions
from compliance.sessions.services.importing import SessionImportError, sessions_import_file
from compliance.sessions.services.retention import buyer_data_retention_run, messages_retention_run
from compliance.sessions.services.scanning import chunk_size, shops_rescan_custom_rules, shops_scan, shops_scan_fan_out

log = logging.getLogger(__name__)


@shared_task(name="compliance.scan_new_messages")
def scan_new_messages(*, shop_id: int, job_id: int | None = None) -> dict:
    """Scan the shop's messages that no rule-set version has scanned yet (after an import). Several of these
    may run at once for one shop, on several workers: they share the backlog chunk by chunk."""
    with job_fail_on_error(job_id=job_id):
        summary = shops_scan(
            shops=Shop.objects.filter(pk=shop_id), progress=job_progress_reporter(job_id=job_id), chunk_size=chunk_size()
        )
    summary["worker"] = f"{socket.gethostname()}:{os.getpid()}"  # which worker did it (several may share)
    if job_id is not None:
        job_finish(job_id=job_id, result=summary, message=f"{summary['messages']} 条消息，{summary['hits']} 处命中")
    return summary


@shared_task(name="compliance.rescan_window")
def rescan_window(
    *, job_id: int | None = None, platform: str | None = None, shop_id: int | None = None,
    since: str, until: str | None = None,
) -> dict:
    """Re-scan a window of messages with each shop's current version (after publishing a rule set)."""
    shops = Shop.objects.all()
    if platform:
        shops = shops.filter(platform=platform)
    if shop_id:
        shops = shops.filter(pk=shop_id)
    with job_fail_on_error(job_id=job_id):
        summary = shops_scan(
            shops=shops.order_by("pk"), since=datetime.fromisoformat(since),
            until=datetime.fromisoformat(until) if until else None, rescan=True,
            progress=job_progress_reporter(job_id=job_id),
        )
    if job_id is not None:
        job_finish(job_id=job_id, result=summary, message=f"{summary['messages']} 条消息，{summary['hits']} 处命中")
    return summary


@shared_task(name="compliance.rescan_custom_rules")
def rescan_custom_rules(*, job_id: int | None = None, shop_ids: list[int], since: str, until: str | None = None) -> dict:
    """Re-scan a window of some shops after a custom rule changed, each message with its own version."""
    with job_fail_on_error(job_id=job_id):
        summary = shops_rescan_custom_rules(
            shops=Shop.objects.filter(pk__in=shop_ids).order_by("pk"), since=datetime.fromisoformat(since),
            until=datetime.fromisoformat(until) if until else None, progress=job_progress_reporter(job_id=job_id),
        )
    if job_id is not None:
        job_finish(job_id=job_id, result=summary, message=f"{summary['messages']} 条消息，{summary['hits']} 处命中")
    return summary


@shared_task(name="compliance.nightly_scan")
def nightly_scan(*, days: int = 2) -> dict:
    """Beat, every night: everything never scanned, and the last `days` days with the current versions."""
    since = timezone.now() - timedelta(days=days)
    shops = Shop.objects.order_by("pk")
    queued = shops_scan_fan_out(shops=shops)
    second = shops_scan(shops=shops, since=since, rescan=True, chunk_size=chunk_size())
    summary = {"unscanned_tasks": queued, "recent": second}
    log.info("nightly scan: %s scan tasks queued, %s recent messages re-scanned", queued, second["messages"])
    return summary


@shared_task(name="compliance.import_sessions_file")
def import_sessions_file(*, job_id: int, path: str, shop_id: int, fmt: str, user_id: int | None = None) -> dict:
    """Import an uploaded file (saved under MEDIA_ROOT by the caller), then scan the new messages.

    The file is removed once the job's outcome is recorded; a re-delivered task finds it still there."""
    shop = Shop.objects.get(pk=shop_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    job_progress(job_id=job_id, progress=0.05, message="读取文件")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        result = sessions_import_file(
            shop=shop, data=data, fmt=fmt, by=user,
            progress=lambda fraction, message: job_progress(job_id=job_id, progress=fraction, message=message),
        )
    except SessionImportError as exc:
        job_fail(job_id=job_id, message=f"{len(exc.errors)} 处错误，未导入任何数据")
        Job.objects.filter(pk=job_id).update(result={"errors": exc.as_dicts()[:1000], "error_count": len(exc.errors)})
        _remove(path)
        return {"errors": len(exc.errors)}
    except Exception as exc:
        job_fail(job_id=job_id, message=str(exc))
        _remove(path)
        raise
    payload = result.as_dict()
    payload["url"] = reverse("compliance:session-list") + f"?shop={shop.code}"
    job_finish(
        job_id=job_id, result=payload,
        message=f"新增 {result.messages_created} 条消息，跳过 {result.messages_skipped} 条已有消息",
    )
    _remove(path)
    return payload


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


@shared_task(name="compliance.demand_history_refresh")
def demand_history_refresh_recent(*, days: int = 2) -> int:
    """Nightly: hand the last days' consultation counts of every shop to staffing's forecasts."""
    from compliance.sessions.services.demand import demand_history_refresh

    today = timezone.localdate()
    return sum(
        demand_history_refresh(shop=shop, first=today - timedelta(days=days), last=today)
        for shop in Shop.objects.filter(sessions__isnull=False).distinct()
    )


@shared_task(name="compliance.messages_partitions_ensure")
def messages_partitions_ensure(*, ahead: int = 3) -> list[str]:
    """Create the coming months' message partitions (and move any month found in the default one)."""
    return partitions.messages_partitions_ensure(ahead=ahead)


@shared_task(name="compliance.buyer_data_retention")
def buyer_data_retention() -> dict:
    """Beat, daily (PIPL): buyers' message text and ids past their contract's retention period are
    pseudonymised; figures and hits keep their counts (`compliance.sessions.services.retention`)."""
    return buyer_data_retention_run()


@shared_task(name="compliance.messages_retention")
def messages_retention() -> dict | None:
    """Beat, daily: months of messages older than MESSAGE_RETENTION_MONTHS are dropped whole, with their
    sessions and hits (`compliance.sessions.services.retention.messages_retention_run`)."""
    result = messages_retention_run()
    return result.as_dict() if result is not None else None


@shared_task(name="compliance.violations_export")
def violations_export(*, job_id: int, user_id: int, filters: dict) -> dict:
    """A big violations CSV written to a file (`compliance.sessions.exports.violations_export_run`)."""
    with job_fail_on_error(job_id=job_id):
        return violations_export_run(job_id=job_id, user_id=user_id, filters=filters)
