"""Issue 15, part A, by example: forms that refuse nonsense with a message where it belongs, the engagement
log and the quote in the reader's language, names instead of codes, and the smaller items (exams refuse
unanswered questions, passing never shortens a certificate, the next step follows the stage)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.engagements import services as engagement_services
from clients.engagements.models import Engagement
from tests.clients.factories import consultation, price_book, sent_contract, sent_quote
from tests.language import visible_text

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def consultation_form(shop, **changes) -> dict:
    form = {
        "merchant": shop.merchant_id, "title": "新项目", "shops": [shop.pk], "daily_volume": 800,
        "peak_hours": "10:00-12:00, 20:00-22:00", "peak_hour_share": "0.15", "service_start": "08:00",
        "service_end": "23:00", "presale_share": 50, "languages": ["zh", "en"], "avg_handle_seconds": 200,
        "concurrency": 2, "next_step": "报价", "next_step_due": "2026-11-25", "seasonal_peaks_text": "",
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(("field", "value", "message"), [
    ("seasonal_peaks_text", "双11,2026-13-01,2026-13-12,3", "起止日期无效"),
    ("daily_volume", "999999999", "500000"),
    ("peak_hours", "25:00-99:00", "不是有效的时段"),
    ("peak_hours", "12:00-10:00", "结束时间应晚于开始时间"),
    ("next_step_due", "1999-01-01", "不能早于今天"),
    ("avg_handle_seconds", "0", "10"),
    ("languages", ["xx"], "xx"),
])
def test_a_consultation_with_nonsense_is_refused_where_it_is_wrong(client, tenants, manager, time_machine,
                                                                      field, value, message):
    time_machine.move_to(NOW, tick=False)
    client.force_login(manager)
    response = client.post(reverse("clients:engagement-create"), consultation_form(tenants[0].shop, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'data-testid="form-errors"' in html  # the summary at the top, linking to the field
    assert not Engagement.objects.exists()


def test_a_sound_consultation_is_saved_with_its_languages_as_codes(client, tenants, manager, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(manager)
    response = client.post(reverse("clients:engagement-create"), consultation_form(tenants[0].shop,
                                                                                peak_hours="22:00-01:00"))
    assert response.status_code == 302, response.content.decode()[:2000]
    engagement = Engagement.objects.get()
    assert engagement.languages == "zh,en"
    page = client.get(reverse("clients:engagement-detail", args=[engagement.pk]), **EN).content.decode()
    assert "Chinese, English" in page


def test_the_activity_log_keeps_codes_and_speaks_the_readers_language(client, tenants, manager):
    engagement = consultation(merchant=tenants[0].merchant, shops=[tenants[0].shop], by=manager)
    engagement_services.engagement_stage_change(engagement=engagement, to=Engagement.Stage.QUOTING, by=manager)
    stored = engagement.activities.get(event="stage.changed")
    assert stored.params["from"] == "consultation" and stored.params["to"] == "quoting" and stored.text == ""
    client.force_login(manager)
    url = reverse("clients:engagement-detail", args=[engagement.pk])
    assert "Stage: Consultation → Quoting" in client.get(url, **EN).content.decode()
    assert "阶段：业务咨询 → 报价" in client.get(url).content.decode()


def test_the_merchant_reads_business_terms_and_the_agency_also_the_derivation(client, tenants, manager):
    price_book()
    quote = sent_quote(tenant=tenants[0], manager=manager)
    client.force_login(tenants[0].user)
    merchant_page = client.get(reverse("clients:portal-quote", args=[quote.pk]), **EN).content.decode()
    assert 'id="service-terms"' in merchant_page and "Agent seats" in merchant_page
    assert "answered within" in merchant_page
    assert 'id="derivation"' not in merchant_page and "Erlang" not in merchant_page
    assert "Pre-sale seats · Day shift" in merchant_page
    client.force_login(manager)
    agency_page = client.get(reverse("clients:quote-detail", args=[quote.pk]), **EN).content.decode()
    assert 'id="derivation"' in agency_page and "Peak-hour inquiries" in agency_page


def test_the_quote_pdf_gives_the_merchant_terms_not_arithmetic(tenants, manager):
    from clients.sales import documents

    price_book()
    revision = sent_contract(tenant=tenants[0], manager=manager).revision
    rows = dict(documents.business_rows(revision))
    assert rows["客服席位"].startswith(f"{revision.seats} 席")
    assert "秒内回复" in rows["响应目标"]


def test_after_signing_the_next_step_is_the_new_stages(client, tenants, manager):
    price_book()
    contract = sent_contract(tenant=tenants[0], manager=manager)
    engagement = Engagement.objects.get(pk=contract.engagement_id)
    engagement.next_step = "发送报价"
    engagement.save()
    from clients.sales import services

    services.contract_sign(contract=contract, by=manager, signer_name="周经理", document_sha256=contract.pdf_sha256)
    services.contract_sign(contract=contract, by=tenants[0].user, signer_name="林女士",
                           document_sha256=contract.pdf_sha256)
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.HANDOVER
    assert engagement.next_step == "" and engagement.next_step_shown == "完成知识交接并由商家确认"
    client.force_login(tenants[0].user)
    html = client.get(reverse("clients:portal")).content.decode()
    assert "发送报价" not in html and "完成知识交接并由商家确认" in html


def test_an_exam_with_unanswered_questions_is_refused_and_keeps_the_answers(client, tenants, agent):
    from staffing.models import ExamAttempt, Question
    from staffing.training.services import shop_assignment_ensure
    from tests.staffing.test_pages import make_exam

    shop = tenants[0].shop
    exam = make_exam(shop)
    shop_assignment_ensure(agent=agent, shop=shop, since=date(2026, 1, 1))
    client.force_login(agent)
    url = client.post(reverse("staffing:exam-start", args=[exam.code])).url
    attempt = ExamAttempt.objects.get(agent=agent)
    first, *rest = attempt.question_ids
    answer = Question.objects.get(pk=first).answer
    response = client.post(url, {f"q{first}": str(answer)})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"还有 {len(rest)} 题未作答" in html and html.count("此题未作答") == len(rest)
    assert re.search(rf'name="q{first}"\s+value="{answer}"\s+required\s+checked', html)
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_passing_an_exam_never_shortens_a_certificate(tenants, agent):
    from staffing.training.services import certification_grant

    shop = tenants[0].shop
    long_one = certification_grant(agent=agent, shop=shop, days=365, now=NOW)
    short_one = certification_grant(agent=agent, shop=shop, days=30, now=NOW + timedelta(days=10))
    assert short_one.expires_at == long_one.expires_at
    later = certification_grant(agent=agent, shop=shop, days=365, now=NOW + timedelta(days=100))
    assert later.expires_at == NOW + timedelta(days=465)


def test_the_pre_send_check_names_severity_and_the_shops_platform(client, tenants, agent):
    from compliance.rules.services import ruleset_load_shipped
    from staffing.training.services import shop_assignment_ensure

    ruleset_load_shipped()
    shop = tenants[0].shop
    shop_assignment_ensure(agent=agent, shop=shop, since=timezone.localdate() - timedelta(days=1))
    client.force_login(agent)
    page = client.get(reverse("compliance:precheck")).content.decode()
    assert "按所选店铺的平台" in page
    html = client.post(reverse("compliance:precheck-result"), {"shop": shop.pk, "text": "加我微信聊"}).content.decode()
    assert "sev-" in html
    shown = " ".join(visible_text(html))
    assert "违规" in shown or "严重违规" in shown
    for code in ("violation", "severe", "warning", "op.weixin"):
        assert code not in shown


def test_acknowledging_an_alert_never_redirects_off_site_or_fails(client, tenants, manager):
    from compliance.quality.models import QualityAlert

    alert = QualityAlert.objects.create(shop=tenants[0].shop, day=date(2026, 11, 20), metric="reply_rate",
                                        level="breach", value=0.5, threshold=0.9)
    client.force_login(manager)
    for target in ("abc", "https://evil.example/", "//evil.example/x"):
        response = client.post(reverse("quality:alert-ack", args=[alert.pk]), {"next": target})
        assert response.status_code == 302 and response.url == reverse("quality:alert-list")


def test_a_scorecard_with_an_impossible_date_is_refused_with_a_message(client, inspector):
    client.force_login(inspector)
    response = client.post(reverse("quality:scorecard-new"), {"spec": "name: 2026-13-45\n", "key": "x", "name": "x"})
    assert response.status_code == 200
    assert "无效的值" in response.content.decode()
