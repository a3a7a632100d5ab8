"""What an English reader trips over: labels left in Chinese, a heading that says "Quotes" over one quote, and
the same Chinese word translated by one app for another (Django lets the first app in INSTALLED_APPS win, so
clients' "Acknowledged" used to label quality's acknowledge button)."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from clients.sales import documents
from compliance.quality.models import QualityAlert
from tests.clients.factories import price_book, sent_contract
from tests.language import visible_text

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def back_to_chinese():
    """An English request leaves English active in this thread (LocaleMiddleware does not reset it); later
    tests that expect Chinese messages must not inherit it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_quote_page_in_english_names_one_quote_and_explains_the_seats_in_english(client, tenants, manager):
    price_book()
    contract = sent_contract(tenant=tenants[0], manager=manager)
    quote = contract.revision.quote
    client.force_login(manager)
    html = client.get(reverse("clients:quote-detail", args=[quote.pk]), **EN).content.decode()
    assert f"Quote {quote.number}" in html
    assert f"Contract {contract.number}" in html
    assert "Quotes " + quote.number not in html
    assert "Peak-hour inquiries" in html and "Average wait (s)" in html
    for chinese in ("高峰小时咨询量", "测算服务水平", "排班席位数", "秒内回复"):
        assert chinese not in html, chinese
    # The contract page heading names one contract.
    html = client.get(reverse("clients:contract-detail", args=[contract.pk]), **EN).content.decode()
    assert f"Contract {contract.number}" in html
    # The reply-rate target reads as a percentage, like everywhere else, not as 0.950.
    assert f"Reply rate ≥ {float(contract.sla_reply_rate) * 100:g}%" in html


def test_the_quote_pdf_keeps_chinese_labels_whatever_the_reader_language(tenants, manager):
    price_book()
    revision = sent_contract(tenant=tenants[0], manager=manager).revision
    with translation.override("en"):
        labels = [label for label, _ in documents.derivation_rows(revision)]
        english = [label for label, _ in documents.derivation_rows(revision, translate=True)]
    assert "高峰小时咨询量" in labels
    assert "Peak-hour inquiries" in english


def test_alert_acknowledge_button_is_a_verb_in_english(client, tenants, manager):
    QualityAlert.objects.create(shop=tenants[0].shop, day=date(2026, 11, 20), metric="reply_rate", level="breach",
                                value=0.5, threshold=0.9)
    client.force_login(manager)
    html = client.get(reverse("quality:alert-list"), **EN).content.decode()
    assert ">Acknowledge</button>" in html
    assert ">Acknowledged</button>" not in html


def test_shops_nav_is_plural_and_shop_columns_are_singular(client, tenants, manager):
    client.force_login(manager)
    html = client.get(reverse("clients:shop-list"), **EN).content.decode()
    assert "<h1>Shops</h1>" in html
    assert "<th>Shop</th>" in html
    labels = {item["key"]: str(item["label"]) for item in client.get("/", **EN).context["nav_items"]}
    assert labels["engagements"] == "Engagements" and labels["qa-scorecards"] == "Scorecards"


def test_only_the_most_specific_nav_entry_is_active(client, manager):
    client.force_login(manager)
    items = client.get(reverse("quality:autoqa")).context["nav_items"]
    assert [item["key"] for item in items if item["active"]] == ["qa-autoqa"]
    items = client.get(reverse("quality:overview")).context["nav_items"]
    assert [item["key"] for item in items if item["active"]] == ["quality"]


def test_auto_qa_page_reads_as_occurrences_and_plain_parameters(client, inspector):
    client.force_login(inspector)
    html = client.get(reverse("quality:autoqa"), **EN).content.decode()
    assert "Max occurrences" in html and "Maximum attempts" not in html
    assert "Keywords" in html  # the inspector still sees the parameters, by their names
    assert "phrases" not in " ".join(visible_text(html))
    assert "{&#x27;phrases&#x27;" not in html and "{'phrases'" not in html


def test_roster_result_and_shortfall_read_in_the_readers_words(client, tenants, manager):
    from tests.staffing.factories import staffed_roster

    shop = tenants[0].shop
    roster, _ = staffed_roster([shop], per_shop=1, days=1)
    roster.solve_status = "feasible"
    roster.shortfall = [{"shop": shop.code, "date": "2026-12-06", "slot": "10:30", "missing": 1}]
    roster.save()
    client.force_login(manager)
    html = client.get(reverse("staffing:roster-detail", args=[roster.pk]), **EN).content.decode()
    assert '<div class="value" id="solve-status">Feasible</div>' in html
    assert f"<td>{shop.name}</td><td>2026-12-06</td>" in html
    html = client.get(reverse("staffing:roster-detail", args=[roster.pk])).content.decode()
    assert '<div class="value" id="solve-status">可行</div>' in html
    assert "Feasible" in client.get(reverse("staffing:roster-list"), **EN).content.decode()


@pytest.mark.parametrize(("top", "axis"), [(242, 300), (199, 200), (130, 160), (40, 40), (0.9, 1), (0, 1)])
def test_chart_axis_tops_out_at_a_round_number(top, axis):
    from agency.charts import nice_max

    assert nice_max(top) == pytest.approx(axis)


def test_exam_result_says_which_answer_was_chosen_and_which_is_correct(client, tenants, agent):
    from staffing.models import ExamAttempt, Question
    from staffing.training.services import shop_assignment_ensure
    from tests.staffing.test_pages import make_exam

    shop = tenants[0].shop
    exam = make_exam(shop)
    shop_assignment_ensure(agent=agent, shop=shop, since=date(2026, 1, 1))
    client.force_login(agent)
    url = client.post(reverse("staffing:exam-start", args=[exam.code])).url
    attempt = ExamAttempt.objects.get(agent=agent)
    questions = Question.objects.in_bulk(attempt.question_ids)
    first, *rest = attempt.question_ids
    answers = {f"q{qid}": str(questions[qid].answer) for qid in rest}
    answers[f"q{first}"] = str((questions[first].answer + 1) % len(questions[first].choices))
    client.post(url, answers)
    html = client.get(url, **EN).content.decode()
    assert html.count("✗ Chosen answer") == 1
    assert html.count("✓ Correct answer") == 1
    assert html.count("✓ Chosen answer, correct") == len(rest)


def test_go_live_checklist_links_each_missing_item_to_where_it_is_fixed(client, tenants, manager):
    from tests.clients.factories import EngagementFactory, HandoverBatchFactory

    engagement = EngagementFactory(merchant=tenants[0].merchant, shops=[tenants[0].shop], title="项目")
    HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop, title="商品资料")
    client.force_login(manager)
    html = client.get(reverse("clients:golive", args=[engagement.pk])).content.decode()
    for url in (reverse("clients:engagement-detail", args=[engagement.pk]),
                f"{reverse('clients:handover-list')}?engagement={engagement.pk}",
                reverse("staffing:training"), reverse("staffing:roster-list")):
        assert f'href="{url}" class="check-link"' in html, url


def test_one_review_is_headed_as_one_review_with_one_dispute_form(client, tenants, inspector):
    from compliance.quality.models import Review
    from tests.quality.test_qa_pages import build

    build(tenants, inspector, 1)
    review = Review.objects.get(shop=tenants[0].shop)
    client.force_login(review.agent)
    html = client.get(reverse("quality:review-detail", args=[review.pk]), **EN).content.decode()
    assert f"<h1>QA review · {review.session.external_id}</h1>" in html
    assert "<h2>Dispute</h2>" in html


def test_label_colons_are_half_width_in_english_and_full_width_in_chinese(client, tenants, manager):
    from tests.clients.factories import EngagementFactory

    EngagementFactory(merchant=tenants[0].merchant, shops=[tenants[0].shop], title="项目", next_step="补充资料")
    client.force_login(tenants[0].user)
    assert "Next step: 补充资料" in client.get(reverse("clients:portal"), **EN).content.decode()
    assert "下一步：补充资料" in client.get(reverse("clients:portal")).content.decode()
