"""Auto-QA over the database: every session scored, idempotent, configurable, deductions linked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from agency.models import Job
from compliance.quality.models import AutoQACheck, AutoQADeduction, AutoQAResult
from compliance.quality.qa import services as qa_services
from compliance.quality.qa.tasks import autoqa_score
from tests.factories import AgentFactory
from tests.quality.factories import make_session

pytestmark = pytest.mark.django_db

RUDE = [(0, "buyer", "怎么还没发货"), (400, "agent", "自己看物流"), (420, "buyer", "我刚才说了要退款"), (430, "agent", "你烦不烦")]


def test_task_scores_every_session_with_deductions_linked_to_messages(tenants):
    agent = AgentFactory(code="a31")
    good = make_session(shop=tenants[0].shop, agent=agent)
    bad = make_session(shop=tenants[1].shop, agent=agent, rows=RUDE, violation=True)
    assert autoqa_score() == 2
    assert AutoQAResult.objects.get(session=good).score == Decimal("100.0")
    result = AutoQAResult.objects.get(session=bad)
    assert result.agent == agent and result.has_violation and result.score < 70
    deductions = list(AutoQADeduction.objects.filter(result=result).select_related("message"))
    assert {d.check_key for d in deductions} >= {"greeting", "slow_no_apology", "abusive_tone", "compliance_hits", "buyer_repeat"}
    assert all(d.message is not None and d.message.session_id == bad.pk for d in deductions)
    assert result.deduction_count == len(deductions)


def test_scoring_again_replaces_instead_of_duplicating(tenants):
    session = make_session(shop=tenants[0].shop, rows=RUDE)
    autoqa_score()
    first = AutoQADeduction.objects.count()
    assert autoqa_score() == 0  # nothing pending under the same configuration
    qa_services.autoqa_score_sessions(session_ids=[session.pk])
    assert AutoQAResult.objects.count() == 1 and AutoQADeduction.objects.count() == first


def test_changing_a_check_makes_scores_stale_and_the_rescore_uses_it(tenants, manager, django_capture_on_commit_callbacks):
    session = make_session(shop=tenants[0].shop, rows=RUDE)
    autoqa_score()
    before = AutoQAResult.objects.get(session=session).score
    check = AutoQACheck.objects.get(key="abusive_tone")
    qa_services.autoqa_check_update(check=check, by=manager, enabled=False, points=check.points,
                                    max_occurrences=check.max_occurrences, params={})
    with django_capture_on_commit_callbacks(execute=True):
        job = qa_services.autoqa_rescore_start(by=manager)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"scored": 1}
    after = AutoQAResult.objects.get(session=session)
    assert after.score > before and not after.deductions.filter(check_key="abusive_tone").exists()


def test_bad_check_parameters_are_refused_with_the_reason(manager, db):
    check = qa_services.autoqa_checks_ensure()[0]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        qa_services.autoqa_check_update(check=check, by=manager, enabled=True, points=Decimal(5), max_occurrences=1,
                                        params={"phrases": "您好"})
    assert "参数 phrases 必须是文字列表" in str(exc.value)


def test_only_managers_edit_checks(inspector, db):
    from django.core.exceptions import PermissionDenied

    check = qa_services.autoqa_checks_ensure()[0]
    with pytest.raises(PermissionDenied):
        qa_services.autoqa_check_update(check=check, by=inspector, enabled=False, points=Decimal(1), max_occurrences=1, params={})


def test_scoring_a_chunk_costs_the_same_queries_for_5_or_20_sessions(tenants, django_assert_max_num_queries):
    small = [make_session(shop=tenants[0].shop, rows=RUDE, violation=True).pk for _ in range(5)]
    checks, config_hash = qa_services.autoqa_config()
    with django_assert_max_num_queries(12) as ctx:
        qa_services.autoqa_score_sessions(session_ids=small, checks=checks, config_hash=config_hash)
    large = [make_session(shop=tenants[1].shop, rows=RUDE, violation=True).pk for _ in range(20)]  # SQLite batches inserts above ~200 rows
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        qa_services.autoqa_score_sessions(session_ids=large, checks=checks, config_hash=config_hash)
    assert AutoQAResult.objects.count() == 25
