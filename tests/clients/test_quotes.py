"""Quotes: seats from the staffing model, pricing from the book, immutable revisions, conflicts, answers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from clients.models import Engagement, ImmutableRecord, Quote, QuoteDecision, QuoteRevision
from clients.sales import services
from clients.sales.errors import BusinessRuleError, StaleRevision
from clients.sales.seats import SeatRequest, estimate_seats
from tests.clients.factories import consultation, price_book, sent_quote

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    return price_book()


def test_quote_seats_come_from_the_staffing_model_and_show_the_derivation(tenants, manager, book):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager, daily_volume=1500,
                              seasonal_peaks=[{"name": "双11", "start": "2026-11-01", "end": "2026-11-12", "multiplier": 3}])
    quote = services.quote_create(engagement=engagement, by=manager, price_book=book, addon_codes=["qa-report"])
    revision = quote.revisions.get()
    expected = estimate_seats(SeatRequest(volume=180.0, interval_minutes=60, aht_seconds=240, answer_seconds=180,
                                          service_level=0.8, max_occupancy=0.85, shrinkage=0.25, concurrency=3))
    assert revision.seats == expected.agents
    assert revision.derivation["raw_agents"] == expected.raw_agents
    assert revision.derivation["method"] == expected.method
    assert revision.inputs["peak_volume"] == 180.0 and revision.inputs["answer_seconds"] == 180
    assert revision.platform == "pdd"
    seat_lines = [line for line in revision.lines if line["kind"] == "seat"]
    # 8:00–23:00 needs the day and the evening shift, each with every seat
    assert {line["shift"] for line in seat_lines} == {"day", "evening"}
    assert sum(line["quantity"] for line in seat_lines) == 2 * revision.seats
    assert revision.monthly_total == sum(Decimal(line["amount"]) for line in revision.lines)
    assert any(line.get("code") == "qa-report" for line in revision.lines)
    assert revision.surges[0]["name"] == "双11" and revision.surges[0]["extra_seats"] > 0
    assert {alt["kind"] for alt in revision.alternatives} == {"commission", "per_consultation"}
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.QUOTING


def test_stricter_platform_target_needs_more_seats(tenants, manager, book):
    t1, t2 = tenants  # t1 on pdd (180 s), t2 on jd (30 s)
    pdd = services.quote_create(engagement=consultation(merchant=t1.merchant, shops=[t1.shop], by=manager),
                                by=manager, price_book=book).revisions.get()
    jd = services.quote_create(engagement=consultation(merchant=t2.merchant, shops=[t2.shop], by=manager),
                               by=manager, price_book=book).revisions.get()
    assert jd.inputs["answer_seconds"] == 30
    assert jd.seats > pdd.seats


def test_another_language_brings_its_add_on(tenants, manager, book):
    t1, _ = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager, languages="zh,en")
    revision = services.quote_create(engagement=engagement, by=manager, price_book=book).revisions.get()
    line = next(line for line in revision.lines if line.get("code") == "lang-en")
    assert line["quantity"] == 2 * revision.seats


def test_a_quote_on_an_expired_price_book_is_refused_and_nothing_is_written(tenants, manager):
    t1, _ = tenants
    today = timezone.localdate()
    expired = price_book(valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=1), name="旧价格表")
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    with pytest.raises(BusinessRuleError, match="已于 .* 失效"):
        services.quote_create(engagement=engagement, by=manager, price_book=expired)
    assert not Quote.objects.exists() and not QuoteRevision.objects.exists()
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.CONSULTATION


def test_revisions_are_new_rows_and_old_ones_never_change(tenants, manager, book):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager, book=book)
    first = quote.revisions.get(number=1)
    snapshot = (first.seats, first.monthly_total, first.lines, first.valid_until, first.note)
    second = services.quote_revise(quote=quote, base_revision=1, by=manager, concurrency=2, note="改为并发2")
    assert second.number == 2 and second.seats >= first.seats
    first.refresh_from_db()
    assert (first.seats, first.monthly_total, first.lines, first.valid_until, first.note) == snapshot
    quote.refresh_from_db()
    assert quote.current_revision == 2 and quote.status == Quote.Status.DRAFT


def test_a_revision_cannot_be_saved_updated_or_deleted(tenants, manager, book):
    t1, _ = tenants
    revision = sent_quote(tenant=t1, manager=manager, book=book).revisions.get()
    revision.note = "悄悄改价"
    with pytest.raises(ImmutableRecord):
        revision.save()
    with pytest.raises(ImmutableRecord):
        QuoteRevision.objects.filter(pk=revision.pk).update(monthly_total=1)
    with pytest.raises(ImmutableRecord):
        revision.delete()
    with pytest.raises(ImmutableRecord):
        QuoteRevision.objects.all().delete()
    assert QuoteRevision.objects.get(pk=revision.pk).note == ""


def test_two_managers_revising_the_same_version_the_second_gets_a_conflict(tenants, manager, book):
    from tests.factories import ManagerFactory

    t1, _ = tenants
    other = ManagerFactory(username="t-manager-2", display_name="王经理")
    quote = sent_quote(tenant=t1, manager=manager, book=book)
    services.quote_revise(quote=quote, base_revision=1, by=manager, note="第一位经理")
    with pytest.raises(StaleRevision, match="王经理|第 2 版") as refused:
        services.quote_revise(quote=quote, base_revision=1, by=other, note="第二位经理")
    assert "第 1 版" in refused.value.message
    assert list(quote.revisions.order_by("number").values_list("note", flat=True)) == ["", "第一位经理"]


def test_merchant_accepts_the_latest_sent_revision(tenants, manager, book):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager, book=book)
    decision = services.quote_accept(quote=quote, revision=1, by=t1.user, note="同意")
    assert decision.accepted
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert quote.engagement.stage == Engagement.Stage.CONTRACTING
    with pytest.raises(BusinessRuleError, match="已被商家接受"):
        services.quote_revise(quote=quote, base_revision=1, by=manager)


def test_accepting_a_superseded_revision_is_refused(tenants, manager, book):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager, book=book)
    services.quote_revise(quote=quote, base_revision=1, by=manager, concurrency=2)
    services.quote_send(quote=quote, revision=2, by=manager)
    with pytest.raises(BusinessRuleError, match="已被第 2 版取代"):
        services.quote_accept(quote=quote, revision=1, by=t1.user)
    assert not QuoteDecision.objects.exists()
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_accepting_an_expired_revision_is_refused(tenants, manager, book, monkeypatch):
    t1, _ = tenants
    today = timezone.localdate()
    quote = sent_quote(tenant=t1, manager=manager, book=book, valid_until=today)
    monkeypatch.setattr(services, "_today", lambda: today + timedelta(days=1))
    with pytest.raises(BusinessRuleError, match="过期"):
        services.quote_accept(quote=quote, revision=1, by=t1.user)
    assert not QuoteDecision.objects.exists()


def test_answering_twice_is_refused(tenants, manager, book):
    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager, book=book)
    services.quote_decline(quote=quote, revision=1, by=t1.user, note="太贵")
    with pytest.raises(BusinessRuleError, match="不能重复答复"):
        services.quote_accept(quote=quote, revision=1, by=t1.user)
    assert QuoteDecision.objects.get().accepted is False


def test_a_draft_cannot_be_answered_and_another_merchant_cannot_answer(tenants, manager, book):
    t1, t2 = tenants
    engagement = consultation(merchant=t1.merchant, shops=[t1.shop], by=manager)
    quote = services.quote_create(engagement=engagement, by=manager, price_book=book)
    with pytest.raises(BusinessRuleError, match="草稿"):
        services.quote_accept(quote=quote, revision=1, by=t1.user)
    services.quote_send(quote=quote, revision=1, by=manager)
    with pytest.raises(BusinessRuleError, match="只有该商家"):
        services.quote_accept(quote=quote, revision=1, by=t2.user)
    assert not QuoteDecision.objects.exists()


def test_refusals_speak_the_readers_language(tenants, manager, book):
    from django.utils import translation

    t1, _ = tenants
    quote = sent_quote(tenant=t1, manager=manager, book=book)
    services.quote_decline(quote=quote, revision=1, by=t1.user)
    with translation.override("en"), pytest.raises(BusinessRuleError, match="cannot be answered again"):
        services.quote_accept(quote=quote, revision=1, by=t1.user)
    with translation.override("zh-hans"), pytest.raises(BusinessRuleError, match="不能重复答复"):
        services.quote_accept(quote=quote, revision=1, by=t1.user)
