"""From a signed contract to go-live with the real checks of every app: the contract (clients), the
acknowledged handover (clients), certified agents and a published roster covering two weeks (staffing).
Each missing item is named until it holds; then the engagement goes live and is under QA."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clients.engagements.golive import GoLiveBlocked, engagement_go_live, golive_checklist
from clients.handover import services as handover
from clients.models import Engagement, KnowledgeKind
from clients.sales import services as sales
from staffing.rosters.services import roster_publish, roster_solve_run
from tests.clients.factories import HandoverBatchFactory, add_entry, price_book, sent_contract
from tests.staffing.factories import staffed_roster

pytestmark = pytest.mark.django_db


def missing_keys(engagement) -> list[str]:
    return [item.key for item in golive_checklist(engagement) if not item.ok]


def test_go_live_needs_every_app_to_agree(tenants, manager):
    mine = tenants[0]
    price_book()
    contract = sent_contract(tenant=mine, manager=manager)
    engagement = contract.engagement
    assert set(missing_keys(engagement)) == {
        "contract_signed", "handover_acknowledged", "staffing.agents_certified", "roster_published",
    }

    for by, name in ((manager, "周经理"), (mine.user, "林女士")):
        sales.contract_sign(contract=contract, by=by, signer_name=name, document_sha256=contract.pdf_sha256)
    batch = HandoverBatchFactory(engagement=engagement, shop=mine.shop, kind=KnowledgeKind.PRODUCT, title="商品")
    add_entry(batch, "羽绒服 A 款", sku="A-1")
    handover.handover_batch_acknowledge(batch=batch, by=manager)
    assert set(missing_keys(engagement)) == {"staffing.agents_certified", "roster_published"}

    roster, _agents = staffed_roster([mine.shop], per_shop=8, days=14, start=timezone.localdate())
    assert missing_keys(engagement) == ["roster_published"]
    engagement.refresh_from_db()
    with pytest.raises(GoLiveBlocked) as blocked:
        engagement_go_live(engagement=engagement, by=manager)
    assert "排班" in str(blocked.value) and mine.shop.name in str(blocked.value)

    roster_solve_run(roster_id=roster.pk, time_limit=5)
    roster_publish(roster=roster, through=roster.end_date)
    assert missing_keys(engagement) == []
    engagement.refresh_from_db()
    engagement_go_live(engagement=engagement, by=manager)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.LIVE
