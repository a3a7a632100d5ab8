"""Writes on the agency's own data: users, the audit log and background jobs."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Model, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import AuditEvent, Job, Role, User

log = logging.getLogger(__name__)


def audit_record(
    *, actor: User | None, verb: str, target: Model, merchant_id: int | None = None, data: dict | None = None
) -> AuditEvent:
    """Append one line to the audit log (who did `verb` to `target`)."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        merchant_id=merchant_id,
        data=data or {},
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    merchant_id: int | None = None,
    code: str | None = None,
    email: str = "",
) -> User:
    """Create a user; a merchant user must name their merchant, staff must not."""
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(Role.values)}")
    if role == Role.MERCHANT and not merchant_id:
        raise ValueError("a merchant user must belong to a merchant")
    if role != Role.MERCHANT and merchant_id:
        raise ValueError("only merchant users belong to a merchant")
    user = User(
        username=username,
        role=role,
        display_name=display_name,
        merchant_id=merchant_id,
        code=code,
        email=email,
        is_staff=role == Role.MANAGER,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def job_create(
    *, kind: str, title: str, created_by: User | None = None, merchant_id: int | None = None
) -> Job:
    """Record a piece of long work before it is queued, so a page can show it at once."""
    return Job.objects.create(
        kind=kind,
        title=title,
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
        merchant_id=merchant_id,
    )


class JobQueueError(Exception):
    """The broker did not take the task: the Job is failed and its upload removed. Pages and the API answer
    503 with this message (`agency.middleware`, `agency.api.errors`)."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        super().__init__(_("后台任务队列暂时不可用，任务未能开始（任务 %(job)s 已标记为失败），请稍后重试。") % {"job": job_id})


def job_start(
    *,
    task: str,
    kind: str,
    title: str,
    created_by: User | None = None,
    merchant_id: int | None = None,
    upload: Iterable[bytes] | None = None,
    upload_suffix: str = "",
    kwargs: dict[str, Any] | None = None,
    retryable: bool = False,
) -> Job:
    """The one way to start long work: record the `Job`, keep the upload (if any) under
    MEDIA_ROOT/jobs/, and queue the Celery task named `task` once the caller's transaction commits.

    The task receives `job_id=` and, with an upload, `path=` (the kept file) beside `kwargs`. It is
    looked up by its registered name, so a service never imports its feature's `tasks` module (which
    imports the service: a cycle). `upload` is any iterable of byte chunks (an UploadedFile's `chunks()`).
    `retryable` says the task may simply run again after a failure (it is idempotent and its inputs are
    kept): the job's page then offers to retry it (`job_retry`).

    If the broker refuses or does not answer within its short timeouts, the job is failed, its upload
    removed, and `JobQueueError` raised (at the caller's commit)."""
    job = job_create(kind=kind, title=title, created_by=created_by, merchant_id=merchant_id)
    arguments: dict[str, Any] = {"job_id": job.pk, **(kwargs or {})}
    if upload is not None:
        folder = Path(settings.MEDIA_ROOT) / "jobs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}{upload_suffix[:12]}"
        with path.open("wb") as handle:
            for chunk in upload:
                handle.write(chunk)
        arguments["path"] = str(path)
    Job.objects.filter(pk=job.pk).update(task=task, arguments=arguments, retryable=retryable)
    job.task, job.arguments, job.retryable = task, arguments, retryable
    transaction.on_commit(lambda: _job_queue(job_id=job.pk, task=task, arguments=arguments))
    return job


def _job_queue(*, job_id: int, task: str, arguments: dict[str, Any]) -> None:
    from agency.celery import app, registered_task

    runner = registered_task(app, task)  # an unknown name is a programming error: raised as it is
    if app.conf.task_always_eager:  # run here and now: the task's own errors are not the broker's
        runner.apply_async(kwargs=arguments)
        return
    try:
        runner.apply_async(kwargs=arguments)
    except Exception as exc:  # kombu and redis raise many kinds of connection and timeout errors
        log.warning("could not queue job %s (%s): %s", job_id, task, exc)
        job_fail(job_id=job_id, message=str(_("后台任务队列不可用，任务未能开始：%(error)s") % {"error": exc}))
        job_upload_remove(path=arguments.get("path"))
        Job.objects.filter(pk=job_id).update(retryable=False)
        raise JobQueueError(job_id) from exc


def job_upload_remove(*, path: str | None) -> None:
    """Remove a job's kept upload, if it is one (only files under MEDIA_ROOT/jobs/ are ever removed)."""
    if not path:
        return
    folder = (Path(settings.MEDIA_ROOT) / "jobs").resolve()
    target = Path(path).resolve()
    if target.parent == folder:
        target.unlink(missing_ok=True)


def task_queue(*, name: str, kwargs: dict[str, Any] | None = None, countdown: float | None = None) -> None:
    """Queue the registered Celery task `name` (eagerly run where the settings say so), after `countdown`
    seconds when given."""
    from agency.celery import app, registered_task

    task = registered_task(app, name)
    if countdown is None:
        task.apply_async(kwargs=kwargs or {})
    else:
        task.apply_async(kwargs=kwargs or {}, countdown=countdown)


def job_claim(*, job_id: int, worker: str) -> bool:
    """A worker is about to run the job's task: record it (running, one more attempt, a fresh heartbeat).
    False when the job no longer wants running: it is gone, done, or failed (for instance failed by
    `jobs_fail_stalled` before the broker re-delivered its task); the worker then skips the task."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.RUNNING, worker=worker[:200], heartbeat_at=now, attempts=F("attempts") + 1,
        started_at=Coalesce(F("started_at"), Value(now)),
    )
    return bool(claimed)


def job_heartbeat(*, job_id: int) -> None:
    """The worker running the job is alive (called every JOB_HEARTBEAT_SECONDS while its task runs)."""
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())


def jobs_fail_stalled(*, now: datetime | None = None) -> int:
    """Beat: fail the running jobs whose worker stopped beating (killed, out of memory, machine gone) and the
    jobs that never left the queue, each with a message saying so. Returns how many were failed."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.JOB_HEARTBEAT_TIMEOUT)
    queued_before = now - timedelta(seconds=settings.JOB_QUEUED_TIMEOUT)
    failed = 0
    running = Job.objects.filter(status=Job.Status.RUNNING).filter(
        Q(heartbeat_at__lt=lost_before) | Q(heartbeat_at__isnull=True, started_at__lt=lost_before)
    )
    for job in running.only("pk", "heartbeat_at", "started_at", "worker"):
        last = timezone.localtime(job.heartbeat_at or job.started_at or now)
        message = _("执行任务的后台进程已失联（%(worker)s 最后心跳 %(at)s），任务未完成。") % {
            "worker": job.worker or "?", "at": f"{last:%Y-%m-%d %H:%M:%S}",
        }
        failed += Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED, message=str(message), finished_at=now
        )
    failed += Job.objects.filter(status=Job.Status.QUEUED, created_at__lt=queued_before).update(
        status=Job.Status.FAILED, finished_at=now,
        message=str(_("任务排队超过 %(hours)s 小时仍未开始，已放弃。") % {"hours": settings.JOB_QUEUED_TIMEOUT // 3600}),
    )
    return failed


def job_can_retry(job: Job) -> bool:
    """A failed job may run again when its task is idempotent and what it reads is still there."""
    if job.status != Job.Status.FAILED or not job.retryable or not job.task:
        return False
    path = job.upload_path
    return path is None or Path(path).exists()


@transaction.atomic
def job_retry(*, job: Job, by: User) -> Job:
    """Queue a failed job's task again with the same arguments (the same job, so its page keeps polling)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if not job_can_retry(job):
        raise ValueError(str(_("这个任务不能重试。")))
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.QUEUED, progress=0.0, message="", result={}, finished_at=None, heartbeat_at=None
    )
    audit_record(actor=by, verb="job.retry", target=job, merchant_id=job.merchant_id)
    task, arguments = job.task, dict(job.arguments)
    transaction.on_commit(lambda: _job_queue(job_id=job.pk, task=task, arguments=arguments))
    job.refresh_from_db()
    return job


def job_progress(*, job_id: int, progress: float, message: str = "") -> None:
    """Report progress (0..1) from inside a task; cheap enough to call every chunk. Also a heartbeat."""
    fields: dict[str, Any] = {
        "progress": max(0.0, min(1.0, progress)), "status": Job.Status.RUNNING, "heartbeat_at": timezone.now(),
    }
    if message:
        fields["message"] = message
    live = Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    updated = live.filter(started_at__isnull=True).update(started_at=timezone.now(), **fields)
    if not updated:
        live.update(**fields)


def job_finish(*, job_id: int, result: dict | None = None, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, progress=1.0, result=result or {}, message=message, finished_at=timezone.now()
    )


def job_fail(*, job_id: int, message: str, result: dict | None = None) -> None:
    """Mark the job failed; `result` (e.g. the `url` of the page that says why) is kept when given."""
    fields: dict[str, Any] = {"status": Job.Status.FAILED, "message": message, "finished_at": timezone.now()}
    if result is not None:
        fields["result"] = result
    Job.objects.filter(pk=job_id).update(**fields)


def job_progress_reporter(*, job_id: int | None, step: float = 0.02) -> Callable[[int, int], None] | None:
    """A `report(done, total)` callback for services that count their work, writing the job's progress
    only when it moved by `step` (or the work is done), so a chunked loop does not write on every chunk.
    None when there is no job (a beat run), which services take as "do not report"."""
    if job_id is None:
        return None
    last = [-1.0]

    def report(done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        if fraction - last[0] >= step or done == total:
            last[0] = fraction
            job_progress(job_id=job_id, progress=fraction, message=f"{done}/{total}")

    return report


@contextmanager
def job_fail_on_error(*, job_id: int | None, prefix: str = "") -> Iterator[None]:
    """Wrap a task's work: an unexpected exception marks the job failed (`prefix` + the exception's text)
    and is raised again, so a page never polls a job whose worker gave up. No job id: nothing recorded."""
    try:
        yield
    except Exception as exc:
        if job_id is not None:
            job_fail(job_id=job_id, message=f"{prefix}{exc}")
        raise
