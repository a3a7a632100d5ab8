"""The page shell's own pages: dashboard, background-job progress."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.models import Job
from agency.navigation import todos_for, widgets_for
from agency.permissions import EVERYONE, STAFF, roles_required
from agency.selectors import jobs_visible_to
from agency.services import job_can_retry, job_retry


@roles_required(EVERYONE)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    widgets = [
        {"template": w.template, **w.context(request)} for w in widgets_for(request.user)
    ]
    return render(request, "agency/dashboard.html", {"todos": todos_for(request), "widgets": widgets})


@roles_required(STAFF)
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    jobs = jobs_visible_to(user=request.user).select_related("created_by")
    status = request.GET.get("status", "")
    if status in Job.Status.values:
        jobs = jobs.filter(status=status)
    page = Paginator(jobs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "agency/job_list.html", {"jobs": page.object_list, "page": page, "status": status})


@roles_required(EVERYONE)
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A job's progress. htmx polls it; the partial stops polling once the job is finished."""
    job = get_visible_or_404(jobs_visible_to(user=request.user), pk=pk)
    template = "agency/_job_progress.html" if request.htmx else "agency/job_detail.html"
    return render(request, template, {"job": job, "can_retry": job_can_retry(job)})


@roles_required(EVERYONE)
@require_POST
def job_retry_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Queue a failed, retryable job again (its page polls it as before)."""
    job = get_visible_or_404(jobs_visible_to(user=request.user), pk=pk)
    if not job_can_retry(job):
        messages.error(request, _("这个任务不能重试。"))
    else:
        job_retry(job=job, by=request.user)
        messages.success(request, _("任务已重新排队。"))
    return redirect("job-detail", pk=job.pk)


@roles_required(EVERYONE)
def job_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The file a finished export job wrote (`agency.exports.export_write`), for whoever may see the job."""
    job = get_visible_or_404(jobs_visible_to(user=request.user), pk=pk)
    name = job.result.get("file") if job.status == job.Status.DONE and isinstance(job.result, dict) else None
    folder = (Path(settings.MEDIA_ROOT) / "exports").resolve()
    path = (folder / name).resolve() if isinstance(name, str) and name else None
    if path is None or path.parent != folder or not path.is_file():
        raise Http404(_("文件已不存在。"))
    filename = str(job.result.get("filename") or path.name)
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename)
