"""Consultations and the lifecycle: stages move in order, each gate names what is missing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.engagements import services as engagement_services
from clients.models import Engagement, EngagementActivity
from clients.sales import services
from clients.sales.errors import BusinessRuleError
from tests.clients.factories import consultation

pytestmark = pytest.mark.django_db
Stage = Engagement.Stage


def test_consultation_keeps_its_details_and_logs_its_start(tenants, manager):
    t1, _ = tenants
    engagement = consultation(
        merchant=t1.merchant, shops=[t1.shop], by=manager, presale_share=70, languages="zh,en",
        seasonal_peaks=[{"name": "618", "start": "2027-06-01", "end": "2027-06-18", "multiplier": "2.5"}],
    )
    engagement.refresh_from_db()
    assert (engagement.service_start.hour, engagement.service_end.hour) == (8, 23)
    assert engagement.language_list == ["zh", "en"] and engagement.aftersale_share == 30
    assert engagement.seasonal_peaks == [{"name": "618", "start": "2027-06-01", "end": "2027-06-18", "multiplier": 2.5}]
    assert engagement.activities.get().kind == EngagementActivity.Kind.STAGE


def test_a_consultation_needs_a_next_step_with_a_date(tenants, manager):
    t1, _ = tenants
    with pytest.raises(BusinessRuleError, match="日期"):
        engagement_services.engagement_create(merchant=t1.merchant, title="x", by=manager, next_step="打电话")
    assert not Engagement.objects.exists()


def test_bad_seasonal_peak_is_refused_with_where(tenants, manager):
    t1, _ = tenants
    with pytest.raises(BusinessRuleError, match="第 2 个大促高峰（双11）的起止日期无效"):
        consultation(merchant=t1.merchant, shops=[t1.shop], by=manager, seasonal_peaks=[
            {"name": "618", "start": "2027-06-01", "end": "2027-06-18", "multiplier": 2},
            {"name": "双11", "start": "2027-11-12", "end": "2027-11-01", "multiplier": 3},
        ])
    assert not Engagement.objects.exists()


def test_another_merchants_shop_is_refused(tenants, manager):
    t1, t2 = tenants
    with pytest.raises(BusinessRuleError, match="不属于"):
        consultation(merchant=t1.merchant, shops=[t2.shop], by=manager)


def test_stages_move_one_step_at_a_time_and_gates_say_what_is_missing(tenants, manager):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    with pytest.raises(BusinessRuleError, match="下一阶段应为“报价”"):
        engagement_services.engagement_stage_change(engagement=engagement, to=Stage.CONTRACTING, by=manager)
    engagement_services.engagement_stage_change(engagement=engagement, to=Stage.QUOTING, by=manager)
    with pytest.raises(BusinessRuleError, match="还没有商家已接受的报价"):
        engagement_services.engagement_stage_change(engagement=engagement, to=Stage.CONTRACTING, by=manager)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUOTING


def test_lost_and_reopened(tenants, manager):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    engagement_services.engagement_stage_change(engagement=engagement, to=Stage.LOST, by=manager, note="预算不足")
    with pytest.raises(BusinessRuleError, match="只能重新回到"):
        engagement_services.engagement_stage_change(engagement=engagement, to=Stage.QUOTING, by=manager)
    engagement_services.engagement_stage_change(engagement=engagement, to=Stage.CONSULTATION, by=manager)
    texts = [activity.message for activity in engagement.activities.all()]
    assert any("预算不足" in text for text in texts)


def test_note_with_next_step(tenants, manager):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    due = timezone.localdate() + timedelta(days=7)
    engagement_services.engagement_note_add(engagement=engagement, by=manager, text="已发资料", next_step="报价", next_step_due=due)
    engagement.refresh_from_db()
    assert (engagement.next_step, engagement.next_step_due) == ("报价", due)
    with pytest.raises(BusinessRuleError, match="需要日期"):
        engagement_services.engagement_note_add(engagement=engagement, by=manager, text="", next_step="再报价")


def test_the_lifecycle_advances_even_through_objects_loaded_before_earlier_changes(tenants, manager):
    from clients.models import Contract
    from tests.clients.factories import price_book

    t1, _ = tenants
    book = price_book()
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    quote = services.quote_create(engagement=engagement, by=manager, price_book=book)
    services.quote_send(quote=quote, revision=1, by=manager)
    services.quote_accept(quote=quote, revision=1, by=t1.user)  # `quote` still holds the old engagement
    assert Engagement.objects.get(pk=engagement.pk).stage == Stage.CONTRACTING
    contract = services.contract_send(contract=services.contract_create(
        quote=quote, by=manager, start_date=timezone.localdate()), by=manager)
    for user in (manager, t1.user):
        services.contract_sign(contract=contract, by=user, signer_name="签署人", document_sha256=contract.pdf_sha256)
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.ACTIVE
    assert Engagement.objects.get(pk=engagement.pk).stage == Stage.HANDOVER
