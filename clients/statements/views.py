"""Statement pages: the list (and generating a month), a statement with its evidence and answers, its
documents, a contract's billing terms. Thin: every rule is in `clients.statements.services`."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, MANAGERS_AND_MERCHANTS, MERCHANTS, has_role, roles_required
from clients.sales.selectors import contracts_visible_to
from clients.statements import documents, services
from clients.statements.forms import BillingTermsForm, DisputeForm, GenerateForm, ReviseForm
from clients.statements.labels import credit_label
from clients.statements.selectors import statement_documents_visible_to, statements_visible_to


@roles_required(MANAGERS_AND_MERCHANTS)
def statement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    statements = statements_visible_to(user=request.user).order_by("-month", "contract__number", "-version")
    return render(request, "clients/statements/statement_list.html", {
        "statements": statements[:200], "form": GenerateForm() if has_role(request.user, MANAGERS) else None,
    })


@roles_required(MANAGERS)
@require_POST
def statements_generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GenerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("month", [])))
        return redirect("clients:statement-list")
    job = services.statements_generate_enqueue(month=date.fromisoformat(form.cleaned_data["month"]), by=request.user)
    return redirect("job-detail", pk=job.pk)


def _lines(statement) -> list[dict]:
    proof = statement.evidence.get("lines", {})
    return [{**line, "evidence": proof.get(line["code"])} for line in documents.line_rows(statement)]


def _targets(statement) -> list[dict]:
    proof = statement.evidence.get("targets", {})
    return [{**t, "evidence": proof.get(t["metric"], {})} for t in documents.target_rows(statement)]


@roles_required(MANAGERS_AND_MERCHANTS)
def statement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(statements_visible_to(user=request.user), pk=pk)
    lines = _lines(statement)
    choices = [(line["code"], line["label"]) for line in lines] + [("credit", credit_label())]
    names = dict(choices)
    disputes = list(statement.disputes.select_related("raised_by", "answered_by"))
    for dispute in disputes:
        dispute.line_label = names.get(dispute.line_code, dispute.line_code)  # type: ignore[attr-defined]
    versions = list(statements_visible_to(user=request.user).filter(
        contract=statement.contract, month=statement.month).order_by("version"))
    context = {
        "statement": statement, "lines": lines, "targets": _targets(statement), "versions": versions,
        "disputes": disputes,
        "dispute_form": DisputeForm(lines=choices) if has_role(request.user, MERCHANTS) else None,
        "revise_form": ReviseForm() if has_role(request.user, MANAGERS) else None,
        "is_manager": has_role(request.user, MANAGERS), "is_merchant": has_role(request.user, MERCHANTS),
    }
    return render(request, "clients/statements/statement_detail.html", context)


def _act(request: AuthenticatedHttpRequest, action, **kwargs) -> None:
    try:
        action(**kwargs)
    except services.StatementError as exc:
        messages.error(request, str(exc))


@roles_required(MANAGERS)
@require_POST
def statement_recompute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(statements_visible_to(user=request.user), pk=pk)
    if statement.status != statement.Status.DRAFT:
        messages.error(request, _("只有草稿可以重新计算。"))
    else:
        services.statement_generate(contract=statement.contract, month=statement.month, by=request.user)
        messages.success(request, _("已按最新数据重新计算"))
    return redirect("clients:statement-detail", pk=pk)


@roles_required(MANAGERS)
@require_POST
def statement_issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(statements_visible_to(user=request.user), pk=pk)
    _act(request, services.statement_issue, statement=statement, by=request.user)
    return redirect("clients:statement-detail", pk=pk)


@roles_required(MERCHANTS)
@require_POST
def statement_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(statements_visible_to(user=request.user), pk=pk)
    _act(request, services.statement_confirm, statement=statement, by=request.user)
    return redirect("clients:statement-detail", pk=pk)


@roles_required(MERCHANTS)
@require_POST
def statement_dispute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(statements_visible_to(user=request.user), pk=pk)
    form = DisputeForm(request.POST, lines=[(code, code) for code in services.disputable_lines(statement)])
    if not form.is_valid():
        messages.error(request, _("请选择争议项并填写异议说明"))
    else:
        _act(request, services.statement_dispute, statement=statement, by=request.user,
             line_code=form.cleaned_data["line"], comment=form.cleaned_data["comment"])
    return redirect("clients:statement-detail", pk=pk)


@roles_required(MANAGERS)
@require_POST
def statement_revise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = get_visible_or_404(statements_visible_to(user=request.user), pk=pk)
    form = ReviseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写对异议的答复"))
        return redirect("clients:statement-detail", pk=pk)
    try:
        revised = services.statement_revise(
            statement=statement, by=request.user, answer=form.cleaned_data["answer"],
            adjustment=form.cleaned_data.get("adjustment"), adjustment_note=form.cleaned_data.get("adjustment_note", ""))
    except services.StatementError as exc:
        messages.error(request, str(exc))
        return redirect("clients:statement-detail", pk=pk)
    return redirect("clients:statement-detail", pk=revised.pk)


def _document(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    statement = get_visible_or_404(statement_documents_visible_to(user=request.user), pk=pk)
    data = statement.pdf if kind == "pdf" else statement.xlsx
    if not data:
        messages.error(request, _("对账单出具后才有文件。"))
        return redirect("clients:statement-detail", pk=pk)
    content_type = "application/pdf" if kind == "pdf" else (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{statement.number}.{kind}"'
    return response


@roles_required(MANAGERS_AND_MERCHANTS)
def statement_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _document(request, pk, "pdf")


@roles_required(MANAGERS_AND_MERCHANTS)
def statement_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _document(request, pk, "xlsx")


@roles_required(MANAGERS)
def billing_terms_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    contract = get_visible_or_404(contracts_visible_to(user=request.user), pk=pk)
    terms = services.billing_terms_for(contract)
    form = BillingTermsForm(request.POST or None, instance=terms)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.billing_terms_set(
                contract=contract, by=request.user, session_tiers=data["tiers"],
                commission_rate=data["commission_rate"], commission_minimum=data["commission_minimum"],
                conversion_target=data["conversion_target"], conversion_value=data["conversion_value"])
        except services.StatementError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("计费条款已保存"))
            return redirect("clients:contract-detail", pk=pk)
    return render(request, "clients/statements/billing_terms.html", {"contract": contract, "form": form})
