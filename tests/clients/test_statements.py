"""The monthly statement (contracts §9) from a live contract: lines, attained targets, lifecycle, late refunds,
conflicts, tenancy."""

from __future__ import annotations

import hashlib
import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.urls import reverse

from clients.statements import services
from clients.statements.models import Statement
from compliance.quality.sales.services.importing import orders_import_file
from compliance.sessions.sessionfile import SHANGHAI
from tests.clients.statement_setup import HEADER, NOW, live_contract, november_service
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)


@pytest.fixture
def live(tenants, manager, time_machine):
    time_machine.move_to(NOW, tick=False)
    t1, _t2 = tenants
    AgentFactory(code="a01")
    contract = live_contract(tenant=t1, manager=manager)
    november_service(shop=t1.shop)
    return contract


def lines(statement):
    return {line["code"]: line["amount"] for line in statement.result["lines"]}


def test_draft_prices_the_contract_month_from_the_measured_service(live, manager):
    statement = services.statement_generate(contract=live, month=NOVEMBER, by=manager)
    revision = live.revision
    scenario = statement.scenario
    assert scenario["service_start"] == "2026-11-10" and scenario["served_sessions"] == 3
    # Only o1 was converted by an agent: the silent o2 earns no commission.
    assert scenario["attributed_sales"] == "100000.00"
    # Seat lines pro rata: 21 of 30 days, each rounded once.
    for line in revision.lines:
        code = f"seat-{line['service_type']}-{line['shift']}" if line["kind"] == "seat" else None
        if code:
            expected = (Decimal(line["quantity"]) * Decimal(line["unit_price"]) * 21 / 30).quantize(Decimal("0.01"))
            assert Decimal(lines(statement)[code]) == expected
    # 2 sessions × 0.90 + 1 × 0.70; commission max(2% × 100000 = 2000, 1500 × 21/30 = 1050)
    assert lines(statement)["sessions"] == "2.50" and lines(statement)["commission"] == "2000.00"
    targets = {t["metric"]: t for t in scenario["targets"]}
    assert targets["reply_rate"]["attained"] == 0.85 and targets["first_response_seconds"]["attained"] == 20.0
    assert statement.result["missed_targets"] == ["reply_rate"] and statement.result["credit_pct"] == "5"
    fees = Decimal(statement.result["service_fees"])
    assert Decimal(statement.result["credit"]) == (fees * 5 / 100).quantize(Decimal("0.01"))
    assert statement.total == fees + Decimal("2000.00") - Decimal(statement.result["credit"])
    assert statement.evidence["targets"]["reply_rate"]["days"] == [
        {"date": "2026-11-21", "shop": live.engagement.shops.get().code, "value": 0.7}]
    assert statement.evidence["lines"]["commission"]["orders"] == 1
    # Generating again recomputes the same draft, not a second one.
    assert services.statement_generate(contract=live, month=NOVEMBER, by=manager).pk == statement.pk


def test_issue_confirm_and_a_second_answer_is_a_conflict(live, manager, tenants):
    t1, _ = tenants
    statement = services.statement_issue(
        statement=services.statement_generate(contract=live, month=NOVEMBER, by=manager), by=manager)
    stored = Statement.objects.get(pk=statement.pk)
    assert stored.status == "issued" and stored.pdf_sha256 == hashlib.sha256(bytes(stored.pdf)).hexdigest()
    assert stored.xlsx_sha256 == hashlib.sha256(bytes(stored.xlsx)).hexdigest()
    # The issued statement is not recomputed by a later generation.
    assert services.statement_generate(contract=live, month=NOVEMBER, by=manager).pk == stored.pk
    services.statement_confirm(statement=stored, by=t1.user)
    with pytest.raises(services.StatementConflict):
        services.statement_confirm(statement=Statement.objects.get(pk=stored.pk), by=t1.user)
    with pytest.raises(services.StatementConflict):
        services.statement_dispute(statement=Statement.objects.get(pk=stored.pk), by=t1.user, line_code="sessions",
                                   comment="晚了")


def test_dispute_needs_a_comment_and_a_real_line_then_revision_keeps_the_old_version(live, manager, tenants):
    t1, _ = tenants
    statement = services.statement_issue(
        statement=services.statement_generate(contract=live, month=NOVEMBER, by=manager), by=manager)
    with pytest.raises(services.StatementError):
        services.statement_dispute(statement=statement, by=t1.user, line_code="sessions", comment="  ")
    with pytest.raises(services.StatementError):
        services.statement_dispute(statement=statement, by=t1.user, line_code="nothing", comment="?")
    assert Statement.objects.get(pk=statement.pk).status == "issued"
    services.statement_dispute(statement=statement, by=t1.user, line_code="sessions", comment="会话数不对")
    old_pdf = bytes(Statement.objects.get(pk=statement.pk).pdf)
    revised = services.statement_revise(statement=statement, by=manager, answer="核对后减免 2.50",
                                        adjustment=Decimal("-2.50"), adjustment_note="会话费减免")
    old = Statement.objects.get(pk=statement.pk)
    assert old.status == "superseded" and bytes(old.pdf) == old_pdf
    assert old.disputes.get().answer == "核对后减免 2.50"
    assert (revised.version, revised.previous_id, revised.status) == (2, old.pk, "draft")
    assert revised.total == old.total - Decimal("2.50")
    services.statement_issue(statement=revised, by=manager)
    services.statement_confirm(statement=revised, by=t1.user)
    assert Statement.objects.get(pk=revised.pk).status == "confirmed"


def test_refunds_known_after_issue_become_an_adjustment_on_the_next_statement(live, manager, time_machine):
    november = services.statement_issue(
        statement=services.statement_generate(contract=live, month=NOVEMBER, by=manager), by=manager)
    shop = live.engagement.shops.get()
    refunded = HEADER + "o1,b0,2026-11-20T11:00:00+08:00,2026-11-20T11:05:00+08:00,100000.00,40000.00\n"
    orders_import_file(shop=shop, data=refunded.encode(), fmt="csv", refresh=False)
    time_machine.move_to(datetime(2027, 1, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
    december = services.statement_generate(contract=live, month=date(2026, 12, 1), by=manager)
    # November's commission now: max(2% × 60000 = 1200, 1050) = 1200, issued 2000 → −800.00.
    assert lines(december)["refund-adjustment-2026-11"] == "-800.00"
    assert Decimal(december.result["total"]) == (
        Decimal(december.result["service_fees"]) + Decimal(december.result["commission"]) - Decimal("800.00")
        - Decimal(december.result["credit"]))
    assert Statement.objects.get(pk=november.pk).total == november.total  # the issued one never moves
    # Once December is issued the adjustment is settled: January carries none.
    services.statement_issue(statement=december, by=manager)
    time_machine.move_to(datetime(2027, 2, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
    january = services.statement_generate(contract=live, month=date(2027, 1, 1), by=manager)
    assert not any(code.startswith("refund-adjustment") for code in lines(january))


def test_the_database_refuses_to_change_an_issued_statement(live, manager):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger is PostgreSQL's")
    import importlib

    migration = importlib.import_module("clients.migrations.0007_statement_frozen_trigger")
    with connection.cursor() as cursor:
        cursor.execute(migration.FORWARD)
    statement = services.statement_issue(
        statement=services.statement_generate(contract=live, month=NOVEMBER, by=manager), by=manager)
    for sql in ("UPDATE clients_statement SET total = 1 WHERE id = %s", "DELETE FROM clients_statement WHERE id = %s"):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [statement.pk])
    Statement.objects.filter(pk=statement.pk).update(status="confirmed")  # the status may still move


@pytest.mark.django_db(transaction=True)
def test_two_people_answering_at_once_one_gets_a_conflict(tenants, manager, time_machine):
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections")
    time_machine.move_to(NOW, tick=False)
    t1, _ = tenants
    AgentFactory(code="a01")
    contract = live_contract(tenant=t1, manager=manager)
    november_service(shop=t1.shop)
    statement = services.statement_issue(
        statement=services.statement_generate(contract=contract, month=NOVEMBER, by=manager), by=manager)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def answer(kind: str) -> None:
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            current = Statement.objects.get(pk=statement.pk)
            if kind == "confirm":
                services.statement_confirm(statement=current, by=t1.user)
            else:
                services.statement_dispute(statement=current, by=t1.user, line_code="sessions", comment="不对")
            outcomes.append("ok")
        except services.StatementConflict:
            outcomes.append("conflict")
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=answer, args=(k,)) for k in ("confirm", "dispute")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = Statement.objects.get(pk=statement.pk)
    if final.status == "confirmed":
        assert sorted(outcomes) == ["conflict", "ok"] and not final.disputes.exists()
    else:
        # The dispute won; a confirm after it is refused, one before it would have left "confirmed".
        assert final.status == "disputed" and sorted(outcomes) == ["conflict", "ok"]


def test_other_merchants_statement_is_404_in_pages_documents_and_api(live, manager, tenants, client, api_client_for):
    t1, t2 = tenants
    statement = services.statement_issue(
        statement=services.statement_generate(contract=live, month=NOVEMBER, by=manager), by=manager)
    client.force_login(t2.user)
    for name in ("clients:statement-detail", "clients:statement-pdf", "clients:statement-xlsx"):
        assert client.get(reverse(name, args=[statement.pk])).status_code == 404
    assert client.post(reverse("clients:statement-confirm", args=[statement.pk])).status_code == 404
    assert statement.number not in client.get(reverse("clients:statement-list")).content.decode()
    api = api_client_for(t2.user)
    assert api.get(f"/api/statements/{statement.pk}/").status_code == 404
    assert api.post(f"/api/statements/{statement.pk}/confirm/").status_code == 404
    assert api.get("/api/statements/").json()["count"] == 0
    own = api_client_for(t1.user)
    assert own.get(f"/api/statements/{statement.pk}/").json()["number"] == statement.number
    answer = own.post(f"/api/statements/{statement.pk}/dispute/", {"line": "sessions", "comment": ""}, format="json")
    assert answer.status_code == 400
    assert own.post(f"/api/statements/{statement.pk}/confirm/").json()["status"] == "confirmed"
    assert own.post(f"/api/statements/{statement.pk}/confirm/").status_code == 409
    client.force_login(t1.user)
    pdf = client.get(reverse("clients:statement-pdf", args=[statement.pk]))
    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == statement.pdf_sha256


def test_a_conversion_floor_raises_alerts_and_counts_as_a_target(live, manager,
                                                                  django_capture_on_commit_callbacks):
    from clients.statements.services import billing_terms_set
    from compliance.quality.alerts.models import AlertDelivery
    from compliance.quality.alerts.services import notification_rule_save
    from compliance.quality.metrics.models import QualityAlert
    from compliance.quality.sales.services.attribution import sales_refresh

    billing_terms_set(contract=live, by=manager, commission_rate=Decimal("0.02"), conversion_target="floor",
                      conversion_value=Decimal("0.5"))
    notification_rule_save(user=manager, shops=[], data={
        "name": "站内", "channel": "in_app", "min_level": "breach", "mode": "immediate", "digest_hour": 9,
        "active": True})
    with django_capture_on_commit_callbacks(execute=True):
        sales_refresh()
    # 20 Nov: b0 inquired and bought (100%); 21 and 22 Nov: b1, b2 inquired, nobody bought (0% < 50%).
    alerts = QualityAlert.objects.filter(metric="conversion_rate").order_by("day")
    assert [(a.day.day, a.value, a.threshold, a.source) for a in alerts] == [(21, 0.0, 0.5, "contract"),
                                                                              (22, 0.0, 0.5, "contract")]
    # they reach people through the notification rules, like the SLA alerts
    delivered = set(AlertDelivery.objects.filter(alert__metric="conversion_rate").values_list("alert_id", flat=True))
    assert delivered == {a.pk for a in alerts}
    with django_capture_on_commit_callbacks(execute=True):
        sales_refresh()
    assert QualityAlert.objects.filter(metric="conversion_rate").count() == 2  # never raised twice
    assert AlertDelivery.objects.filter(alert__metric="conversion_rate").count() == 2  # nor sent twice
    statement = services.statement_generate(contract=live, month=NOVEMBER, by=manager)
    target = next(t for t in statement.scenario["targets"] if t["metric"] == "conversion_rate")
    # The month: 1 converted of 3 inquiring = 0.3333 < 0.5: missed, with reply_rate → 10%.
    assert (target["target"], target["attained"]) == (0.5, 0.3333)
    assert statement.result["missed_targets"] == ["reply_rate", "conversion_rate"]
    assert statement.result["credit_pct"] == "10"
    assert [d["date"] for d in statement.evidence["targets"]["conversion_rate"]["days"]] == ["2026-11-21", "2026-11-22"]
