"""A breached target raises one alert, not one per recompute; a PDD reply rate in 50–90% is a warning."""

from __future__ import annotations

from datetime import date

import pytest

from agency.models import AuditEvent
from compliance.quality.metrics.services import alert_acknowledge, metrics_refresh, metrics_refresh_new
from compliance.quality.models import QualityAlert
from tests.factories import AgentFactory, ShopFactory
from tests.quality.factories import EDGES, MIDNIGHT, make_scripted_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_with_sessions():
    shop = ShopFactory(platform="pdd", code="alert-pdd")
    agent = AgentFactory(code="al1")
    edges = make_scripted_session(shop, "edges", EDGES, agent=agent)
    midnight = make_scripted_session(shop, "midnight", MIDNIGHT, agent=agent)
    return shop, agent, edges, midnight


def test_a_shop_day_metric_has_one_alert_at_its_worst_level_whatever_the_recomputes(shop_with_sessions, monkeypatch):
    shop, agent, edges, midnight = shop_with_sessions
    # 11-03: 3 of 4 within 180 s = 75%: inside PDD's 50–90% warning band, but the contract's 95% is breached:
    # one alert, a breach (not a warning and a breach)
    monkeypatch.setattr("compliance.quality.metrics.sla.contract_sla", lambda s, on: {"reply_rate_target": 0.95})
    first = metrics_refresh()
    assert first.alerts_created == 2  # 11-03 breach, 11-04 breach (0%)
    for _ in range(2):
        assert metrics_refresh().alerts_created == 0
        metrics_refresh(session_ids=[edges.pk])
    alerts = QualityAlert.objects.filter(shop=shop)
    assert alerts.count() == 2
    breach = alerts.get(day=date(2026, 11, 3), metric="reply_rate")
    assert breach.level == "breach" and breach.escalated_at is None
    assert breach.source == "contract" and breach.threshold == 0.95 and round(breach.value, 2) == 0.75
    # the session behind the late turn is linked, the on-time one is not
    assert list(breach.sessions.values_list("pk", flat=True)) == [edges.pk]
    assert list(alerts.get(day=date(2026, 11, 4)).sessions.values_list("pk", flat=True)) == [midnight.pk]
    assert AuditEvent.objects.filter(verb="quality_alert_raised").count() == 2


def test_a_warning_that_later_breaches_escalates_the_same_alert_and_reopens_it(shop_with_sessions, monkeypatch, manager):
    shop, *_ = shop_with_sessions
    metrics_refresh()  # platform defaults: 11-03 at 75% is a warning (band 50–90%, floor 50%)
    warning = QualityAlert.objects.get(shop=shop, day=date(2026, 11, 3), metric="reply_rate")
    assert warning.level == "warning" and warning.threshold == 0.9
    alert_acknowledge(alert=warning, by=manager)
    # the contract now asks 95%: the same day breaches
    monkeypatch.setattr("compliance.quality.metrics.sla.contract_sla", lambda s, on: {"reply_rate_target": 0.95})
    assert metrics_refresh().alerts_created == 0
    alert = QualityAlert.objects.get(shop=shop, day=date(2026, 11, 3), metric="reply_rate")
    assert alert.pk == warning.pk and alert.level == "breach" and alert.threshold == 0.95
    assert alert.escalated_at is not None and alert.acknowledged_at is None
    assert AuditEvent.objects.filter(verb="quality_alert_escalated", object_id=str(alert.pk)).count() == 1
    # the contract relaxes again: a breach never goes back to a warning
    monkeypatch.setattr("compliance.quality.metrics.sla.contract_sla", lambda s, on: {})
    metrics_refresh()
    alert.refresh_from_db()
    assert alert.level == "breach" and alert.threshold == 0.95
    assert QualityAlert.objects.filter(shop=shop, day=date(2026, 11, 3)).count() == 1


def test_no_alert_when_targets_are_met(shop_with_sessions):
    shop, *_ = shop_with_sessions
    metrics_refresh()
    # platform defaults: 75% is in the warning band but above the 50% floor; 11-04 at 0% breaches it
    levels = set(QualityAlert.objects.filter(shop=shop).values_list("day", "level"))
    assert levels == {(date(2026, 11, 3), "warning"), (date(2026, 11, 4), "breach")}


def test_incremental_update_keeps_one_alert(shop_with_sessions):
    shop, agent, *_ = shop_with_sessions
    metrics_refresh_new()
    make_scripted_session(shop, "again", [("buyer", "2026-11-04 10:00:00"), ("agent", "2026-11-04 10:30:00")], agent=agent)
    result = metrics_refresh_new()
    assert result.alerts_created == 0
    breach = QualityAlert.objects.get(shop=shop, day=date(2026, 11, 4), level="breach")
    assert breach.sessions.count() == 2 and breach.value == 0.0
