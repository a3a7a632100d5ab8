"""The QA pages over HTTP: roles, tenancy (404 for another merchant's or agent's objects), query counts."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from compliance.quality.models import (
    AutoQACheck,
    AutoQAConfigVersion,
    Dispute,
    Review,
    ReviewAssignment,
    SamplingPlan,
    ScorecardItem,
)
from compliance.quality.qa import services as qa_services
from compliance.quality.qa.tasks import autoqa_score
from compliance.sessions.services.scanning import hit_for
from tests.factories import SHANGHAI, AgentFactory, InspectorFactory
from tests.quality.factories import make_scorecard, make_session
from tests.quality.factories import ruleset as _ruleset

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def full_marks(card):
    return {i.pk: i.scale_max for i in ScorecardItem.objects.filter(category__scorecard=card)}


def build(tenants, inspector, n: int, card=None):
    """n sessions per tenant shop, auto-scored, each with a review, half of them disputed."""
    card = card or make_scorecard()
    agents = [AgentFactory(code=f"pg{len(ReviewAssignment.objects.all())}{k}") for k in range(2)]
    reviews = []
    for tenant in tenants:
        for k in range(n):
            agent = agents[k % 2]
            session = make_session(shop=tenant.shop, agent=agent, violation=k % 2 == 0,
                                   rows=[(0, "buyer", "在吗"), (300, "agent", "在"), (320, "buyer", "在吗？？"), (330, "agent", "你烦不烦")])
            assignment = ReviewAssignment.objects.create(session=session, inspector=inspector, scorecard=card)
            review = qa_services.review_submit(assignment=assignment, by=inspector, scores=full_marks(card))
            if k % 2 == 0:
                qa_services.dispute_open(review=review, by=agent, comment="请复核")
            reviews.append(review)
            ReviewAssignment.objects.create(session=session, inspector=inspector, scorecard=card)  # still pending
    autoqa_score()
    return card, agents, reviews


PAGES = [
    ("quality:autoqa", {}), ("quality:scorecards", {}), ("quality:sampling", {}), ("quality:queue", {}),
    ("quality:reviews", {}), ("quality:disputes", {}), ("quality:calibration", {}), ("quality:scores", {}),
]


@pytest.mark.parametrize("name,kwargs", PAGES)
def test_staff_pages_run_a_constant_number_of_queries(client, tenants, manager, inspector, name, kwargs, django_assert_max_num_queries):
    card, _agents, _ = build(tenants, inspector, 2)
    qa_services.sampling_plan_create(name="p", cadence="daily", scorecard=card, inspectors=[inspector], by=manager,
                                     shops=[tenants[0].shop])
    login(client, manager)
    url = reverse(name, kwargs=kwargs)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    build(tenants, inspector, 8, card)
    qa_services.sampling_plan_create(name="q", cadence="weekly", scorecard=card, inspectors=[inspector], by=manager)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_detail_pages_and_agent_page_run_a_constant_number_of_queries(client, tenants, inspector, django_assert_max_num_queries):
    card, agents, reviews = build(tenants, inspector, 2)
    agent = agents[0]
    pages = [("quality:my-quality", {}, agent), ("quality:review-detail", {"pk": reviews[0].pk}, inspector),
             ("quality:session", {"pk": reviews[0].session_id}, inspector),
             ("quality:review", {"pk": ReviewAssignment.objects.filter(status="pending").first().pk}, inspector)]
    counts = {}
    for name, kwargs, user in pages:
        login(client, user)
        with django_assert_max_num_queries(40) as ctx:
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
        counts[name] = len(ctx.captured_queries)
    build(tenants, inspector, 8, card)
    for name, kwargs, user in pages:
        login(client, user)
        with django_assert_max_num_queries(counts[name]):
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 200


@pytest.mark.parametrize("sessions_in_round", [1, 4])
def test_calibration_page_names_sessions_and_inspectors_in_constant_queries(
    client, tenants, manager, sessions_in_round, django_assert_max_num_queries
):
    card = make_scorecard()
    sessions = [make_session(shop=tenants[k % 2].shop, external_id=f"cal-{k}") for k in range(sessions_in_round)]
    a, b = InspectorFactory(username="ca", display_name="校准甲"), InspectorFactory(username="cb", display_name="校准乙")
    round_ = qa_services.calibration_create(title="校准", scorecard=card, sessions=sessions, inspectors=[a, b], by=manager)
    for assignment in ReviewAssignment.objects.filter(calibration=round_):
        qa_services.review_submit(assignment=assignment, by=assignment.inspector, scores=full_marks(card))
    login(client, manager)
    with django_assert_max_num_queries(8):
        page = client.get(reverse("quality:calibration-detail", args=[round_.pk])).content.decode()
    assert all(f"cal-{k}" in page for k in range(sessions_in_round))
    assert page.count("校准甲") >= sessions_in_round and page.count("校准乙") >= sessions_in_round


def test_another_merchants_review_and_session_are_404_and_absent_from_lists(client, tenants, inspector):
    _card, _agents, reviews = build(tenants, inspector, 1)
    mine = Review.objects.get(shop=tenants[0].shop)
    theirs = Review.objects.get(shop=tenants[1].shop)
    login(client, tenants[0].user)
    assert client.get(reverse("quality:review-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("quality:review-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("quality:session", args=[theirs.session_id])).status_code == 404
    assert client.get(reverse("quality:session", args=[mine.session_id])).status_code == 200
    listing = client.get(reverse("quality:reviews")).content.decode()
    assert mine.session.external_id in listing and theirs.session.external_id not in listing
    # Staff pages are not for merchants.
    assert client.get(reverse("quality:queue")).status_code == 403


def test_merchant_sees_buyer_masked(client, tenants, inspector):
    _card, _agents, _ = build(tenants, inspector, 1)
    mine = Review.objects.get(shop=tenants[0].shop)
    login(client, tenants[0].user)
    page = client.get(reverse("quality:session", args=[mine.session_id])).content.decode()
    assert mine.session.buyer not in page


def test_qa_transcript_masks_phone_numbers_and_still_marks_the_hit(client, tenants, inspector):
    session = make_session(shop=tenants[0].shop, rows=[(0, "buyer", "在吗"), (20, "agent", "加我微信 13812345678 详聊")])
    message = session.messages.get(sender="agent")
    hit_for(message=message, ruleset=_ruleset(session.shop.platform), hit={
        "rule": "pdd.other.wechat", "category": "other_platform", "severity": "violation", "start": 2, "end": 4,
        "matched": "微信",
    }).save()
    for user in (tenants[0].user, inspector):
        login(client, user)
        page = client.get(reverse("quality:session", args=[session.pk])).content.decode()
        assert "13812345678" not in page and "138****5678" in page
        assert '<mark class="hit sev-violation"' in page and ">微信</mark>" in page


def test_agents_see_only_their_own_reviews_deductions_and_disputes(client, tenants, inspector):
    _card, (a1, a2), reviews = build(tenants, inspector, 2)
    own = next(r for r in reviews if r.agent == a1)
    other = next(r for r in reviews if r.agent == a2)
    login(client, a1)
    assert client.get(reverse("quality:review-detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("quality:review-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("quality:session", args=[other.session_id])).status_code == 404
    page = client.get(reverse("quality:my-quality")).content.decode()
    assert own.session.external_id in page and other.session.external_id not in page
    assert client.get(reverse("quality:autoqa")).status_code == 403


def test_dispute_over_http_requires_a_comment_then_manager_resolves(client, tenants, inspector, manager):
    _card, _agents, reviews = build(tenants, inspector, 2)
    review = next(r for r in reviews if not Dispute.objects.filter(review=r).exists())
    url = reverse("quality:review-detail", args=[review.pk])
    login(client, review.agent)
    response = client.post(url, {"action": "dispute", "comment": ""})
    assert response.status_code == 200 and "请填写申诉理由" in response.content.decode()
    assert not Dispute.objects.filter(review=review).exists()
    assert client.post(url, {"action": "dispute", "comment": "买家已确认满意"}).status_code == 302
    login(client, manager)
    response = client.post(url, {"action": "resolve", "decision": "accept", "revised_score": "", "resolution": "同意"})
    assert "改判得分" in response.content.decode()
    assert client.post(url, {"action": "resolve", "decision": "accept", "revised_score": "88", "resolution": "同意"}).status_code == 302
    review.refresh_from_db()
    assert review.final_score == Decimal("88") and review.dispute.status == Dispute.Status.ACCEPTED


def test_review_page_submits_scores_and_moves_to_the_next(client, tenants, inspector):
    card = make_scorecard()
    sessions = [make_session(shop=tenants[0].shop) for _ in range(2)]
    first, second = (ReviewAssignment.objects.create(session=s, inspector=inspector, scorecard=card) for s in sessions)
    login(client, inspector)
    page = client.get(reverse("quality:review", args=[first.pk])).content.decode()
    assert "提交评分" in page and sessions[0].messages.first().text in page
    data = {f"item_{pk}": str(v) for pk, v in full_marks(card).items()}
    response = client.post(reverse("quality:review", args=[first.pk]), data)
    assert response.status_code == 302 and response.url == reverse("quality:review", args=[second.pk])
    assert Review.objects.get(assignment=first).score == 100
    other = InspectorFactory(username="other-insp")
    login(client, other)
    assert client.get(reverse("quality:review", args=[second.pk])).status_code == 404


def test_scorecard_edit_page_makes_a_new_version_when_used(client, tenants, inspector, manager):
    card, _agents, _ = build(tenants, inspector, 1)
    login(client, manager)
    text = "name: 新版\ncategories:\n  - name: 态度\n    weight: 1\n    items:\n      - label: 礼貌\n        scale_max: 3\n"
    response = client.post(reverse("quality:scorecard-edit", args=[card.pk]), {"spec": text})
    assert response.status_code == 302
    card.refresh_from_db()
    assert not card.is_current and card.name == "通用服务质检"
    bad = client.post(reverse("quality:scorecard-new"), {"key": "x", "spec": "name: x\ncategories: []\n"})
    assert "至少需要一个类别" in bad.content.decode()


def test_the_autoqa_page_shows_the_shipped_checks_on_a_fresh_database_without_writing(client, inspector):
    login(client, inspector)
    response = client.get(reverse("quality:autoqa"))
    assert response.status_code == 200
    shown = [check.key for check, _form in response.context["check_forms"]]
    assert shown == list(AutoQACheck.Key.values) and not AutoQACheck.objects.exists()


def test_autoqa_check_edit_and_rescore_job_page(client, tenants, manager, inspector):
    build(tenants, inspector, 1)
    login(client, manager)
    response = client.post(reverse("quality:autoqa-check", args=["greeting"]),
                           {"greeting-enabled": "", "greeting-points": "3", "greeting-max_occurrences": "1",
                            "greeting-phrases": "您好\n 亲 \n\n欢迎光临"})
    assert response.status_code == 302 and not AutoQACheck.objects.get(key="greeting").enabled
    assert AutoQACheck.objects.get(key="greeting").params == {"phrases": ["您好", "亲", "欢迎光临"]}
    response = client.post(reverse("quality:autoqa-rescore"))
    assert response.status_code == 302 and "/jobs/" in response.url
    assert client.get(response.url).status_code == 200


def test_sampling_page_creates_a_plan_and_runs_it(client, tenants, inspector, manager):
    card = make_scorecard()
    make_session(shop=tenants[0].shop)
    login(client, inspector)
    response = client.post(reverse("quality:sampling"), {
        "name": "每日抽检", "cadence": "daily", "scorecard": card.pk, "random_share": "1", "max_sessions": "5",
        "inspectors": [inspector.pk],
    })
    assert response.status_code == 302
    plan = SamplingPlan.objects.get()
    assert plan.scorecard == card
    response = client.post(reverse("quality:sampling-run", args=[plan.pk]), {"on": "2026-11-02"})
    assert response.status_code == 302
    assert ReviewAssignment.objects.filter(run__plan=plan, inspector=inspector).count() == 1


def test_dashboard_widget_and_agent_trend(client, tenants, inspector, time_machine):
    # The agent's trend covers the last 30 days: "now" is a week after the sessions `build` dates.
    time_machine.move_to(datetime(2026, 11, 9, 12, 0, tzinfo=SHANGHAI))
    _card, (a1, _a2), _ = build(tenants, inspector, 2)
    login(client, inspector)
    page = client.get("/").content.decode()
    assert 'data-widget="qa"' in page and "待质检会话" in page
    login(client, a1)
    assert 'data-widget="qa"' in client.get("/").content.decode()
    response = client.get(reverse("quality:my-quality"))
    assert 'data-chart-source="echart-my-trend-data"' in response.content.decode()
    trend = response.context["trend_chart"]
    assert len(trend["labels"]) == 30 and trend["labels"][-1] == "11-09"
    auto, manual = (series["values"] for series in trend["series"])
    assert auto[-8] is not None and manual[-8] is not None  # the sessions of 11-02, a week before "now"
    assert auto[-1] is None  # no session that day: a gap, not a zero


def test_my_quality_lists_are_paged_and_filtered_by_shop(client, tenants, inspector):
    _card, (a1, _a2), reviews = build(tenants, inspector, 4)
    own = [r for r in reviews if r.agent == a1]
    login(client, a1)
    response = client.get(reverse("quality:my-quality"))
    assert response.context["reviews"].paginator.count == len(own) == 4
    assert {s.code for s in response.context["shops"]} == {tenants[0].shop.code, tenants[1].shop.code}
    response = client.get(reverse("quality:my-quality"), {"shop": tenants[0].shop.code})
    assert {r.shop_id for r in response.context["reviews"]} == {tenants[0].shop.pk}
    assert response.context["reviews"].paginator.count == 2
    assert all(d.result.shop_id == tenants[0].shop.pk for d in response.context["deductions"])
    response = client.get(reverse("quality:my-quality"), {"check": "not-a-check", "rpage": "99"})
    assert response.status_code == 200 and response.context["check"] == ""
    assert response.context["reviews"].number == 1  # a page past the end shows the last page


def test_pages_speak_english_when_asked(client, tenants, inspector):
    build(tenants, inspector, 1)
    login(client, inspector)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("quality:queue")).content.decode()
    assert "Recently done" in page and "Review queue" in page
    assert "开始质检" not in page and "最近完成" not in page


def test_a_team_lead_resolves_their_teams_dispute_but_sees_no_other_team(client, tenants, inspector):
    from agency.models import Team

    _card, (a1, a2), reviews = build(tenants, inspector, 2)
    lead = AgentFactory(code="lead1")
    a1.team = Team.objects.create(name="三组", lead=lead)
    a1.save()
    disputed = Dispute.objects.filter(agent=a1).select_related("review").first()
    other = next(r for r in reviews if r.agent == a2)
    login(client, lead)
    assert client.get(reverse("quality:review-detail", args=[other.pk])).status_code == 404
    url = reverse("quality:review-detail", args=[disputed.review_id])
    assert "resolve-form" in client.get(url).content.decode()
    assert client.post(url, {"action": "resolve", "decision": "reject", "resolution": "维持原判"}).status_code == 302
    disputed.refresh_from_db()
    assert disputed.status == Dispute.Status.REJECTED and disputed.resolved_by == lead


def test_autoqa_settings_are_a_form_with_typed_fields_and_every_change_is_a_version(client, manager):
    login(client, manager)
    page = client.get(reverse("quality:autoqa")).content.decode()
    assert 'name="compliance_hits-by_severity__severe"' in page and 'name="slow_no_apology-threshold_seconds"' in page
    assert 'form="f-greeting"' in page  # every input belongs to its row's form
    url = reverse("quality:autoqa-check", args=["compliance_hits"])
    fields = {"compliance_hits-enabled": "on", "compliance_hits-points": "0", "compliance_hits-max_occurrences": "0",
              "compliance_hits-by_severity__info": "0", "compliance_hits-by_severity__warning": "1",
              "compliance_hits-by_severity__violation": "6", "compliance_hits-by_severity__severe": "20",
              "compliance_hits-merge_gap_chars": "2"}
    client.post(url, fields)
    check = AutoQACheck.objects.get(key="compliance_hits")
    assert check.params == {"by_severity": {"info": 0.0, "warning": 1.0, "violation": 6.0, "severe": 20.0},
                            "merge_gap_chars": 2}
    bad = client.post(url, {**fields, "compliance_hits-by_severity__severe": "-3", "compliance_hits-merge_gap_chars": "x"},
                      follow=True)
    assert bad.status_code == 200 and AutoQACheck.objects.get(key="compliance_hits").params == check.params
    client.post(url, {**fields, "compliance_hits-by_severity__severe": "25"})
    client.post(url, {**fields, "compliance_hits-by_severity__severe": "25"})  # no change: no new version
    versions = list(AutoQAConfigVersion.objects.order_by("number").values_list("number", "changed_check", "created_by"))
    assert versions == [(1, "compliance_hits", manager.pk), (2, "compliance_hits", manager.pk)]
    latest = AutoQAConfigVersion.objects.get(number=2)
    by_key = {c["key"]: c for c in latest.checks}
    assert by_key["compliance_hits"]["params"]["by_severity"]["severe"] == 25.0
    assert 'data-version="2"' in client.get(reverse("quality:autoqa")).content.decode()
