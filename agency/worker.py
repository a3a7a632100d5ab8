"""What a Celery worker does around every task that runs a `Job` (a task called with `job_id=`).

The Celery app uses `JobTask` as the base class of every task (`task_cls` in `agency.celery`), so no task
has to remember it:
- before the task runs, the job is claimed (`agency.services.job_claim`): running, on this worker, one more
  attempt. A job that is gone, done or already failed (say beat failed it after its first worker vanished,
  and the broker re-delivered the message later) is not run again;
- while it runs, a thread beats the job's heartbeat every JOB_HEARTBEAT_SECONDS, so beat
  (`agency.jobs_fail_stalled`) can tell a long task from a dead worker; the thread dies with the process.
Tasks run eagerly (unit tests, `CELERY_TASK_ALWAYS_EAGER`) skip both: the caller's transaction holds the job.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from celery import Task
from django.conf import settings
from django.db import connection

from agency.services import job_claim, job_heartbeat

log = logging.getLogger(__name__)


class JobTask(Task):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        job_id = kwargs.get("job_id")
        if not isinstance(job_id, int) or self.request.is_eager or self.request.called_directly:
            return super().__call__(*args, **kwargs)
        worker = str(self.request.hostname or "")
        if not job_claim(job_id=job_id, worker=worker):
            log.warning("task %s: job %s is gone or finished; not running it again", self.name, job_id)
            return None
        stop = threading.Event()
        beat = threading.Thread(target=_beat, args=(job_id, stop), name=f"job-{job_id}-heartbeat", daemon=True)
        beat.start()
        try:
            return super().__call__(*args, **kwargs)
        finally:
            stop.set()
            beat.join(timeout=5)


def _beat(job_id: int, stop: threading.Event) -> None:
    interval = max(1, int(settings.JOB_HEARTBEAT_SECONDS))
    try:
        while not stop.wait(interval):
            try:
                job_heartbeat(job_id=job_id)
            except Exception:  # a database hiccup must not end the task; the next beat tries again
                log.warning("heartbeat of job %s failed", job_id, exc_info=True)
    finally:
        connection.close()  # this thread's own connection
