"""Celery tasks of the sales feature: thin wrappers over the services; the names are fixed (beat and jobs use them)."""

from __future__ import annotations

import contextlib
import os

from celery import shared_task
from django.urls import reverse

from agency.models import Job, User
from agency.services import job_fail, job_fail_on_error, job_finish, job_progress, job_progress_reporter
from clients.models import Shop
from compliance.quality.sales.services.attribution import sales_recompute_all, sales_refresh
from compliance.quality.sales.services.importing import OrderImportError, orders_import_file


@shared_task(name="quality.sales_refresh")
def sales_refresh_task() -> dict:
    """Incremental: new agent messages and imported or changed orders, and the days they touch."""
    return sales_refresh().as_dict()


@shared_task(name="quality.sales_recompute_all")
def sales_recompute_all_task(*, job_id: int | None = None) -> dict:
    with job_fail_on_error(job_id=job_id):
        result = sales_recompute_all(progress=job_progress_reporter(job_id=job_id)).as_dict()
    if job_id is not None:
        job_finish(job_id=job_id, result=result)
    return result


@shared_task(name="quality.import_orders_file")
def import_orders_file(*, job_id: int, path: str, shop_id: int, fmt: str, user_id: int | None = None) -> dict:
    """Import an uploaded order file (kept under MEDIA_ROOT by the caller), then refresh the sales figures."""
    shop = Shop.objects.get(pk=shop_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    job_progress(job_id=job_id, progress=0.05, message="读取文件")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        result = orders_import_file(
            shop=shop, data=data, fmt=fmt, by=user, refresh=False,
            progress=lambda fraction, message: job_progress(job_id=job_id, progress=fraction, message=message),
        )
    except OrderImportError as exc:
        job_fail(job_id=job_id, message=f"{len(exc.errors)} 处错误，未导入任何数据")
        Job.objects.filter(pk=job_id).update(result={"errors": exc.as_dicts()[:1000], "error_count": len(exc.errors)})
        _remove(path)
        return {"errors": len(exc.errors)}
    except Exception as exc:
        job_fail(job_id=job_id, message=str(exc))
        _remove(path)
        raise
    with job_fail_on_error(job_id=job_id):
        job_progress(job_id=job_id, progress=0.7, message="归因")
        sales_refresh()
    payload = result.as_dict()
    payload["url"] = reverse("quality:order-list") + f"?shop={shop.code}"
    job_finish(job_id=job_id, result=payload,
               message=f"新增 {result.orders_created} 个订单，更新 {result.orders_updated} 个")
    _remove(path)
    return payload


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
