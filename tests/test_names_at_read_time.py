"""One language per page, by example: what used to show a stored key or a stored Chinese label now renders a
name in the reader's language at read time: a statement's lines and targets (also on statements stored before
lines had codes), the auto-QA settings, the order file's columns (codes a person types, in `<code>`), the
classifier's hits on the rule library, and the billing terms' tiers as a form."""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.utils import IntegrityError
from django.urls import reverse
from django.utils import translation

from clients.statements import services
from clients.statements.models import BillingTerms, Statement
from compliance.quality.qa import services as qa_services
from tests.clients.statement_setup import NOW, live_contract, november_service
from tests.factories import AgentFactory
from tests.language import CJK, DataWords, data_texts, foreign_words, visible_text

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
NOVEMBER = date(2026, 11, 1)
conversion = importlib.import_module("clients.migrations.0011_statement_line_label_codes")


@pytest.fixture
def live(tenants, manager, time_machine):
    time_machine.move_to(NOW, tick=False)
    AgentFactory(code="a01")
    contract = live_contract(tenant=tenants[0], manager=manager)
    november_service(shop=tenants[0].shop)
    return contract


def _lines_text(html: str) -> str:
    start = html.index('id="statement-lines"')
    return html[start:html.index("</table>", start)]


def test_a_statement_names_its_lines_and_targets_in_the_readers_language(client, live, manager, tenants):
    statement = services.statement_issue(
        statement=services.statement_generate(contract=live, month=NOVEMBER, by=manager), by=manager)
    services.statement_dispute(statement=statement, by=tenants[0].user, line_code="commission", comment="请核对")
    assert {line["code"]: line["label_code"] for line in statement.scenario["lines"]}["commission"] == "commission"
    client.force_login(tenants[0].user)
    url = reverse("clients:statement-detail", args=[statement.pk])
    english = client.get(url, **EN).content.decode()
    assert "Sales commission" in _lines_text(english) and "Per-session fees" in _lines_text(english)
    assert not CJK.search(_lines_text(english))
    assert "Reply rate" in english and "QA score" in english
    # The disputed line by its name, never its code.
    assert '<strong data-line="commission">Sales commission</strong>' in english
    assert ">commission<" not in english
    chinese = client.get(url, **ZH).content.decode()
    assert "销售提成" in _lines_text(chinese) and "按会话计费" in _lines_text(chinese)
    assert '<strong data-line="commission">销售提成</strong>' in chinese


def test_lines_computed_while_a_manager_read_english_keep_chinese_labels_and_render_from_codes(client, live, manager):
    with translation.override("en"):  # a manager reading English recomputes the month
        statement = services.statement_generate(contract=live, month=NOVEMBER, by=manager)
    client.force_login(manager)
    labels = {line["code"]: line["label"] for line in statement.scenario["lines"]}
    assert labels["commission"] == "销售提成" and labels["sessions"] == "按会话计费"
    html = client.get(reverse("clients:statement-detail", args=[statement.pk]), **EN).content.decode()
    assert not CJK.search(_lines_text(html))


def test_the_migration_gives_stored_lines_their_codes_and_leaves_figures_and_documents_as_issued(live, manager):
    if connection.vendor == "postgresql":  # the test database is built without migrations: add the freeze
        with connection.cursor() as cursor:
            cursor.execute(importlib.import_module("clients.migrations.0007_statement_frozen_trigger").FORWARD)
    draft = services.statement_generate(contract=live, month=NOVEMBER, by=manager)
    issued = services.statement_issue(statement=draft, by=manager)
    figures, pdf_sha, xlsx_sha = issued.result, issued.pdf_sha256, issued.xlsx_sha256
    # As stored before lines had codes: labels only (the trigger lets no one do this to an issued statement,
    # so the old row is made as a draft, then issued).
    legacy = [{k: v for k, v in line.items() if k not in ("label_code", "label_params")}
              for line in issued.scenario["lines"]]
    legacy.append({"code": "dispute-adjustment-v2", "kind": "adjustment", "label": "异议调整", "amount": "-1.00",
                   "manual": True})
    legacy.append({"code": "dispute-adjustment-v3", "kind": "adjustment", "label": "核对减免", "amount": "-1.00",
                   "manual": True})
    legacy.append({"code": "refund-adjustment-2026-10", "kind": "adjustment", "label": "2026-10 退款调整",
                   "amount": "-2.00", "adjusts_month": "2026-10"})
    old = Statement.objects.create(
        contract=live, merchant_id=live.merchant_id, month=date(2026, 10, 1), version=1, number="ST-OLD",
        scenario={**issued.scenario, "lines": legacy}, result=figures, evidence={}, total=issued.total,
        computed_at=issued.computed_at, pdf=b"%PDF old", pdf_sha256="ab" * 32)
    Statement.objects.filter(pk=old.pk).update(issued_at=issued.issued_at, status=Statement.Status.ISSUED)

    with connection.schema_editor(atomic=True) as editor:
        conversion.forward(apps, editor)

    old.refresh_from_db()
    codes = {line["code"]: (line.get("label_code"), line.get("label_params")) for line in old.scenario["lines"]}
    assert codes["commission"] == ("commission", {}) and codes["sessions"] == ("sessions", {})
    seat_codes = [code for code in codes if code.startswith("seat-")]
    assert seat_codes and all(codes[c][0] == "seat" and codes[c][1]["shift"] in ("day", "evening", "night")
                              for c in seat_codes)
    assert codes["dispute-adjustment-v2"] == ("dispute_adjustment", {"note": ""})
    assert codes["dispute-adjustment-v3"] == ("dispute_adjustment", {"note": "核对减免"})
    assert codes["refund-adjustment-2026-10"] == ("refund_adjustment", {"month": "2026-10"})
    assert old.result == figures and bytes(old.pdf) == b"%PDF old" and old.pdf_sha256 == "ab" * 32
    issued.refresh_from_db()
    assert (issued.pdf_sha256, issued.xlsx_sha256) == (pdf_sha, xlsx_sha)
    if connection.vendor == "postgresql":  # the freeze held until the conversion and is back after it
        with pytest.raises(IntegrityError), transaction.atomic():
            Statement.objects.filter(pk=old.pk).update(scenario={})


def test_the_conversion_names_a_surge_line_by_the_quotes_surge():
    surges = [{"name": "双11大促"}, {"name": "年货节"}]
    assert conversion.label_code({"code": "surge-2", "label": "大促临时席位 年货节"}, surges) == (
        "surge", {"name": "年货节"})
    assert conversion.label_code({"code": "surge-3", "label": "Promotion surge seats 618"}, surges) == (
        "surge", {"name": "618"})
    assert conversion.label_code({"code": "amendment-A2", "label": "补充协议 A2"}, []) == ("amendment", {"number": "A2"})
    assert conversion.label_code({"code": "line-4", "label": "其他"}, []) is None


def test_the_autoqa_settings_read_as_names_in_the_readers_language(client, inspector, manager):
    check = qa_services.autoqa_check_ensure(key="compliance_hits")
    qa_services.autoqa_check_update(
        check=check, by=manager, enabled=True, points=Decimal("0"), max_occurrences=0,
        params={"by_severity": {"info": 0, "warning": 2, "violation": 5, "severe": 15}, "merge_gap_chars": 4})
    client.force_login(inspector)
    chinese = client.get(reverse("quality:autoqa"), **ZH).content.decode()
    row = chinese[chinese.index('data-check="compliance_hits"'):]
    row = row[:row.index("</tr>")]
    assert "同类命中相距几字内算一次" in row and "警告扣分 2" in row and "严重违规扣分 15" in row
    assert not [w for part in visible_text(row) for w in ("merge", "gap", "chars", "severity", "warning")
                if w in part]
    english = client.get(reverse("quality:autoqa"), **EN).content.decode()
    assert not foreign_words(english, "en", DataWords(data_texts()))


def test_an_unknown_stored_setting_is_shown_as_a_code(client, inspector):
    from compliance.quality.qa.models import AutoQACheck

    qa_services.autoqa_check_ensure(key="greeting")
    AutoQACheck.objects.filter(key="greeting").update(params={"phrases": ["您好"], "legacy_flag": 1})
    client.force_login(inspector)
    html = client.get(reverse("quality:autoqa"), **ZH).content.decode()
    assert "<code>legacy_flag</code> 1" in html
    assert "legacy" not in " ".join(visible_text(html))


def test_the_order_import_help_sets_the_columns_as_codes(client, manager):
    client.force_login(manager)
    for headers in (ZH, EN):
        html = client.get(reverse("quality:order-import"), **headers).content.decode()
        for column in ("order_id", "buyer", "created_at", "paid_at", "amount", "refund_amount"):
            assert f"<code>{column}</code>" in html
        assert not foreign_words(html, headers["HTTP_ACCEPT_LANGUAGE"], DataWords(data_texts()))


def test_the_rule_impact_names_a_classifier_rule_by_its_category_and_severity():
    from compliance.templatetags.compliance_tags import hit_name

    row = {"rule": "ml.contact_info", "category": "contact_info", "severity": "violation"}
    assert hit_name(row) == "联系方式 · 违规"
    with translation.override("en"):
        assert not CJK.search(hit_name(row)) and "ml." not in hit_name(row)


def billing_form(**rows) -> dict:
    form = {"commission_rate": "0.02", "commission_minimum": "1500", "conversion_target": "none",
            "conversion_value": ""}
    for index in range(4):
        form[f"tier_{index}_up_to"] = ""
        form[f"tier_{index}_unit_price"] = ""
    form.update(rows)
    return form


def test_billing_terms_take_the_session_tiers_as_rows_not_json(client, live, manager):
    client.force_login(manager)
    url = reverse("clients:contract-billing", args=[live.pk])
    html = client.get(url, **ZH).content.decode()
    assert "up_to" not in " ".join(visible_text(html)) and "null" not in " ".join(visible_text(html))
    assert 'name="tier_0_up_to" value="2"' in html and 'name="tier_1_unit_price" value="0.70"' in html
    response = client.post(url, billing_form(tier_0_up_to="500", tier_0_unit_price="0.90",
                                             tier_1_up_to="2000", tier_1_unit_price="0.80", tier_2_unit_price="0.70"))
    assert response.status_code == 302
    assert BillingTerms.objects.get(contract=live).session_tiers == [
        {"up_to": 500, "unit_price": "0.9"}, {"up_to": 2000, "unit_price": "0.8"}, {"up_to": None, "unit_price": "0.7"}]


@pytest.mark.parametrize(("rows", "message"), [
    ({"tier_0_up_to": "500", "tier_0_unit_price": "0.90", "tier_1_up_to": "800", "tier_1_unit_price": "0.7"},
     "最后一档不设上限"),
    ({"tier_0_up_to": "500", "tier_0_unit_price": "0.90", "tier_1_up_to": "400", "tier_1_unit_price": "0.8",
      "tier_2_unit_price": "0.7"}, "上限应大于上一档的 500"),
    ({"tier_0_unit_price": "0.90", "tier_1_unit_price": "0.7"}, "只有最后一档可以不设上限"),
    ({"tier_0_up_to": "500", "tier_1_unit_price": "0.7"}, "请填写这一档的单价"),
    ({"tier_0_unit_price": "-1"}, "0"),
])
def test_billing_tiers_that_make_no_sense_are_refused_where_they_are_wrong(client, live, manager, rows, message):
    client.force_login(manager)
    before = BillingTerms.objects.get(contract=live).session_tiers
    response = client.post(reverse("clients:contract-billing", args=[live.pk]), billing_form(**rows), **ZH)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'data-testid="form-errors"' in html
    assert BillingTerms.objects.get(contract=live).session_tiers == before


def test_billing_terms_can_drop_the_session_tiers(client, live, manager):
    client.force_login(manager)
    response = client.post(reverse("clients:contract-billing", args=[live.pk]), billing_form())
    assert response.status_code == 302
    assert BillingTerms.objects.get(contract=live).session_tiers == []


def test_a_form_that_was_without_the_summary_now_lists_its_errors_at_the_top(client, manager):
    client.force_login(manager)
    response = client.post(reverse("quality:scorecard-new"), {"key": "bad key!", "spec": "categories: [1, 2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    assert html.index('data-testid="form-errors"') < html.index('name="spec"')


def test_quotes_contracts_and_jobs_are_listed_a_page_at_a_time(client, tenants, manager, monkeypatch):
    from agency.models import Job
    from clients.sales import views as sales_views
    from tests.clients.factories import price_book, sent_contract

    monkeypatch.setattr(sales_views, "PER_PAGE", 1)
    price_book()
    sent_contract(tenant=tenants[0], manager=manager)
    sent_contract(tenant=tenants[0], manager=manager)
    Job.objects.bulk_create([Job(kind="quality.export", title=f"j{n}", created_by=manager) for n in range(51)])
    client.force_login(manager)
    for name in ("clients:quote-list", "clients:contract-list", "job-list"):
        first = client.get(reverse(name)).content.decode()
        assert 'rel="next"' in first and "?page=2" in first, name
        second = client.get(reverse(name) + "?page=2").content.decode()
        assert 'rel="prev"' in second, name
        assert client.get(reverse(name) + "?page=999").status_code == 200  # past the end: the last page


def test_the_crawl_lets_codes_through_on_a_chinese_page_but_not_chinese_hidden_in_code_on_an_english_one():
    html = "<p>列为 <code>order_id</code>、<code>refund_amount</code></p>"
    assert foreign_words(html, "zh-hans", DataWords([])) == []
    assert foreign_words("<p>Columns <code>订单号</code></p>", "en", DataWords([])) == ["订单号"]
    assert foreign_words("<p>SKU <code>蓝心-01</code></p>", "en", DataWords(["蓝心-01"])) == []
