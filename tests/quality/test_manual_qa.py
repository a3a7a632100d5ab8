"""Scorecards (versioned), sampling, reviews, disputes and calibration through the services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agency.models import Team
from compliance.quality.models import (
    Review,
    ReviewAssignment,
    SamplingPlan,
    Scorecard,
    ScorecardItem,
)
from compliance.quality.qa import selectors as qa_selectors
from compliance.quality.qa import services as qa_services
from compliance.quality.qa.tasks import autoqa_score
from tests.factories import SHANGHAI, AgentFactory, InspectorFactory, ShopFactory
from tests.quality.factories import SPEC, make_scorecard, make_session

pytestmark = pytest.mark.django_db


def full_marks(scorecard) -> dict[int, int]:
    return {i.pk: i.scale_max for i in ScorecardItem.objects.filter(category__scorecard=scorecard)}


def assign(session, inspector, scorecard):
    return ReviewAssignment.objects.create(session=session, inspector=inspector, scorecard=scorecard)


# ------------------------------------------------------------------------------------------- scorecards


def test_an_unused_scorecard_is_edited_in_place(manager):
    card = make_scorecard()
    spec = {**SPEC, "name": "改名后"}
    assert qa_services.scorecard_update(scorecard=card, spec=spec, by=manager).pk == card.pk
    card.refresh_from_db()
    assert card.name == "改名后" and card.version == 1


def test_a_used_scorecard_is_never_changed_in_place_a_new_version_is_made(tenants, manager, inspector):
    card = make_scorecard()
    plan = qa_services.sampling_plan_create(name="p", cadence="daily", scorecard=card, inspectors=[inspector], by=manager)
    session = make_session(shop=tenants[0].shop)
    review = qa_services.review_submit(assignment=assign(session, inspector, card), by=inspector, scores=full_marks(card))
    old_items = list(ScorecardItem.objects.filter(category__scorecard=card).values_list("id", "label", "scale_max", "weight"))
    spec = {"name": "通用服务质检", "categories": [{"name": "全新类别", "weight": 1, "items": [{"label": "只剩一项", "scale_max": 10}]}]}

    new = qa_services.scorecard_update(scorecard=card, spec=spec, by=manager)

    card.refresh_from_db()
    assert new.pk != card.pk and new.key == card.key and new.version == 2 and new.is_current and not card.is_current
    assert list(ScorecardItem.objects.filter(category__scorecard=card).values_list("id", "label", "scale_max", "weight")) == old_items
    review.refresh_from_db()
    assert review.scorecard_id == card.pk and review.scores.count() == len(old_items)
    plan.refresh_from_db()
    assert plan.scorecard == new  # sampling from now on uses the new version
    with pytest.raises(ValidationError):  # the old version is frozen: not current, cannot be edited
        qa_services.scorecard_update(scorecard=card, spec=spec, by=manager)


def test_yaml_errors_name_the_line():
    with pytest.raises(ValidationError) as exc:
        qa_services.scorecard_spec_from_yaml("name: x\ncategories:\n  - name: [unclosed\n")
    assert "第 3 行" in str(exc.value) or "第 4 行" in str(exc.value)


# ------------------------------------------------------------------------------------------- sampling


def day(d: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, d, hour, 0, tzinfo=SHANGHAI)


def test_sampling_filters_shop_agent_low_score_and_violations_and_runs_once_per_period(tenants, manager):
    card = make_scorecard()
    a1, a2 = AgentFactory(code="s01"), AgentFactory(code="s02")
    shop = tenants[0].shop
    rude = [(0, "buyer", "在吗"), (500, "agent", "你烦不烦")]
    keep = make_session(shop=shop, agent=a1, start=day(2), rows=rude, violation=True)
    make_session(shop=shop, agent=a1, start=day(2), violation=True)  # good score: excluded by the score filter
    make_session(shop=shop, agent=a2, start=day(2), rows=rude, violation=True)  # other agent
    make_session(shop=tenants[1].shop, agent=a1, start=day(2), rows=rude, violation=True)  # other shop
    make_session(shop=shop, agent=a1, start=day(2), rows=rude)  # no violation
    make_session(shop=shop, agent=a1, start=day(3), rows=rude, violation=True)  # other day
    make_session(shop=shop, agent=a1, start=day(2, 23).replace(minute=59), rows=rude, violation=True, external_id="late")
    autoqa_score()
    i1, i2 = InspectorFactory(username="i1"), InspectorFactory(username="i2")
    plan = qa_services.sampling_plan_create(
        name="低分违规", cadence="daily", scorecard=card, inspectors=[i1, i2], by=manager, shops=[shop], agents=[a1],
        max_auto_score=Decimal("80"), only_violations=True,
    )
    run, created = qa_services.sampling_run(plan=plan, on=date(2026, 11, 2), by=manager)
    assert created and run.pool_size == 2 and run.assigned == 2
    sessions = set(ReviewAssignment.objects.filter(run=run).values_list("session__external_id", flat=True))
    assert sessions == {keep.external_id, "late"}
    assert set(ReviewAssignment.objects.filter(run=run).values_list("inspector", flat=True)) == {i1.pk, i2.pk}

    again, created = qa_services.sampling_run(plan=plan, on=date(2026, 11, 2), by=manager)
    assert not created and again.pk == run.pk and ReviewAssignment.objects.count() == 2


def test_random_share_and_cap_and_weekly_period(manager):
    card = make_scorecard()
    shop = ShopFactory()
    for d in range(2, 9):  # Mon 2 Nov .. Sun 8 Nov 2026
        for _ in range(3):
            make_session(shop=shop, start=day(d))
    plan = qa_services.sampling_plan_create(
        name="周抽检", cadence="weekly", scorecard=card, inspectors=[InspectorFactory()], by=manager,
        random_share=Decimal("0.5"), max_sessions=8,
    )
    run, _ = qa_services.sampling_run(plan=plan, on=date(2026, 11, 5))
    assert (run.period_start, run.period_end) == (date(2026, 11, 2), date(2026, 11, 8))
    assert run.pool_size == 21 and run.assigned == 8  # ceil(21 * 0.5) = 11, capped at 8
    share = qa_services.sampling_plan_create(
        name="日抽检", cadence="daily", scorecard=card, inspectors=[InspectorFactory()], by=manager, random_share=Decimal("0.5"),
    )
    run, _ = qa_services.sampling_run(plan=share, on=date(2026, 11, 3))
    taken = ReviewAssignment.objects.filter(run__plan=plan, session__started_at__date=date(2026, 11, 3)).count()
    # A session is sampled once, whichever plan takes it first; half of what is left, rounded up.
    assert run.pool_size == 3 - taken and run.assigned == -(-(3 - taken) // 2)


def test_sampling_plan_input_is_checked(manager):
    with pytest.raises(ValidationError) as exc:
        qa_services.sampling_plan_create(name="x", cadence="daily", scorecard=make_scorecard(), inspectors=[], by=manager,
                                         random_share=Decimal("0"))
    assert set(exc.value.message_dict) == {"inspectors", "random_share"}


def test_due_runs_sample_yesterday_for_daily_plans_and_last_week_on_mondays(manager):
    card = make_scorecard()
    shop = ShopFactory()
    make_session(shop=shop, start=day(8))
    daily = qa_services.sampling_plan_create(name="d", cadence="daily", scorecard=card, inspectors=[InspectorFactory()], by=manager)
    weekly = qa_services.sampling_plan_create(name="w", cadence="weekly", scorecard=card, inspectors=[InspectorFactory()], by=manager)
    runs = qa_services.sampling_run_due(today=date(2026, 11, 9))  # a Monday
    assert {(r.plan_id, r.period_start) for r in runs} == {(daily.pk, date(2026, 11, 8)), (weekly.pk, date(2026, 11, 2))}
    assert qa_services.sampling_run_due(today=date(2026, 11, 9)) == []
    assert SamplingPlan.objects.count() == 2


# ------------------------------------------------------------------------------------------- reviews and disputes


def test_review_scores_items_and_a_failed_critical_item_fails_it(tenants, inspector):
    card = make_scorecard()
    agent = AgentFactory(code="r01")
    session = make_session(shop=tenants[0].shop, agent=agent)
    scores = full_marks(card)
    review = qa_services.review_submit(assignment=assign(session, inspector, card), by=inspector, scores=scores, comment="好")
    assert review.score == Decimal("100.0") and review.agent == agent and review.day == date(2026, 11, 2)
    critical = ScorecardItem.objects.get(category__scorecard=card, critical=True)
    scores[critical.pk] = 0
    failed = qa_services.review_submit(assignment=assign(session, inspector, card), by=inspector, scores=scores)
    assert failed.failed_critical and failed.score == 0


def test_review_needs_every_item_in_range_and_only_the_assigned_inspector(tenants, inspector):
    card = make_scorecard()
    assignment = assign(make_session(shop=tenants[0].shop), inspector, card)
    scores = full_marks(card)
    first = next(iter(scores))
    with pytest.raises(ValidationError) as exc:
        qa_services.review_submit(assignment=assignment, by=inspector, scores={**scores, first: 99})
    assert f"item_{first}" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        qa_services.review_submit(assignment=assignment, by=InspectorFactory(), scores=scores)
    assert not Review.objects.exists()


def test_dispute_needs_a_comment_and_only_a_manager_or_team_lead_resolves(tenants, inspector, manager):
    card = make_scorecard()
    lead = AgentFactory(code="lead")
    team = Team.objects.create(name="一组", lead=lead)
    agent = AgentFactory(code="d01", team=team)
    review = qa_services.review_submit(
        assignment=assign(make_session(shop=tenants[0].shop, agent=agent), inspector, card), by=inspector,
        scores={**full_marks(card), **{i.pk: 1 for i in ScorecardItem.objects.filter(category__scorecard=card, critical=False)}},
    )
    with pytest.raises(PermissionDenied):
        qa_services.dispute_open(review=review, by=AgentFactory(code="d02"), comment="不是我")
    with pytest.raises(ValidationError) as exc:
        qa_services.dispute_open(review=review, by=agent, comment="   ")
    assert exc.value.message_dict == {"comment": ["请填写申诉理由"]}
    dispute = qa_services.dispute_open(review=review, by=agent, comment="买家后来说满意了")

    with pytest.raises(PermissionDenied):
        qa_services.dispute_resolve(dispute=dispute, by=inspector, accept=False, resolution="维持")
    with pytest.raises(ValidationError):
        qa_services.dispute_resolve(dispute=dispute, by=lead, accept=True, resolution="改判")  # no revised score
    qa_services.dispute_resolve(dispute=dispute, by=lead, accept=True, resolution="改判", revised_score=Decimal("90"))
    review.refresh_from_db()
    assert review.final_score == Decimal("90") and review.score < 90
    with pytest.raises(ValidationError):
        qa_services.dispute_resolve(dispute=dispute, by=manager, accept=False, resolution="再来")


# ------------------------------------------------------------------------------------------- calibration


def test_review_page_actions_dispute_then_resolve_through_one_service(tenants, inspector):
    card = make_scorecard()
    lead = AgentFactory(code="lead2")
    agent = AgentFactory(code="d03", team=Team.objects.create(name="二组", lead=lead))
    review = qa_services.review_submit(
        assignment=assign(make_session(shop=tenants[0].shop, agent=agent), inspector, card), by=inspector,
        scores=full_marks(card),
    )
    assert qa_services.can_dispute(review=review, user=agent) and not qa_services.can_dispute(review=review, user=lead)
    with pytest.raises(ValidationError) as exc:
        qa_services.review_act(review=review, by=agent, action="dispute", comment=" ")
    assert exc.value.message_dict == {"comment": ["请填写申诉理由"]}
    assert qa_services.review_act(review=review, by=agent, action="dispute", comment="请复核") == "申诉已提交，等待组长或经理处理。"
    review = qa_selectors.reviews_visible_to(user=lead).get(pk=review.pk)
    assert not qa_services.can_dispute(review=review, user=agent)
    with pytest.raises(PermissionDenied):
        qa_services.review_act(review=review, by=inspector, action="resolve", decision="reject", resolution="维持")
    with pytest.raises(ValidationError) as exc:
        qa_services.review_act(review=review, by=lead, action="resolve", decision="accept", resolution="改判")
    assert "revised_score" in exc.value.message_dict
    done = qa_services.review_act(
        review=review, by=lead, action="resolve", decision="accept", resolution="改判", revised_score=Decimal("80")
    )
    review.refresh_from_db()
    assert done == "申诉已处理。" and review.final_score == Decimal("80") and review.dispute.status == "accepted"
    with pytest.raises(ValueError):
        qa_services.review_act(review=review, by=lead, action="delete")


def test_calibration_assigns_everyone_and_shows_alignment(tenants, manager):
    card = make_scorecard()
    sessions = [make_session(shop=tenants[0].shop) for _ in range(2)]
    a, b = InspectorFactory(username="ca"), InspectorFactory(username="cb")
    round_ = qa_services.calibration_create(title="十一月校准", scorecard=card, sessions=sessions, inspectors=[a, b], by=manager)
    assert ReviewAssignment.objects.filter(calibration=round_).count() == 4
    items = full_marks(card)
    polite = ScorecardItem.objects.get(category__scorecard=card, label="使用礼貌用语")
    for assignment in ReviewAssignment.objects.filter(calibration=round_).order_by("id"):
        scores = dict(items)
        if assignment.inspector == b and assignment.session == sessions[0]:
            scores[polite.pk] = 2  # b is harsher on one item of one session
        qa_services.review_submit(assignment=assignment, by=assignment.inspector, scores=scores)
    aligned = qa_selectors.calibration_alignment(round_=round_)
    by_item = {i.item: i for i in aligned.items}
    assert by_item[polite.pk].agreement_rate == 0.5 and by_item[polite.pk].mean_spread == 0.3
    assert aligned.agreement_rate == pytest.approx(5 / 6)
    assert sorted(s.spread for s in aligned.sessions) == [0.0, 12.0]  # (1 - 0.7) × 40%
    # Calibration reviews do not count as the agent's results and cannot be disputed.
    assert not qa_selectors.reviews_visible_to(user=manager).exists()


def test_quality_scores_combine_manual_and_auto_per_agent_shop_team(tenants, inspector, manager):
    card = make_scorecard()
    team = Team.objects.create(name="二组")
    agent = AgentFactory(code="q01", team=team)
    session = make_session(shop=tenants[0].shop, agent=agent, rows=[(0, "buyer", "在吗"), (10, "agent", "有货")])
    autoqa_score()  # greeting and closing missing: 90
    scores = full_marks(card)
    scores[ScorecardItem.objects.get(category__scorecard=card, label="回答准确").pk] = 0  # 40
    qa_services.review_submit(assignment=assign(session, inspector, card), by=inspector, scores=scores)
    for by, name in (("agent", agent.display_name), ("shop", tenants[0].shop.name), ("team", "二组")):
        [row] = qa_selectors.quality_scores(user=manager, by=by, start=date(2026, 11, 1), end=date(2026, 11, 30))
        assert (row["name"], row["manual"], row["auto"], row["quality"]) == (name, Decimal("40.0"), Decimal("90.0"), Decimal("60.0"))
    # The other merchant's user sees nothing of it.
    assert qa_selectors.quality_scores(user=tenants[1].user, by="shop", start=date(2026, 11, 1), end=date(2026, 11, 30)) == []
    [day_row] = qa_selectors.qa_scores_by_shop_day(user=tenants[0].user, shop=tenants[0].shop, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert day_row == {"day": date(2026, 11, 2), "auto_score": Decimal("90.0"), "auto_count": 1, "qa_score": Decimal("40.0"), "qa_count": 1}
    assert qa_selectors.qa_scores_by_shop_day(user=tenants[1].user, shop=tenants[0].shop, start=date(2026, 11, 1), end=date(2026, 11, 30)) == []
    [agent_row] = qa_selectors.qa_scores_by_agent(user=tenants[0].user, shop=tenants[0].shop, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert agent_row["code"] == "q01" and agent_row["quality"] == Decimal("60.0")
    assert Scorecard.objects.count() == 1
