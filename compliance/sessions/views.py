"""Pages: session list and viewer, violations list with CSV export, session import.

Every read goes through `compliance.sessions.selectors`, scoped to the caller; message text is masked
(`compliance.masking`) wherever it is shown or exported.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import STAFF, STAFF_AND_MERCHANTS, has_role, roles_required
from agency.selectors import jobs_visible_to
from compliance.sessions.exports import violations_csv
from compliance.sessions.forms import ImportForm, SessionFilterForm, ViolationFilterForm
from compliance.sessions.selectors import (
    session_list,
    session_messages,
    sessions_visible_to,
    shops_with_sessions_visible_to,
    violation_list,
)
from compliance.sessions.services.importing import sessions_import_enqueue
from compliance.sessions.sessionfile import guess_format

PAGE_SIZE = 50


@roles_required(STAFF_AND_MERCHANTS)
def session_list_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET or None, user=request.user)
    sessions = session_list(user=request.user, filters=form.filters() if form.is_bound else None)
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/session_list.html", {
        "form": form, "page": page, "can_import": has_role(request.user, STAFF),
    })


@roles_required(STAFF_AND_MERCHANTS)
def session_detail_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_visible_or_404(sessions_visible_to(user=request.user), pk=pk)
    messages = session_messages(session=session)
    hit_total = sum(len(m.current_hits) for m in messages)
    return render(
        request, "compliance/session_detail.html",
        {"session": session, "chat": messages, "hit_total": hit_total},
    )


@roles_required(STAFF_AND_MERCHANTS)
def violation_list_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ViolationFilterForm(request.GET or None, user=request.user)
    hits = violation_list(user=request.user, filters=form.filters() if form.is_bound else None)
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/violation_list.html", {"form": form, "page": page})


@roles_required(STAFF_AND_MERCHANTS)
def violation_export(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The filtered violations as CSV (UTF-8 with BOM so Excel reads the Chinese), streamed, masked."""
    form = ViolationFilterForm(request.GET or None, user=request.user)
    hits = violation_list(user=request.user, filters=form.filters() if form.is_bound else None)
    response = StreamingHttpResponse(violations_csv(hits), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="violations-{stamp}.csv"'
    return response


@roles_required(STAFF)
def session_import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a file; it is imported (then scanned) as a background Job whose progress this page shows."""
    job = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            fmt = form.cleaned_data["format"] or guess_format(upload.name)
            if fmt is None:
                form.add_error("format", _("无法从文件名判断格式，请选择格式。"))
            else:
                shop = get_visible_or_404(shops_with_sessions_visible_to(user=request.user), code=form.cleaned_data["shop"])
                job = sessions_import_enqueue(
                    shop=shop, chunks=upload.chunks(), fmt=fmt, filename=upload.name, by=request.user
                )
                return redirect(reverse("compliance:session-import") + f"?job={job.pk}")
    else:
        form = ImportForm(user=request.user)
        job_id = request.GET.get("job")
        if job_id:
            job = get_visible_or_404(jobs_visible_to(user=request.user), pk=job_id)
            if request.htmx:
                return render(request, "compliance/_import_job.html", {"job": job})
    return render(request, "compliance/session_import.html", {"form": form, "job": job})
