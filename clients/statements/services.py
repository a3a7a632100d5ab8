"""Monthly statements (contracts §9): computing a contract's month, issuing it, the merchant's answer.

- `statement_generate` makes (or recomputes) the month's draft: the contract's priced lines (the accepted
  quote's seat, holiday and add-on lines as `monthly`, its surge windows and amendments as `daily`, the
  billing terms' session tiers and commission), the attained targets and the sales from the figures
  registry (`clients.statements.figures`, filled by quality), adjustment lines for refunds that became known
  after an earlier month was issued, then the pure engine (`clients.statements.engine`).
- `statement_issue` freezes a draft with its PDF (Chinese) and XLSX and their SHA-256.
- `statement_confirm` / `statement_dispute` are the merchant's answers; `statement_revise` is the agency's:
  it answers the disputes, marks the disputed version superseded and makes the next version's draft.
  Every status move is one conditional UPDATE (`… WHERE status = <expected>`): of two people answering
  the same statement at once, the second gets `StatementConflict`, never a lost update.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agency.models import User
from agency.services import audit_record, job_start
from clients.sales.models import Contract
from clients.statements import documents
from clients.statements.engine import ScenarioError, statement_compute
from clients.statements.figures import TargetSpec, month_figures, sales_for_month
from clients.statements.models import BillingTerms, Statement, StatementDispute

log = logging.getLogger(__name__)


class StatementError(ValueError):
    """The request cannot be done (wrong state, missing comment, unknown line): the message says why."""


class StatementConflict(StatementError):
    """Someone else answered or changed this statement first."""


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_last(first: date) -> date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


# ---------------------------------------------------------------- billing terms


def billing_terms_for(contract: Contract) -> BillingTerms:
    terms = BillingTerms.objects.filter(contract=contract).first()
    return terms or BillingTerms(contract=contract)


@transaction.atomic
def billing_terms_set(
    *, contract: Contract, by: User | None, session_tiers: list[dict[str, Any]] | None = None,
    commission_rate: Decimal | None = None, commission_minimum: Decimal = Decimal("0.00"),
    conversion_target: str = BillingTerms.ConversionTarget.NONE, conversion_value: Decimal | None = None,
) -> BillingTerms:
    """Set how a contract is billed beyond its seat lines; tiers are checked by the engine's own rules."""
    tiers = session_tiers or []
    if tiers:
        probe = {"month": "2026-01", "service_start": "2026-01-01", "served_sessions": 0,
                 "lines": [{"code": "sessions", "kind": "per_session", "tiers": tiers}]}
        try:
            statement_compute(probe)
        except ScenarioError as exc:
            raise StatementError("; ".join(e.replace("lines[0].", "") for e in exc.errors)) from None
    if conversion_target != BillingTerms.ConversionTarget.NONE and conversion_value is None:
        raise StatementError(_("询单转化率目标需要目标值。"))
    terms, _created = BillingTerms.objects.update_or_create(contract=contract, defaults={
        "session_tiers": tiers, "commission_rate": commission_rate, "commission_minimum": commission_minimum,
        "conversion_target": conversion_target, "conversion_value": conversion_value,
    })
    audit_record(actor=by, verb="contract.billing_terms", target=contract, merchant_id=contract.merchant_id)
    return terms


def conversion_target_for_contract(contract: Contract) -> TargetSpec | None:
    terms = BillingTerms.objects.filter(contract=contract).first()
    if terms is None or terms.conversion_target == BillingTerms.ConversionTarget.NONE or terms.conversion_value is None:
        return None
    value = float(terms.conversion_value)
    if terms.conversion_target == BillingTerms.ConversionTarget.FLOOR:
        return TargetSpec("conversion_rate", value, "higher")
    return TargetSpec("conversion_rate", None, "higher", share_of_average=value)


# ---------------------------------------------------------------- computing a month


def _gettext_in(language: str, message: str) -> str:
    with translation.override(language):
        return _(message)


def _quote_line_label(line: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The label code and parameters of a quote price line as a statement line (`clients.statements.labels`)."""
    kind = line.get("kind")
    if kind == "seat":
        return "seat", {"service_type": line.get("service_type", ""), "shift": line.get("shift", "")}
    if kind == "holiday":
        return "holiday", {}
    if kind == "addon":
        return "addon", {"name": line.get("description", "")}
    return "", {}


def _lines(contract: Contract, terms: BillingTerms) -> list[dict[str, Any]]:
    revision = contract.revision
    lines: list[dict[str, Any]] = []
    for index, line in enumerate(revision.lines):
        kind = line.get("kind", "line")
        code = {
            "seat": f"seat-{line.get('service_type', '')}-{line.get('shift', '')}",
            "addon": f"addon-{line.get('code', index)}",
        }.get(kind, f"{kind}-{index}" if kind != "holiday" else "holiday")
        label_code, label_params = _quote_line_label(line)
        lines.append({"code": code, "label": line.get("description", code), "kind": "monthly",
                      "label_code": label_code, "label_params": label_params,
                      "quantity": line.get("quantity", 1), "unit_price": line.get("unit_price", line.get("amount"))})
    for index, surge in enumerate(revision.surges):
        days = max(1, int(surge.get("days") or 1))
        per_day = (Decimal(str(surge["amount"])) / days).quantize(Decimal("0.000001"))
        lines.append({"code": f"surge-{index + 1}", "label": _("大促临时席位 %(name)s") % {"name": surge.get("name", "")},
                      "label_code": "surge", "label_params": {"name": surge.get("name", "")}, "kind": "daily", "quantity": 1, "unit_price": str(per_day),
                      "start": surge["start"], "end": surge["end"]})
    for amendment in contract.amendments.all():
        if not amendment.price_change:
            continue
        days = (amendment.effective_until - amendment.effective_from).days + 1
        per_day = (amendment.price_change / days).quantize(Decimal("0.000001"))
        if per_day < 0:
            continue  # a price reduction is not a daily charge; the engine refuses negative prices
        lines.append({"code": f"amendment-{amendment.number}", "label": _("补充协议 %(n)s") % {"n": amendment.number},
                      "label_code": "amendment", "label_params": {"number": amendment.number}, "kind": "daily", "quantity": 1, "unit_price": str(per_day),
                      "start": amendment.effective_from.isoformat(), "end": amendment.effective_until.isoformat()})
    if terms.session_tiers:
        lines.append({"code": "sessions", "label": _("按会话计费"), "label_code": "sessions", "label_params": {},
                      "kind": "per_session", "tiers": terms.session_tiers})
    lines.append({"code": "commission", "label": _("销售提成"), "label_code": "commission", "label_params": {},
                  "kind": "commission",
                  "rate": str(terms.commission_rate or Decimal("0")), "minimum": str(terms.commission_minimum)})
    return lines


def _targets(contract: Contract) -> list[TargetSpec]:
    targets = [
        TargetSpec("reply_rate", float(contract.sla_reply_rate), "higher"),
        TargetSpec("first_response_seconds", float(contract.sla_first_response_seconds), "lower"),
        TargetSpec("qa_score", float(contract.sla_qa_score), "higher"),
    ]
    conversion = conversion_target_for_contract(contract)
    if conversion is not None:
        targets.append(conversion)
    return targets


def _shop_ids(contract: Contract) -> list[int]:
    return list(contract.engagement.shops.values_list("id", flat=True))


def _base_scenario(contract: Contract, first: date, terms: BillingTerms) -> dict[str, Any]:
    return {
        "month": f"{first:%Y-%m}",
        "service_start": contract.start_date.isoformat(),
        "service_end": contract.end_date.isoformat(),
        "lines": _lines(contract, terms),
        "credits": {"pct_per_missed_target": str(contract.service_credit_pct),
                    "cap_pct": str(contract.service_credit_cap_pct)},
    }


def _settled_statements(contract: Contract, before: date) -> list[Statement]:
    """The standing issued version of each earlier month (not superseded), oldest first."""
    return list(
        Statement.objects.filter(contract=contract, month__lt=before, issued_at__isnull=False)
        .exclude(status=Statement.Status.SUPERSEDED).order_by("month").defer("pdf", "xlsx")
    )


def _refund_adjustments(contract: Contract, first: date, shop_ids: Sequence[int]) -> list[tuple[dict, dict]]:
    """Adjustment lines for earlier issued months whose commission changed since (refunds known later).

    What was settled for a month is its issued commission plus the adjustments for it that later issued
    statements already carried; the difference to the commission as computed now becomes a line."""
    settled = _settled_statements(contract, first)
    carried: dict[str, Decimal] = {}
    for statement in settled:
        for line in statement.scenario.get("lines", []):
            if line.get("kind") == "adjustment" and line.get("adjusts_month"):
                carried[line["adjusts_month"]] = carried.get(line["adjusts_month"], Decimal(0)) + Decimal(line["amount"])
    out = []
    for statement in settled:
        label = statement.month_label
        issued = Decimal(statement.result.get("commission", "0"))
        scenario = dict(statement.scenario)
        scenario["attributed_sales"] = str(sales_for_month(
            shop_ids=shop_ids, first=statement.month, last=month_last(statement.month)))
        scenario["lines"] = [line for line in scenario.get("lines", []) if line.get("kind") == "commission"]
        now = Decimal(statement_compute(scenario)["commission"])
        difference = now - issued - carried.get(label, Decimal(0))
        if difference:
            line = {"code": f"refund-adjustment-{label}", "label": _("%(month)s 退款调整") % {"month": label},
                    "label_code": "refund_adjustment", "label_params": {"month": label}, "kind": "adjustment", "amount": str(difference), "adjusts_month": label}
            evidence = {"month": label, "statement": statement.number, "issued_commission": str(issued),
                        "carried": str(carried.get(label, Decimal(0))), "commission_now": str(now),
                        "attributed_sales_now": scenario["attributed_sales"],
                        "attributed_sales_issued": statement.scenario.get("attributed_sales")}
            out.append((line, evidence))
    return out


def statement_figures(
    *, contract: Contract, first: date, extra_lines: Sequence[dict[str, Any]] = ()
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """(scenario, result, evidence) of one contract's month as known now."""
    terms = billing_terms_for(contract)
    shop_ids = _shop_ids(contract)
    last = month_last(first)
    figures = month_figures(shop_ids=shop_ids, first=first, last=last, targets=_targets(contract))
    with translation.override(settings.LANGUAGE_CODE):  # the stored labels stay in Chinese; pages use the codes
        scenario = _base_scenario(contract, first, terms)
        adjustments = _refund_adjustments(contract, first, shop_ids)
    scenario["served_sessions"] = figures.served_sessions
    scenario["attributed_sales"] = str(figures.attributed_sales)
    scenario["targets"] = [
        {"metric": t.metric, "target": t.target, "attained": t.attained, "better": t.better}
        for t in figures.targets if t.target is not None
    ]
    evidence: dict[str, Any] = {
        "targets": {t.metric: t.evidence for t in figures.targets},
        "lines": {"commission": figures.commission_evidence, "sessions": figures.sessions_evidence},
    }
    for line, proof in adjustments:
        scenario["lines"].append(line)
        evidence["lines"][line["code"]] = proof
    for line in extra_lines:
        scenario["lines"].append(dict(line))
    result = statement_compute(scenario)
    return scenario, result, evidence


def _number(contract: Contract, first: date, version: int) -> str:
    return f"ST-{contract.number}-{first:%Y%m}-v{version}"


@transaction.atomic
def statement_generate(*, contract: Contract, month: date, by: User | None = None) -> Statement:
    """The month's statement: a new draft, a draft recomputed, or the standing issued version untouched."""
    first = month_first(month)
    Contract.objects.select_for_update().filter(pk=contract.pk).first()  # one generation per contract at a time
    latest = Statement.objects.filter(contract=contract, month=first).order_by("-version").first()
    if latest is not None and latest.status != Statement.Status.DRAFT:
        return latest
    extra = [line for line in (latest.scenario.get("lines", []) if latest else []) if line.get("manual")]
    scenario, result, evidence = statement_figures(contract=contract, first=first, extra_lines=extra)
    now = timezone.now()
    if latest is None:
        latest = Statement.objects.create(
            contract=contract, merchant_id=contract.merchant_id, month=first, version=1,
            number=_number(contract, first, 1), scenario=scenario, result=result, evidence=evidence,
            total=Decimal(result["total"]), computed_at=now,
        )
        audit_record(actor=by, verb="statement.draft", target=latest, merchant_id=contract.merchant_id)
    else:
        latest.scenario, latest.result, latest.evidence = scenario, result, evidence
        latest.total, latest.computed_at = Decimal(result["total"]), now
        latest.save(update_fields=["scenario", "result", "evidence", "total", "computed_at"])
    return latest


def statements_generate_month(*, month: date, by: User | None = None, progress=None) -> dict[str, Any]:
    """Every contract live in that month gets its statement (beat on the 1st, or on demand as a job)."""
    first = month_first(month)
    contracts = list(
        Contract.objects.filter(status=Contract.Status.ACTIVE, start_date__lte=month_last(first), end_date__gte=first)
        .order_by("pk").defer("pdf")
    )
    made: list[str] = []
    failed: list[dict[str, str]] = []
    for index, contract in enumerate(contracts):
        try:
            made.append(statement_generate(contract=contract, month=first, by=by).number)
        except (ScenarioError, StatementError) as exc:
            failed.append({"contract": contract.number, "error": str(exc)})
            log.warning("statement of %s for %s not made: %s", contract.number, first, exc)
        if progress:
            progress(index + 1, len(contracts))
    return {"month": f"{first:%Y-%m}", "statements": made, "failed": failed}


def statements_generate_enqueue(*, month: date, by: User | None) -> Any:
    return job_start(
        task="clients.statements_generate_month", kind="clients.statements", created_by=by,
        title=_("生成对账单 %(month)s") % {"month": f"{month:%Y-%m}"}, kwargs={"month": month.isoformat()},
    )


# ---------------------------------------------------------------- lifecycle


def _moved(statement: Statement, *, expected: Sequence[str], **fields: Any) -> None:
    updated = Statement.objects.filter(pk=statement.pk, status__in=list(expected)).update(**fields)
    if not updated:
        current = Statement.objects.filter(pk=statement.pk).values_list("status", flat=True).first()
        raise StatementConflict(
            _("对账单 %(number)s 已被他人处理（当前状态：%(status)s），请刷新后再试。")
            % {"number": statement.number, "status": Statement.Status(current).label if current else "—"}
        )
    for name, value in fields.items():
        setattr(statement, name, value)


@transaction.atomic
def statement_issue(*, statement: Statement, by: User) -> Statement:
    """Freeze a draft: PDF (Chinese) and XLSX with their SHA-256; never changed afterwards."""
    if statement.status != Statement.Status.DRAFT:
        raise StatementConflict(_("只有草稿可以出具。"))
    pdf = documents.statement_pdf(statement)
    xlsx = documents.statement_xlsx(statement)
    _moved(statement, expected=[Statement.Status.DRAFT], status=Statement.Status.ISSUED, issued_at=timezone.now(),
           issued_by=by, pdf=pdf, pdf_sha256=documents.sha256(pdf), xlsx=xlsx, xlsx_sha256=documents.sha256(xlsx))
    audit_record(actor=by, verb="statement.issue", target=statement, merchant_id=statement.merchant_id,
                 data={"pdf_sha256": statement.pdf_sha256, "total": str(statement.total)})
    return statement


@transaction.atomic
def statement_confirm(*, statement: Statement, by: User) -> Statement:
    _moved(statement, expected=[Statement.Status.ISSUED], status=Statement.Status.CONFIRMED,
           confirmed_at=timezone.now(), confirmed_by=by)
    audit_record(actor=by, verb="statement.confirm", target=statement, merchant_id=statement.merchant_id)
    return statement


def disputable_lines(statement: Statement) -> list[str]:
    return [line["code"] for line in statement.result.get("lines", [])] + ["credit"]


@transaction.atomic
def statement_dispute(*, statement: Statement, by: User, line_code: str, comment: str) -> StatementDispute:
    comment = (comment or "").strip()
    if not comment:
        raise StatementError(_("请说明异议的理由。"))
    if line_code not in disputable_lines(statement):
        raise StatementError(_("对账单中没有这一项：%(code)s") % {"code": line_code})
    _moved(statement, expected=[Statement.Status.ISSUED, Statement.Status.DISPUTED], status=Statement.Status.DISPUTED)
    dispute = StatementDispute.objects.create(
        statement=statement, line_code=line_code, comment=comment, raised_by=by, raised_at=timezone.now()
    )
    audit_record(actor=by, verb="statement.dispute", target=statement, merchant_id=statement.merchant_id,
                 data={"line": line_code})
    return dispute


@transaction.atomic
def statement_revise(
    *, statement: Statement, by: User, answer: str, adjustment: Decimal | None = None, adjustment_note: str = "",
) -> Statement:
    """Answer the disputes and make the next version's draft (recomputed, with an optional manual line)."""
    answer = (answer or "").strip()
    if not answer:
        raise StatementError(_("请填写对异议的答复。"))
    _moved(statement, expected=[Statement.Status.DISPUTED], status=Statement.Status.SUPERSEDED)
    now = timezone.now()
    statement.disputes.filter(answered_at__isnull=True).update(answer=answer, answered_by=by, answered_at=now)
    extra = [line for line in statement.scenario.get("lines", []) if line.get("manual")]
    if adjustment:
        note = adjustment_note.strip()
        extra.append({"code": f"dispute-adjustment-v{statement.version + 1}", "kind": "adjustment",
                      "label": note or _gettext_in(settings.LANGUAGE_CODE, "异议调整"), "label_code": "dispute_adjustment", "label_params": {"note": note},
                      "amount": str(adjustment), "manual": True})
    scenario, result, evidence = statement_figures(contract=statement.contract, first=statement.month, extra_lines=extra)
    version = statement.version + 1
    revised = Statement.objects.create(
        contract=statement.contract, merchant_id=statement.merchant_id, month=statement.month, version=version,
        previous=statement, number=_number(statement.contract, statement.month, version), scenario=scenario,
        result=result, evidence=evidence, total=Decimal(result["total"]), computed_at=now,
    )
    audit_record(actor=by, verb="statement.revise", target=revised, merchant_id=statement.merchant_id,
                 data={"previous": statement.number})
    return revised
