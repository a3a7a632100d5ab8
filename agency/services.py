"""Writes on the agency's own data: users, the audit log and background jobs."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from agency.models import AuditEvent, Job, Role, User


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
) -> Job:
    """The one way to start long work: record the `Job`, keep the upload (if any) under
    MEDIA_ROOT/jobs/, and queue the Celery task named `task` once the caller's transaction commits.

    The task receives `job_id=` and, with an upload, `path=` (the kept file) beside `kwargs`. It is
    looked up by its registered name, so a service never imports its feature's `tasks` module (which
    imports the service: a cycle). `upload` is any iterable of byte chunks (an UploadedFile's `chunks()`)."""
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
    transaction.on_commit(lambda: task_queue(name=task, kwargs=arguments))
    return job


def task_queue(*, name: str, kwargs: dict[str, Any] | None = None) -> None:
    """Queue the registered Celery task `name` (eagerly run where the settings say so)."""
    from agency.celery import app, registered_task

    registered_task(app, name).apply_async(kwargs=kwargs or {})


def job_progress(*, job_id: int, progress: float, message: str = "") -> None:
    """Report progress (0..1) from inside a task; cheap enough to call every chunk."""
    fields: dict[str, Any] = {"progress": max(0.0, min(1.0, progress)), "status": Job.Status.RUNNING}
    if message:
        fields["message"] = message
    updated = Job.objects.filter(pk=job_id, started_at__isnull=True).update(started_at=timezone.now(), **fields)
    if not updated:
        Job.objects.filter(pk=job_id).update(**fields)


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
