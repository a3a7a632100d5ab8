"""The page shell's own pages: dashboard, background-job progress."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.navigation import widgets_for
from agency.permissions import EVERYONE, STAFF, roles_required
from agency.selectors import jobs_visible_to


@roles_required(EVERYONE)
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    widgets = [
        {"template": w.template, **w.context(request)} for w in widgets_for(request.user)
    ]
    return render(request, "agency/dashboard.html", {"widgets": widgets})


@roles_required(STAFF)
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    jobs = jobs_visible_to(user=request.user).select_related("created_by")[:100]
    return render(request, "agency/job_list.html", {"jobs": jobs})


@roles_required(EVERYONE)
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A job's progress. htmx polls it; the partial stops polling once the job is finished."""
    job = get_visible_or_404(jobs_visible_to(user=request.user), pk=pk)
    template = "agency/_job_progress.html" if request.htmx else "agency/job_detail.html"
    return render(request, template, {"job": job})
