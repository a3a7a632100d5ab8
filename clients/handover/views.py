"""Pages for knowledge handover and the knowledge base. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, MANAGERS_AND_MERCHANTS, has_role, require_role
from agency.selectors import jobs_visible_to
from clients.engagements.models import Engagement
from clients.handover import services
from clients.handover.knowledge import knowledge_search, shops_searchable_by
from clients.handover.models import KnowledgeKind
from clients.handover.products import COLUMNS, REQUIRED
from clients.handover.selectors import (
    batch_entries,
    batch_versions,
    batches_visible_to,
    batches_with_counts,
    engagements_visible_to,
)
from clients.merchants.selectors import shops_visible_to

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Larger product files are imported by a Celery task with a progress bar (setting HANDOVER_INLINE_IMPORT_MAX_BYTES).
INLINE_IMPORT_MAX_BYTES = 512 * 1024


class BatchForm(forms.Form):
    engagement = forms.ModelChoiceField(queryset=Engagement.objects.none(), label=gettext_lazy("合作项目"))
    shop = forms.ChoiceField(label=gettext_lazy("店铺"))
    kind = forms.ChoiceField(choices=KnowledgeKind.choices, label=gettext_lazy("类型"))
    title = forms.CharField(max_length=200, label=gettext_lazy("标题"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("说明"))

    def __init__(self, *args, user, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["engagement"]).queryset = engagements_visible_to(user=user).exclude(
            stage__in=[Engagement.Stage.LOST, Engagement.Stage.ENDED]
        )
        shops = shops_visible_to(user=user)
        if engagement is not None:
            shops = shops.filter(merchant_id=engagement.merchant_id)
        self.shops = {str(s.pk): s for s in shops}
        cast(forms.ChoiceField, self.fields["shop"]).choices = [(pk, str(s)) for pk, s in self.shops.items()]


class EntryForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("标题（政策名称、场景或问题）"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label=gettext_lazy("内容（说明、话术或答案）"))


@login_required
def handover_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    engagement = None
    if request.GET.get("engagement"):
        engagement = get_visible_or_404(engagements_visible_to(user=request.user), pk=request.GET["engagement"])
    batches = batches_with_counts(user=request.user, engagement=engagement)
    form = None
    if has_role(request.user, MANAGERS_AND_MERCHANTS):
        initial = {"engagement": engagement.pk} if engagement else {}
        form = BatchForm(user=request.user, initial=initial, engagement=engagement)
    return render(
        request, "clients/handover/list.html", {"batches": batches, "engagement": engagement, "form": form}
    )


@login_required
@require_POST
def handover_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_role(request.user, MANAGERS_AND_MERCHANTS)
    form = BatchForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            batch = services.handover_batch_create(
                engagement=form.cleaned_data["engagement"], shop=form.shops[form.cleaned_data["shop"]],
                kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                note=form.cleaned_data["note"], by=request.user,
            )
        except services.HandoverError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已创建交接批次“%(batch)s”。") % {"batch": batch})
            return redirect("clients:handover-detail", pk=batch.pk)
    batches = batches_with_counts(user=request.user)
    return render(request, "clients/handover/list.html", {"batches": batches, "form": form}, status=400)


def _batch_or_404(request: AuthenticatedHttpRequest, pk: int):
    return get_visible_or_404(batches_visible_to(user=request.user), pk=pk)


@login_required
def handover_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    return _render_detail(request, batch)


def _render_detail(request, batch, *, import_errors=None, entry_form=None, status=200) -> HttpResponse:
    versions = list(batch_versions(batch=batch))
    job = None
    if request.GET.get("job", "").isdigit():
        job = jobs_visible_to(user=request.user).filter(pk=request.GET["job"], kind="handover.products_import").first()
    may_edit = has_role(request.user, MANAGERS_AND_MERCHANTS) and batch.is_open
    context = {
        "batch": batch,
        "entries": batch_entries(batch=batch),
        "versions": versions,
        "is_latest": versions[0].pk == batch.pk,
        "may_edit": may_edit,
        "may_acknowledge": has_role(request.user, MANAGERS) and batch.is_open,
        "may_new_version": (
            has_role(request.user, MANAGERS_AND_MERCHANTS) and not batch.is_open and versions[0].pk == batch.pk
        ),
        "entry_form": entry_form or (EntryForm() if may_edit and batch.kind != KnowledgeKind.PRODUCT else None),
        "import_errors": import_errors,
        "job": job,
        "columns": [(key, aliases[1], key in REQUIRED) for key, aliases in COLUMNS.items()],
    }
    return render(request, "clients/handover/detail.html", context, status=status)


@login_required
@require_POST
def handover_import(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的商品文件（CSV 或 XLSX）。"))
        return redirect("clients:handover-detail", pk=batch.pk)
    size, filename = upload.size, upload.name
    assert size is not None and filename is not None  # Django's upload handlers set both on every file
    if size > MAX_UPLOAD_BYTES:
        messages.error(request, _("文件过大：最大 10 MB。"))
        return redirect("clients:handover-detail", pk=batch.pk)
    if size > getattr(settings, "HANDOVER_INLINE_IMPORT_MAX_BYTES", INLINE_IMPORT_MAX_BYTES):
        job = services.handover_products_import_start(
            batch=batch, chunks=upload.chunks(), filename=filename, by=request.user
        )
        return redirect(f"{reverse('clients:handover-detail', args=[batch.pk])}?job={job.pk}")
    try:
        outcome = services.handover_products_import(
            batch=batch, data=upload.read(), filename=filename, by=request.user
        )
    except services.ProductImportError as exc:
        messages.error(request, str(exc))
        return _render_detail(request, batch, import_errors=exc.messages(), status=400)
    except services.HandoverError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已导入商品：新增 %(created)d，更新 %(updated)d（文件编码 %(encoding)s）。")
            % {"created": outcome.created, "updated": outcome.updated, "encoding": outcome.encoding},
        )
    return redirect("clients:handover-detail", pk=batch.pk)


@login_required
@require_POST
def handover_entry_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    form = EntryForm(request.POST)
    if form.is_valid():
        try:
            services.handover_entry_add(batch=batch, by=request.user, **form.cleaned_data)
        except services.HandoverError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已添加条目。"))
        return redirect("clients:handover-detail", pk=batch.pk)
    return _render_detail(request, batch, entry_form=form, status=400)


@login_required
@require_POST
def handover_entry_remove(request: AuthenticatedHttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    entry = batch.entries.filter(pk=entry_pk).first()
    if entry is None:
        raise Http404
    try:
        services.handover_entry_remove(entry=entry, by=request.user)
    except services.HandoverError as exc:
        messages.error(request, str(exc))
    return redirect("clients:handover-detail", pk=batch.pk)


@login_required
@require_POST
def handover_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    try:
        services.handover_batch_acknowledge(batch=batch, by=request.user)
    except services.HandoverError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认交接批次，内容已生效。"))
    return redirect("clients:handover-detail", pk=batch.pk)


@login_required
@require_POST
def handover_new_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch_or_404(request, pk)
    try:
        successor = services.handover_batch_new_version(batch=batch, by=request.user)
    except services.HandoverError as exc:
        messages.error(request, str(exc))
        return redirect("clients:handover-detail", pk=batch.pk)
    messages.success(request, _("已创建新版本 v%(version)d。") % {"version": successor.version})
    return redirect("clients:handover-detail", pk=successor.pk)


@login_required
def knowledge_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The knowledge base: search as you type (htmx swaps the result list)."""
    shops = list(shops_searchable_by(user=request.user))
    shop = None
    if request.GET.get("shop"):
        shop = next((s for s in shops if s.code == request.GET["shop"]), None)
        if shop is None:
            raise Http404
    kind = request.GET.get("kind", "")
    if kind not in KnowledgeKind.values:
        kind = ""
    query = request.GET.get("q", "").strip()[:100]
    results = list(knowledge_search(user=request.user, query=query, shop=shop, kind=kind))
    context = {"shops": shops, "shop": shop, "kind": kind, "kinds": KnowledgeKind.choices, "q": query,
               "results": results}
    template = "clients/handover/_knowledge_results.html" if request.htmx else "clients/handover/knowledge.html"
    return render(request, template, context)
