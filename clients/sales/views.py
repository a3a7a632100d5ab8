"""Pages of the commercial lifecycle: quotes, contracts, the price book (manager) and the merchant's portal
pages to accept a quote and sign a contract. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.forms import form_errors_text
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, MANAGERS_AND_MERCHANTS, MERCHANTS, has_role, roles_required
from clients.engagements import selectors as engagement_selectors
from clients.sales import documents, selectors, services
from clients.sales.errors import BusinessRuleError
from clients.sales.forms import (
    AmendmentForm,
    ContractForm,
    DecisionForm,
    QuoteTermsForm,
    ReviseForm,
    SignForm,
)
from clients.sales.lines import alternative_display, line_display, surge_display
from clients.sales.models import Contract, Quote

PER_PAGE = 50  # quotes and contracts per page of their lists


def _refused(request: AuthenticatedHttpRequest, exc: BusinessRuleError) -> None:
    messages.error(request, exc.message)


# ---------------------------------------------------------------- quotes


@roles_required(MANAGERS)
@require_POST
def quote_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(engagement_selectors.engagements_visible_to(user=request.user), pk=pk)
    form = QuoteTermsForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("clients:engagement-detail", pk=pk)
    try:
        quote = services.quote_create(engagement=engagement, by=request.user, **form.terms())
    except BusinessRuleError as exc:
        _refused(request, exc)
        return redirect("clients:engagement-detail", pk=pk)
    return redirect("clients:quote-detail", pk=quote.pk)


@roles_required(MANAGERS_AND_MERCHANTS)
def quote_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    quotes = selectors.quotes_visible_to(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(quotes, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "clients/sales/quote_list.html", {"quotes": page.object_list, "page": page})


def _revision_or_404(request: AuthenticatedHttpRequest, quote: Quote, number: int | None):
    number = number or quote.current_revision
    revision = selectors.revision_visible_to(user=request.user, quote=quote, number=number)
    if revision is None:
        raise Http404
    return revision


@roles_required(MANAGERS)
def quote_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = get_visible_or_404(selectors.quotes_visible_to(user=request.user), pk=pk)
    number = request.GET.get("rev")
    revision = _revision_or_404(request, quote, int(number) if number and number.isdigit() else None)
    inputs = revision.inputs
    revise_form = ReviseForm(request.POST or None, initial={
        "base_revision": quote.current_revision, "platform": revision.platform, "valid_until": revision.valid_until,
        "term_months": revision.term_months, "addons": ",".join(inputs.get("addons", [])),
        "aht_seconds": inputs.get("aht_seconds"), "concurrency": inputs.get("concurrency"),
        "service_level_pct": inputs.get("service_level_pct"), "shrinkage_pct": inputs.get("shrinkage_pct"),
        "note": revision.note, "price_book": revision.price_book_id,
    })
    if request.method == "POST" and revise_form.is_valid():
        try:
            new = services.quote_revise(quote=quote, base_revision=revise_form.cleaned_data["base_revision"],
                                        by=request.user, **revise_form.terms())
        except BusinessRuleError as exc:
            _refused(request, exc)
            status = exc.status_code if exc.status_code == 409 else 200
            return render(request, "clients/sales/quote_detail.html", _quote_context(
                request, quote, revision, revise_form), status=status)
        messages.success(request, _("已生成第 %(n)d 版") % {"n": new.number})
        return redirect("clients:quote-detail", pk=pk)
    return render(request, "clients/sales/quote_detail.html", _quote_context(request, quote, revision, revise_form))


def _quote_context(request, quote, revision, revise_form=None, *, agency: bool = True) -> dict:
    """The quote page's context: the merchant reads business terms; the agency also the seats' derivation."""
    return {
        "quote": quote, "revision": revision, "revisions": selectors.quote_revisions(quote=quote),
        "terms": documents.business_rows(revision, translate=True),
        "rows": documents.derivation_rows(revision, translate=True) if agency else [],
        "lines": [line_display(line) for line in revision.lines],
        "surges": [surge_display(surge) for surge in revision.surges],
        "alternatives": [alternative_display(alt) for alt in revision.alternatives],
        "revise_form": revise_form, "contract_form": ContractForm(
            initial={"start_date": timezone.localdate()}),
        "is_latest": revision.number == quote.current_revision, "today": timezone.localdate(),
        "contract": getattr(revision, "contract", None) if hasattr(revision, "contract") else None,
    }


@roles_required(MANAGERS)
@require_POST
def quote_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = get_visible_or_404(selectors.quotes_visible_to(user=request.user), pk=pk)
    try:
        services.quote_send(quote=quote, revision=int(request.POST.get("revision", 0)), by=request.user)
        messages.success(request, _("报价已发送给商家"))
    except BusinessRuleError as exc:
        _refused(request, exc)
    return redirect("clients:quote-detail", pk=pk)


@roles_required(MANAGERS_AND_MERCHANTS)
def quote_pdf(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    quote = get_visible_or_404(selectors.quotes_visible_to(user=request.user), pk=pk)
    revision = _revision_or_404(request, quote, number)
    response = HttpResponse(documents.quote_pdf(revision), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}-v{revision.number}.pdf"'
    return response


# ---------------------------------------------------------------- contracts


@roles_required(MANAGERS)
@require_POST
def contract_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = get_visible_or_404(selectors.quotes_visible_to(user=request.user), pk=pk)
    form = ContractForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return redirect("clients:quote-detail", pk=pk)
    try:
        contract = services.contract_create(quote=quote, by=request.user, **form.cleaned_data)
    except BusinessRuleError as exc:
        _refused(request, exc)
        return redirect("clients:quote-detail", pk=pk)
    return redirect("clients:contract-detail", pk=contract.pk)


@roles_required(MANAGERS_AND_MERCHANTS)
def contract_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    contracts = selectors.contracts_visible_to(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(contracts, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "clients/sales/contract_list.html", {"contracts": page.object_list, "page": page})


def _contract_context(request, contract: Contract) -> dict:
    signatures = list(contract.signatures.all())
    party = "merchant" if has_role(request.user, MERCHANTS) else "agency"
    signed = next((s for s in signatures if s.party == party), None)
    return {
        "contract": contract, "signatures": signatures, "amendments": contract.amendments.defer("pdf"),
        "my_signature": signed, "sign_form": SignForm(initial={
            "document_sha256": contract.pdf_sha256,
            "signer_name": request.user.display_name or request.user.username,
            "signer_company": contract.merchant.name if party == "merchant" else documents.agency_company(),
            "method": "typed",
        }),
        "amend_form": AmendmentForm(),
    }


@roles_required(MANAGERS)
def contract_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    return render(request, "clients/sales/contract_detail.html", _contract_context(request, contract))


@roles_required(MANAGERS)
@require_POST
def contract_send(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    try:
        services.contract_send(contract=contract, by=request.user)
        messages.success(request, _("合同已发出，等待双方签署"))
    except BusinessRuleError as exc:
        _refused(request, exc)
    return redirect("clients:contract-detail", pk=pk)


def _sign(request: AuthenticatedHttpRequest, contract: Contract) -> None:
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return
    data = form.cleaned_data
    try:
        services.contract_sign(
            contract=contract, by=request.user, signer_name=data["signer_name"],
            document_sha256=data["document_sha256"], signer_title=data["signer_title"],
            signer_company=data["signer_company"], signature_png=data.get("signature_bytes"),
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.headers.get("User-Agent", ""),
        )
        messages.success(request, _("已签署"))
    except BusinessRuleError as exc:
        _refused(request, exc)


@roles_required(MANAGERS)
@require_POST
def contract_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    _sign(request, contract)
    return redirect("clients:contract-detail", pk=pk)


@roles_required(MANAGERS)
@require_POST
def contract_amend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
    else:
        try:
            services.contract_amend(contract=contract, by=request.user, **form.cleaned_data)
            messages.success(request, _("补充协议已生成"))
        except BusinessRuleError as exc:
            _refused(request, exc)
    return redirect("clients:contract-detail", pk=pk)


@roles_required(MANAGERS_AND_MERCHANTS)
def contract_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    data = bytes(Contract.objects.values_list("pdf", flat=True).get(pk=contract.pk) or b"")
    if not data:  # a draft: show what it would look like, marked as not stored
        data = documents.contract_pdf(contract)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.number}.pdf"'
    return response


@roles_required(MANAGERS_AND_MERCHANTS)
def contract_signed_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The signed copy: both signatures in the signature block and the signing certificate page."""
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    signatures = list(contract.signatures.select_related("signed_by"))
    if not signatures:
        raise Http404
    response = HttpResponse(documents.signed_contract_pdf(contract, signatures), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.number}-signed.pdf"'
    return response


@roles_required(MANAGERS_AND_MERCHANTS)
def amendment_pdf(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    amendment = get_visible_or_404(contract.amendments.all(), number=number)
    response = HttpResponse(bytes(amendment.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{amendment}.pdf"'
    return response


# ---------------------------------------------------------------- merchant's portal


@roles_required(MERCHANTS)
def portal_quote(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    quote = get_visible_or_404(selectors.quotes_visible_to(user=request.user), pk=pk)
    revision = _revision_or_404(request, quote, None)
    return render(request, "clients/sales/portal_quote.html", {
        **_quote_context(request, quote, revision, agency=False), "decision_form": DecisionForm(),
    })


def _portal_decide(request: AuthenticatedHttpRequest, pk: int, number: int, accept: bool) -> HttpResponse:
    quote = get_visible_or_404(selectors.quotes_visible_to(user=request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    decide = services.quote_accept if accept else services.quote_decline
    try:
        decide(quote=quote, revision=number, by=request.user, note=note)
        messages.success(request, _("已接受报价，我们将尽快发送合同") if accept else _("已拒绝报价"))
    except BusinessRuleError as exc:
        _refused(request, exc)
    return redirect("clients:portal-quote", pk=pk)


@roles_required(MERCHANTS)
@require_POST
def portal_quote_accept(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    return _portal_decide(request, pk, number, accept=True)


@roles_required(MERCHANTS)
@require_POST
def portal_quote_decline(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponse:
    return _portal_decide(request, pk, number, accept=False)


@roles_required(MERCHANTS)
def portal_contract(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(selectors.contracts_visible_to(user=request.user), pk=pk)
    if request.method == "POST":
        _sign(request, contract)
        return redirect("clients:portal-contract", pk=pk)
    return render(request, "clients/sales/portal_contract.html", _contract_context(request, contract))


@roles_required(MANAGERS)
def price_book_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "clients/sales/price_books.html", {
        "books": selectors.price_books(), "today": timezone.localdate(),
    })
