"""On PostgreSQL the database refuses changes to offered and signed records (migration 0005's triggers)."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection, transaction
from django.db.utils import IntegrityError

from clients.models import Contract, ContractSignature, QuoteRevision
from clients.sales import services
from tests.clients.factories import price_book, sent_contract

pytestmark = pytest.mark.django_db


@pytest.fixture
def triggers():
    if connection.vendor != "postgresql":
        pytest.skip("the immutability triggers are PostgreSQL's")
    with connection.cursor() as cursor:  # tests run without migrations: install them in this test's transaction
        for name in ("0005_immutable_records_triggers", "0007_contract_retention_frozen"):
            cursor.execute(importlib.import_module(f"clients.migrations.{name}").FORWARD)


def test_database_refuses_to_change_revisions_signatures_and_sent_contracts(tenants, manager, triggers):
    t1, _ = tenants
    price_book()
    contract = sent_contract(tenant=t1, manager=manager)
    services.contract_sign(contract=contract, by=manager, signer_name="周经理", document_sha256=contract.pdf_sha256)
    for sql, params in (
        ("UPDATE clients_quoterevision SET monthly_total = 1 WHERE id = %s", [contract.revision_id]),
        ("DELETE FROM clients_contractsignature WHERE contract_id = %s", [contract.pk]),
        ("UPDATE clients_contract SET seats = seats + 1 WHERE id = %s", [contract.pk]),
        ("UPDATE clients_contract SET pdf_sha256 = 'x' WHERE id = %s", [contract.pk]),
        ("UPDATE clients_contract SET buyer_data_retention_days = 1 WHERE id = %s", [contract.pk]),
    ):
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    # the lifecycle itself still works: the merchant's signature activates the contract
    services.contract_sign(contract=contract, by=t1.user, signer_name="商家", document_sha256=contract.pdf_sha256)
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
    assert ContractSignature.objects.count() == 2
    assert QuoteRevision.objects.get(pk=contract.revision_id).monthly_total == contract.monthly_price
