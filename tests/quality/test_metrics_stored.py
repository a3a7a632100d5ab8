"""Stored metrics: the SQL engine (PostgreSQL window functions) and the Python engine agree with the
hand-computed figures; the incremental refresh equals a full recompute; day roll-ups split at midnight."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.db import connection

from compliance.quality.metrics.services import metrics_refresh, metrics_refresh_new
from compliance.quality.models import (
    AgentDayMetrics,
    ResponseTurn,
    SessionMetrics,
    ShopDayMetrics,
    SlaProfile,
)
from tests.factories import AgentFactory, ShopFactory
from tests.quality.factories import (
    EDGES,
    EDGES_EXPECTED,
    HOLIDAY,
    HOLIDAY_EXPECTED_WITH_HOLIDAY_WINDOW,
    MIDNIGHT,
    MIDNIGHT_EXPECTED,
    make_scripted_session,
)

pytestmark = pytest.mark.django_db


def requires_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("the SQL engine runs on PostgreSQL")


@pytest.fixture
def crafted(db):
    SlaProfile.objects.update_or_create(
        platform="pdd", defaults={"holiday_window_start": time(10), "holiday_window_end": time(18)}
    )
    shop = ShopFactory(platform="pdd", code="crafted-pdd")
    agent = AgentFactory(code="c01")
    sessions = {
        "edges": make_scripted_session(shop, "edges", EDGES, agent=agent),
        "midnight": make_scripted_session(shop, "midnight", MIDNIGHT, agent=agent),
        "holiday": make_scripted_session(shop, "holiday", HOLIDAY, agent=agent),
    }
    return shop, agent, sessions


def contract_view(metrics: SessionMetrics) -> dict:
    return {
        "counted_turns": metrics.counted_turns,
        "answered_within_target": metrics.answered_within_target,
        "reply_rate": None if metrics.reply_rate is None else round(metrics.reply_rate, 3),
        "first_response_seconds": metrics.first_response_seconds,
        "avg_response_seconds": None if metrics.avg_response_seconds is None else round(metrics.avg_response_seconds, 1),
        "five_minute_nonreply": metrics.five_minute_nonreply,
        "unserved": metrics.unserved,
    }


@pytest.mark.parametrize("engine", ["python", "sql"])
def test_session_metrics_match_hand_computed_values(crafted, engine):
    if engine == "sql":
        requires_postgres()
    _, agent, sessions = crafted
    metrics_refresh(engine=engine)
    assert contract_view(sessions["edges"].metrics) == EDGES_EXPECTED
    assert contract_view(sessions["midnight"].metrics) == MIDNIGHT_EXPECTED
    assert contract_view(sessions["holiday"].metrics) == HOLIDAY_EXPECTED_WITH_HOLIDAY_WINDOW
    assert sessions["edges"].metrics.agent_id == agent.pk


@pytest.mark.parametrize("engine", ["python", "sql"])
def test_day_rollups_split_turns_at_midnight(crafted, engine):
    if engine == "sql":
        requires_postgres()
    shop, agent, _ = crafted
    metrics_refresh(engine=engine)
    nov3 = ShopDayMetrics.objects.get(shop=shop, day=date(2026, 11, 3))
    nov4 = ShopDayMetrics.objects.get(shop=shop, day=date(2026, 11, 4))
    # 11-03: three counted turns of "edges" plus the midnight session's first; 11-04: its unanswered turn
    assert (nov3.counted_turns, nov3.answered_within_target, nov3.nonreply_turns, nov3.sessions) == (4, 3, 1, 2)
    assert round(nov3.avg_response_seconds, 3) == round((120 + 60 + 311 + 120) / 4, 3)
    assert (nov4.counted_turns, nov4.answered_within_target, nov4.unserved_turns, nov4.sessions) == (1, 0, 1, 0)
    assert nov4.reply_rate == 0.0
    agent_nov3 = AgentDayMetrics.objects.get(agent=agent, shop=shop, day=date(2026, 11, 3))
    assert agent_nov3.counted_turns == 4
    # the holiday's turn outside the 10–18 holiday window is stored but not counted
    assert ResponseTurn.objects.filter(day=date(2026, 10, 1), counted=False).count() == 1


def snapshot():
    turns = sorted(
        ResponseTurn.objects.values_list(
            "session_id", "day", "started_at", "answered_at", "response_seconds", "counted", "within_target",
            "agent_id", "first_message_id", "answer_message_id",
        )
    )
    sessions = sorted(
        (m.session_id, m.day, m.agent_id, tuple(contract_view(m).values()), m.answered_turns)
        for m in SessionMetrics.objects.all()
    )
    days = sorted(
        ShopDayMetrics.objects.values_list(
            "shop_id", "day", "sessions", "counted_turns", "answered_turns", "answered_within_target",
            "response_seconds_sum", "nonreply_turns", "unserved_turns", "first_response_sum", "first_response_count",
        )
    )
    agents = sorted(AgentDayMetrics.objects.values_list("agent_id", "shop_id", "day", "counted_turns", "response_seconds_sum"))
    return turns, sessions, days, agents


def test_sql_and_python_engines_store_the_same_rows(crafted):
    requires_postgres()
    shop, agent, _ = crafted
    other_agent = AgentFactory(code="c02")
    make_scripted_session(shop, "extra", [("agent", "2026-11-05 09:00:00"), ("buyer", "2026-11-05 09:00:10"),
                                 ("buyer", "2026-11-05 09:00:20"), ("agent", "2026-11-05 09:04:00")], agent=other_agent)
    metrics_refresh(engine="python")
    by_python = snapshot()
    metrics_refresh(engine="sql")
    assert snapshot() == by_python


@pytest.mark.parametrize("engine", ["python", "sql"])
def test_incremental_refresh_of_a_new_day_equals_a_full_recompute(crafted, engine):
    if engine == "sql":
        requires_postgres()
    shop, agent, _ = crafted
    metrics_refresh(engine=engine)
    # a new day arrives: one new session, and a late message that lands in the midnight session
    new = make_scripted_session(shop, "new-day", [("buyer", "2026-11-06 10:00:00"), ("agent", "2026-11-06 10:10:00")], agent=agent)
    from compliance.models import ChatMessage, ChatSession

    midnight = ChatSession.objects.get(external_id="midnight")
    ChatMessage.objects.create(
        session=midnight, shop=shop, external_id="late", sender="agent", agent=agent,
        sent_at=midnight.ended_at.replace(minute=45), text="抱歉久等",
    )
    result = metrics_refresh_new(engine=engine)
    assert result.sessions == 2  # only the touched sessions were recomputed
    assert (shop.pk, date(2026, 11, 6)) in result.days and (shop.pk, date(2026, 10, 1)) not in result.days
    incremental = snapshot()
    assert SessionMetrics.objects.get(session=new).first_response_seconds == 600.0
    assert SessionMetrics.objects.get(session=midnight).unserved is False  # the late answer came within the hour
    metrics_refresh(engine=engine)
    assert snapshot() == incremental
    assert metrics_refresh_new(engine=engine).sessions == 0  # nothing new since


def test_contract_targets_override_the_platform_profile(crafted, monkeypatch):
    shop, _, sessions = crafted
    monkeypatch.setattr(
        "compliance.quality.metrics.sla.contract_sla",
        lambda s, on: {"target_seconds": 60, "window_start": time(8, 5)} if s.pk == shop.pk else None,
    )
    metrics_refresh(engine="python" if connection.vendor != "postgresql" else "sql")
    edges = SessionMetrics.objects.get(session=sessions["edges"])
    # window from 08:05: T2 (08:05:00) still counted, target 60 s: only T3 (60 s) within
    assert (edges.counted_turns, edges.answered_within_target) == (3, 1)
