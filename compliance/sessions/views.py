"""Pages: session list and viewer, violations list with CSV export, session import.

Every read goes through `compliance.sessions.selectors`, scoped to the caller; message text is masked
(`compliance.masking`) wherever it is shown or exported.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.access import get_visible_or_404
from agency.exports import export_too_big
from agency.http import AuthenticatedHttpRequest
from agency.pagination import COUNT_CAP, CappedPaginator, search_cap, without_parallel_workers
from agency.permissions import MANAGERS, STAFF, STAFF_AND_MERCHANTS, has_role, roles_required
from agency.selectors import jobs_visible_to
from compliance.sessions.exports import violations_csv
from compliance.sessions.forms import ImportForm, SessionFilterForm, ViolationFilterForm
from compliance.sessions.selectors import (
    SEARCH_WINDOW_DAYS,
    ViolationFilter,
    session_list,
    session_messages,
    sessions_visible_to,
    shops_with_sessions_visible_to,
    violation_list,
)
from compliance.sessions.services.exporting import violations_export_start
from compliance.sessions.services.importing import SessionImportError, sessions_import_enqueue, sessions_upload_check
from compliance.sessions.services.retention import (
    buyer_data_list_audit,
    buyer_data_view_audit,
    retention_overview,
)
from compliance.sessions.sessionfile import guess_format

PAGE_SIZE = 50


@roles_required(STAFF_AND_MERCHANTS)
def session_list_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SessionFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else None
    # Finding sessions by their messages' text or agent reads messages per session: count only up to the
    # next page there (the plain list counts sessions alone, cheaply, up to the usual cap), and a text
    # search stops once it has found that many.
    searching = filters is not None and bool(filters.q or filters.agent)
    cap = search_cap(request.GET.get("page"), PAGE_SIZE) if searching else COUNT_CAP
    with without_parallel_workers() if searching else nullcontext():
        sessions = session_list(user=request.user, filters=filters, limit=cap + 1 if searching else None)
        page = CappedPaginator(sessions, PAGE_SIZE, cap=cap).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    buyer_data_list_audit(user=request.user, sessions=page.object_list, where="compliance:session-list")
    window = filters.search_window(today=timezone.localdate()) if filters is not None else None
    return render(request, "compliance/session_list.html", {
        "form": form, "page": page, "can_import": has_role(request.user, STAFF), "search_window": window,
        "search_days": SEARCH_WINDOW_DAYS, "searching": searching,
    })


@roles_required(STAFF_AND_MERCHANTS)
def session_detail_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = get_visible_or_404(sessions_visible_to(user=request.user), pk=pk)
    buyer_data_view_audit(user=request.user, session=session, where="compliance:session-detail")
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
    page = CappedPaginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "compliance/violation_list.html", {"form": form, "page": page})


@roles_required(STAFF_AND_MERCHANTS)
def violation_export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered violations as CSV (UTF-8 with BOM so Excel reads the Chinese), streamed, masked; more
    than EXPORT_STREAM_MAX_ROWS rows: a page offering to run it as a job (POST), then a file to download."""
    form = ViolationFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else ViolationFilter()
    if request.method == "POST":
        job = violations_export_start(by=request.user, filters=filters)
        return redirect("job-detail", job.pk)
    hits = violation_list(user=request.user, filters=filters)
    rows = hits.count()
    if export_too_big(rows=rows):
        return render(request, "agency/export_as_job.html", {"rows": rows, "title": _("导出违规命中")})
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
                try:
                    sessions_upload_check(stream=upload, size=upload.size, fmt=fmt)
                except SessionImportError as exc:
                    form.add_error("file", str(exc.errors[0].message))
                else:
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


@roles_required(MANAGERS)
def retention_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """PIPL: per shop, how long buyers' data is kept, what is still kept in clear and when it is due."""
    return render(request, "compliance/retention.html", {"rows": retention_overview()})
