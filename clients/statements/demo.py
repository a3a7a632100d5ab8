"""Demo statements: the active demo contract's billing terms, a confirmed statement (disputed once, answered,
revised, confirmed) and a statement the merchant has disputed and the agency has not answered yet.

Runs after the order and quality demos (it reads their figures through the statement registry). Skipped
when the contract already has statements, so running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from agency.models import User
from clients.sales.models import Contract
from clients.statements import services
from clients.statements.models import BillingTerms, Statement

ORDER = 65


def load(*, password: str, log: Callable[[str], None]) -> None:
    contract = Contract.objects.filter(status=Contract.Status.ACTIVE, merchant__code="m-lanxin").order_by("pk").first()
    manager = User.objects.filter(username="manager").first()
    merchant = User.objects.filter(username="merchant1").first()
    if contract is None or manager is None or merchant is None:
        log("clients: no active demo contract; no statements")
        return
    if not BillingTerms.objects.filter(contract=contract).exists():
        services.billing_terms_set(
            contract=contract, by=manager, commission_rate=Decimal("0.02"), commission_minimum=Decimal("1500.00"),
            session_tiers=[{"up_to": 500, "unit_price": "0.90"}, {"up_to": None, "unit_price": "0.70"}],
            conversion_target=BillingTerms.ConversionTarget.FLOOR, conversion_value=Decimal("0.150"),
        )
    if Statement.objects.filter(contract=contract).exists():
        return
    first_month = contract.start_date.replace(day=1)
    # The contract began 45 days ago: its first month is over; the second may still be running (then its
    # statement is the month so far, as a manager may make on demand).
    second_month = (first_month + timedelta(days=32)).replace(day=1)

    statement = services.statement_issue(
        statement=services.statement_generate(contract=contract, month=first_month, by=manager), by=manager)
    services.statement_dispute(statement=statement, by=merchant, line_code="sessions",
                               comment="本月开始服务前的会话不应计费，请核对会话数。")
    revised = services.statement_revise(statement=statement, by=manager, answer="已核对：按服务开始日计费，另减免 50 元以示歉意。",
                                        adjustment=Decimal("-50.00"), adjustment_note="会话计费核对减免")
    services.statement_issue(statement=revised, by=manager)
    services.statement_confirm(statement=revised, by=merchant)

    disputed = services.statement_issue(
        statement=services.statement_generate(contract=contract, month=second_month, by=manager), by=manager)
    services.statement_dispute(statement=disputed, by=merchant, line_code="commission",
                               comment="有两笔订单已经全额退款，提成是否已扣除？")
    log(f"clients: statements {revised.number} (confirmed) and {disputed.number} (disputed)")
