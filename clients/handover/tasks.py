"""Large product files are imported by a Celery task that reports through a `Job` (small ones inline)."""

from __future__ import annotations

from pathlib import Path

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _

from agency.models import User
from agency.services import job_fail, job_fail_on_error, job_finish, job_progress
from clients.handover import services
from clients.handover.models import HandoverBatch

MAX_ERRORS_IN_MESSAGE = 30


@shared_task(name="clients.handover_products_import")
def handover_products_import_task(*, job_id: int, batch_id: int, path: str, filename: str, user_id: int) -> None:
    file = Path(path)
    with job_fail_on_error(job_id=job_id):  # anything unforeseen (a lost database) fails the job too
        try:
            job_progress(job_id=job_id, progress=0.1, message=_("正在读取并校验商品文件"))
            batch = HandoverBatch.objects.get(pk=batch_id)
            outcome = services.handover_products_import(
                batch=batch, data=file.read_bytes(), filename=filename, by=User.objects.get(pk=user_id)
            )
        except services.ProductImportError as exc:
            lines = exc.messages()
            more = len(lines) - MAX_ERRORS_IN_MESSAGE
            text = "；".join(lines[:MAX_ERRORS_IN_MESSAGE]) + (_("；另有 %(n)d 处错误") % {"n": more} if more > 0 else "")
            job_fail(job_id=job_id, message=f"{exc} {text}")
        except services.HandoverError as exc:
            job_fail(job_id=job_id, message=str(exc))
        else:
            job_finish(
                job_id=job_id,
                result={"created": outcome.created, "updated": outcome.updated, "encoding": outcome.encoding,
                        "url": reverse("clients:handover-detail", args=[batch_id])},
                message=_("已导入商品：新增 %(created)d，更新 %(updated)d（文件编码 %(encoding)s）。")
                % {"created": outcome.created, "updated": outcome.updated, "encoding": outcome.encoding},
            )
        finally:
            file.unlink(missing_ok=True)
