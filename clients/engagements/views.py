"""Pages of the engagement pipeline: the board, the consultation form, an engagement's page with its
activity log, stage changes and notes. Managers only."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, roles_required
from clients.engagements import selectors, services
from clients.engagements.forms import ConsultationForm, NoteForm, StageForm
from clients.engagements.models import Engagement
from clients.sales import selectors as sales_selectors
from clients.sales.errors import BusinessRuleError
from clients.sales.forms import QuoteTermsForm

BOARD_STAGES = [s for s in Engagement.Stage if s != Engagement.Stage.ENDED]


def _refused(request: AuthenticatedHttpRequest, exc: BusinessRuleError) -> None:
    messages.error(request, exc.message)


@roles_required(MANAGERS)
def engagement_board(request: AuthenticatedHttpRequest) -> HttpResponse:
    engagements = selectors.engagements_visible_to(user=request.user).order_by("next_step_due", "pk")
    columns: dict[str, list[Engagement]] = {stage.value: [] for stage in BOARD_STAGES}
    for engagement in engagements:
        if engagement.stage in columns:
            columns[engagement.stage].append(engagement)
    board = [(stage, columns[stage.value]) for stage in BOARD_STAGES]
    return render(request, "clients/sales/board.html", {"board": board, "today": timezone.localdate()})


@roles_required(MANAGERS)
def engagement_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST or None, initial={"merchant": request.GET.get("merchant")})
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_create(
                merchant=form.cleaned_data["merchant"], by=request.user, shops=list(form.cleaned_data["shops"]),
                **form.details(),
            )
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("clients:engagement-detail", pk=engagement.pk)
    return render(request, "clients/sales/engagement_form.html", {"form": form})


@roles_required(MANAGERS)
def engagement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(selectors.engagements_visible_to(user=request.user), pk=pk)
    form = ConsultationForm(request.POST or None, instance=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update_consultation(
                engagement=Engagement.objects.get(pk=pk), by=request.user, shops=list(form.cleaned_data["shops"]),
                **form.details(),
            )
        except BusinessRuleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("clients:engagement-detail", pk=pk)
    return render(request, "clients/sales/engagement_form.html", {"form": form, "engagement": engagement})


@roles_required(MANAGERS)
def engagement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(selectors.engagements_visible_to(user=request.user), pk=pk)
    return render(request, "clients/sales/engagement_detail.html", {
        "engagement": engagement,
        "activities": selectors.engagement_activities(engagement=engagement),
        "quotes": sales_selectors.quotes_visible_to(user=request.user).filter(engagement=engagement),
        "contracts": sales_selectors.contracts_visible_to(user=request.user).filter(engagement=engagement),
        "stage_form": StageForm(initial={"stage": services.next_stage(engagement.stage)}), "note_form": NoteForm(),
        "quote_form": QuoteTermsForm(),
    })


@roles_required(MANAGERS)
@require_POST
def engagement_stage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(selectors.engagements_visible_to(user=request.user), pk=pk)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.engagement_stage_change(engagement=engagement, to=form.cleaned_data["stage"], by=request.user,
                                             note=form.cleaned_data["note"])
        except BusinessRuleError as exc:
            _refused(request, exc)
    return redirect("clients:engagement-detail", pk=pk)


@roles_required(MANAGERS)
@require_POST
def engagement_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(selectors.engagements_visible_to(user=request.user), pk=pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.engagement_note_add(engagement=engagement, by=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            _refused(request, exc)
    return redirect("clients:engagement-detail", pk=pk)
