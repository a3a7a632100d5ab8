"""A live contract with a month of measured service and orders, for the statement tests and the browser test."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from clients.sales import services as sales_services
from clients.statements.services import billing_terms_set
from compliance.quality.metrics.models import ShopDayMetrics
from compliance.quality.sales.services.importing import orders_import_file
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.sessionfile import SHANGHAI
from tests.clients.factories import price_book, sent_quote

HEADER = "order_id,buyer,created_at,paid_at,amount,refund_amount\n"


def live_contract(*, tenant, manager, start: date = date(2026, 11, 10)):
    price_book(valid_from=date(2026, 1, 1), valid_until=date(2027, 12, 31))
    quote = sent_quote(tenant=tenant, manager=manager)
    sales_services.quote_accept(quote=quote, revision=1, by=tenant.user)
    contract = sales_services.contract_create(quote=quote, by=manager, start_date=start,
                                              sla_reply_rate=Decimal("0.9"), sla_first_response_seconds=30)
    contract = sales_services.contract_send(contract=contract, by=manager)
    for by in (manager, tenant.user):
        sales_services.contract_sign(contract=contract, by=by, signer_name="签署人", document_sha256=contract.pdf_sha256)
    contract.refresh_from_db()
    billing_terms_set(contract=contract, by=manager, commission_rate=Decimal("0.02"),
                      commission_minimum=Decimal("1500.00"),
                      session_tiers=[{"up_to": 2, "unit_price": "0.90"}, {"up_to": None, "unit_price": "0.70"}])
    return contract


def november_service(*, shop):
    """Three served sessions in November, one order converted by a01 (paid 100 000.00), a silent order, and two
    days of reply-rate metrics: 20 Nov meets 0.9, 21 Nov misses it (the month: 17 of 20 = 0.85, missed)."""
    sessions = [
        {"session_id": f"s{n}", "buyer": f"b{n}", "messages": [
            {"id": f"m{n}a", "sender": "buyer", "sent_at": f"2026-11-2{n}T10:00:00+08:00", "text": "在吗"},
            {"id": f"m{n}b", "sender": "agent", "agent": "a01", "sent_at": f"2026-11-2{n}T10:00:20+08:00",
             "text": "亲在的"}]}
        for n in range(3)
    ]
    sessions_import_file(shop=shop, data="\n".join(json.dumps(s) for s in sessions).encode(), fmt="jsonl", scan=False)
    orders = HEADER + ("o1,b0,2026-11-20T11:00:00+08:00,2026-11-20T11:05:00+08:00,100000.00,\n"
                       "o2,b9,2026-11-21T11:00:00+08:00,2026-11-21T11:05:00+08:00,500.00,\n")
    orders_import_file(shop=shop, data=orders.encode(), fmt="csv", refresh=False)
    for day, within, counted in ((20, 10, 10), (21, 7, 10)):
        ShopDayMetrics.objects.create(shop=shop, day=date(2026, 11, day), sessions=1, counted_turns=counted,
                                      answered_turns=counted, answered_within_target=within,
                                      first_response_sum=20.0, first_response_count=1)


NOW = datetime(2026, 12, 2, 9, 0, tzinfo=SHANGHAI)
