"""The merchant's quality view, drill-down, PDF, CSV, alerts and API: tenancy, content, flat query counts."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agency.models import User
from compliance.models import ChatMessage, RuleSet
from compliance.quality.metrics.services import metrics_refresh
from compliance.quality.models import QualityAlert, SlaProfile
from compliance.sessions.services.scanning import hit_for
from tests.factories import AgentFactory
from tests.quality.factories import EDGES, MIDNIGHT, at, make_scripted_session

pytestmark = pytest.mark.django_db
MONTH = "2026-11"


def add_sessions(shop, agent, count: int, prefix: str) -> list:
    sessions = []
    for i in range(count):
        script = EDGES if i % 2 == 0 else MIDNIGHT
        shifted = [(s, (at(t) + timedelta(days=i % 5)).strftime("%Y-%m-%d %H:%M:%S")) for s, t in script]
        sessions.append(make_scripted_session(shop, f"{prefix}{i}", shifted, agent=agent))
    return sessions


def add_hit(session, text="加我微信 13812345678 详聊", category="other_platform", severity="violation"):
    ruleset, _ = RuleSet.objects.get_or_create(platform=session.shop.platform, version=1)
    message = ChatMessage.objects.create(
        session=session, shop=session.shop, external_id=f"{session.external_id}-hit", sender="agent",
        sent_at=session.started_at + timedelta(seconds=30), text=text,
    )
    hit_for(message=message, ruleset=ruleset, hit={
        "rule": "wechat", "category": category, "severity": severity, "start": 2, "end": 4, "matched": text[2:4],
    }).save()
    return message


@pytest.fixture
def quality_data(tenants):
    one, two = tenants
    agent = AgentFactory(code="q01")
    mine = add_sessions(one.shop, agent, 4, "one-")
    theirs = add_sessions(two.shop, agent, 4, "two-")
    add_hit(mine[0])
    add_hit(theirs[0], category="abuse")
    metrics_refresh()
    return one, two, mine, theirs


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_merchant_sees_only_their_shops_everywhere(quality_data):
    one, two, mine, theirs = quality_data
    c = client_for(one.user)
    overview = c.get(reverse("quality:overview") + f"?month={MONTH}").content.decode()
    assert one.shop.name in overview and two.shop.name not in overview
    assert c.get(reverse("quality:shop", args=[one.shop.code]) + f"?month={MONTH}").status_code == 200
    for name, args in [
        ("quality:shop", [two.shop.code]),
        ("quality:shop-sessions", [two.shop.code]),
        ("quality:shop-sessions-csv", [two.shop.code]),
        ("quality:shop-report", [two.shop.code, MONTH]),
        ("quality:session-metrics", [theirs[0].pk]),
    ]:
        assert c.get(reverse(name, args=args)).status_code == 404, name
    alert = QualityAlert.objects.filter(shop=two.shop).first()
    assert alert is not None
    assert c.get(reverse("quality:alert", args=[alert.pk])).status_code == 404
    # the API answers the same way
    api = client_for(one.user)
    assert api.get(f"/api/quality/shops/{two.shop.code}/days/").status_code == 404
    assert api.get(f"/api/quality/sessions/?shop={two.shop.code}").status_code == 404
    assert api.get(f"/api/quality/sessions/{theirs[0].pk}/").status_code == 404
    alerts = api.get("/api/quality/alerts/").json()["results"]
    assert alerts and {a["shop"] for a in alerts} == {one.shop.code}


def test_the_api_answers_one_sessions_metrics_with_its_hit_counts(quality_data):
    one, _, mine, _ = quality_data
    response = client_for(one.user).get(f"/api/quality/sessions/{mine[0].pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["hits"] == 1 and body["violations"] == 1  # add_hit: one other_platform hit at "violation"
    quiet = client_for(one.user).get(f"/api/quality/sessions/{mine[1].pk}/").json()
    assert quiet["hits"] == 0 and quiet["violations"] == 0


def test_shop_page_has_charts_violations_and_agents(quality_data):
    one, _, mine, _ = quality_data
    response = client_for(one.user).get(reverse("quality:shop", args=[one.shop.code]) + f"?month={MONTH}")
    page = response.content.decode()
    main = page.split("<main")[1].split("</main>")[0]
    assert main.count('class="echart"') == 3
    # charts are data in json_script elements, never inline code (the CSP allows no inline script)
    assert main.count("<script") == main.count('type="application/json"') == 3
    violations = response.context["violation_chart"]
    assert violations["labels"] == ["站外平台"] and violations["series"][0]["values"] == [1]  # one bar
    assert "q01" in page  # the per-agent table
    assert 'data-kpi="reply-rate"' in page


def test_session_drilldown_masks_buyer_and_highlights_hits(quality_data):
    one, _, mine, _ = quality_data
    page = client_for(one.user).get(reverse("quality:session-metrics", args=[mine[0].pk])).content.decode()
    assert '<mark class="hit sev-violation"' in page and ">微信</mark>" in page
    assert "13812345678" not in page and "138****5678" in page
    assert mine[0].buyer not in page
    assert "服务窗口外" in page  # the 07:59:59 turn


def test_csv_export_has_one_row_per_session_of_the_shop_only(quality_data):
    one, _, mine, _ = quality_data
    response = client_for(one.user).get(reverse("quality:shop-sessions-csv", args=[one.shop.code]) + f"?month={MONTH}")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert sorted(r["会话编号"] for r in rows) == sorted(s.external_id for s in mine)
    first = next(r for r in rows if r["会话编号"] == "one-0")
    assert first["计入轮次"] == "3" and first["回复率"] == "0.667" and first["5分钟未回复"] == "是"
    assert first["违规数"] == "1" and first["首次响应（秒）"] == "120.0"
    # Names, not codes, and the time as a person reads it in Beijing.
    session = next(s for s in mine if s.external_id == "one-0")
    assert first["店铺"] == one.shop.name and first["平台"] == one.shop.get_platform_display()
    assert first["开始时间（北京时间）"] == f"{timezone.localtime(session.started_at):%Y-%m-%d %H:%M:%S}"


def test_csv_export_speaks_the_readers_language(quality_data):
    one, _, mine, _ = quality_data
    response = client_for(one.user).get(reverse("quality:shop-sessions-csv", args=[one.shop.code]) + f"?month={MONTH}",
                                        HTTP_ACCEPT_LANGUAGE="en")
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert list(rows[0])[:5] == ["Session ID", "Shop", "Platform", "Buyer", "Started (Beijing time)"]
    header = body.lstrip("\ufeff").splitlines()[0]
    assert not re.search(r"[\u4e00-\u9fff]", header)
    assert {r["5-minute non-reply"] for r in rows} <= {"Yes", "No"}


@pytest.mark.skipif(not shutil.which("pdftoppm") or not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_monthly_pdf_renders_chinese(quality_data, tmp_path):
    one, *_ = quality_data
    response = client_for(one.user).get(reverse("quality:shop-report", args=[one.shop.code, MONTH]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "月度客服服务报告" in text and one.shop.name in text and "回复率" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts or "WenQuanYi" in fonts
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    from PIL import Image

    image = Image.open(png).convert("L")
    width, height = image.size
    title_band = image.crop((0, 0, width, height // 8))
    dark = sum(title_band.histogram()[:128])
    assert dark > 200  # the Chinese title is drawn, not blank boxes or nothing


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils missing")
def test_monthly_pdf_in_english_keeps_every_table_inside_the_page(quality_data, tmp_path):
    """The eleven-column overview overflowed both margins with English headers."""
    import re

    from django.conf import settings
    from django.utils import translation

    one, *_ = quality_data
    one.merchant.language = "en"  # the report is written in the merchant's document language
    one.merchant.save(update_fields=["language"])
    client = client_for(one.user)
    response = client.get(reverse("quality:shop-report", args=[one.shop.code, MONTH]), HTTP_ACCEPT_LANGUAGE="en")
    translation.activate(settings.LANGUAGE_CODE)  # the English request leaves English active in this thread
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    page_width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>', html)
    assert "Overall" in {w for _, _, w in words} and "Manual" in {w for _, _, w in words}
    outside = [w for x0, x1, w in words if float(x0) < 0 or float(x1) > page_width]
    assert not outside, outside


def test_bad_month_in_report_url_is_a_clear_400(quality_data):
    one, *_ = quality_data
    response = client_for(one.user).get(reverse("quality:shop-report", args=[one.shop.code, "2026-13"]))
    assert response.status_code == 400


def test_agents_have_no_merchant_view(quality_data):
    agent = AgentFactory(code="q02")
    assert client_for(agent).get(reverse("quality:overview")).status_code == 403


@pytest.mark.parametrize(
    "url_name",
    ["overview", "shop", "shop-sessions", "alert-list", "api-sessions", "api-alerts", "api-days"],
)
def test_query_counts_do_not_grow_with_data(tenants, manager, url_name, django_assert_max_num_queries):
    one, _ = tenants
    agent = AgentFactory(code="q03")
    urls = {
        "overview": reverse("quality:overview") + f"?month={MONTH}",
        "shop": reverse("quality:shop", args=[one.shop.code]) + f"?month={MONTH}",
        "shop-sessions": reverse("quality:shop-sessions", args=[one.shop.code]) + f"?month={MONTH}",
        "alert-list": reverse("quality:alert-list"),
        "api-sessions": f"/api/quality/sessions/?shop={one.shop.code}&month={MONTH}",
        "api-alerts": "/api/quality/alerts/",
        "api-days": f"/api/quality/shops/{one.shop.code}/days/?month={MONTH}",
    }
    c = client_for(manager)
    counts = []
    for size, prefix in ((2, "small-"), (16, "large-")):
        sessions = add_sessions(one.shop, agent, size, prefix)
        for s in sessions[:3]:
            add_hit(s)
        metrics_refresh()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(urls[url_name]).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(25):
        c.get(urls[url_name])


def test_manager_edits_an_sla_profile_and_others_cannot(tenants, manager):
    profile, _ = SlaProfile.objects.get_or_create(platform="pdd")
    url = reverse("quality:sla-profile-edit", args=["pdd"])
    data = {"window_start": "09:00", "window_end": "22:00", "target_seconds": 120, "reply_rate_target": 0.8,
            "warning_low": 0.5, "warning_high": 0.9, "holiday_window_start": "", "holiday_window_end": "",
            "avg_response_target_seconds": ""}
    assert client_for(tenants[0].user).post(url, data).status_code == 403
    response = client_for(manager).post(url, data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.target_seconds == 120 and profile.window_start.hour == 9
    bad = client_for(manager).post(url, {**data, "warning_low": 0.9, "warning_high": 0.5})
    assert bad.status_code == 200 and "预警区间上限须大于下限" in bad.content.decode()


def test_manager_acknowledges_an_alert_and_sees_it_on_the_dashboard(quality_data, manager):
    one, *_ = quality_data
    alert = QualityAlert.objects.filter(shop=one.shop).first()
    c = client_for(manager)
    assert "widget-quality-alerts" in c.get(reverse("dashboard")).content.decode()
    c.post(reverse("quality:alert-ack", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.acknowledged_by == manager


def test_qa_scores_show_on_page_and_in_csv_without_calibration_reviews(quality_data, inspector):
    from compliance.quality.models import AutoQAResult, CalibrationRound, Review
    from tests.quality.factories import make_scorecard

    one, _, mine, _ = quality_data
    agent = User.objects.get(code="q01")
    card = make_scorecard()
    rounds = CalibrationRound.objects.create(title="r", created_by=inspector, scorecard=card)
    for i, session in enumerate(mine):
        day = timezone.localtime(session.started_at).date()
        common = {"session": session, "shop": one.shop, "agent": agent, "day": day}
        AutoQAResult.objects.create(**common, score=91 if i == 3 else 90, config_hash="test")
        Review.objects.create(**common, inspector=inspector, scorecard=card, score=87, final_score=87)
        Review.objects.create(**common, inspector=inspector, scorecard=card, score=10, final_score=10, calibration=rounds)
    c = client_for(one.user)
    page = c.get(reverse("quality:shop", args=[one.shop.code]) + f"?month={MONTH}").content.decode()
    assert ">90.2<" in page or ">90.3<" in page
    assert ">87.0<" in page
    body = b"".join(c.get(reverse("quality:shop-sessions-csv", args=[one.shop.code]) + f"?month={MONTH}").streaming_content)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8").lstrip("\ufeff"))))
    assert sorted(r["自动质检分"] for r in rows) == ["90.0", "90.0", "90.0", "91.0"]
    assert {r["人工质检分"] for r in rows} == {"87.0"}


def test_per_agent_link_filters_the_session_list(quality_data):
    one, *_ = quality_data
    other = AgentFactory(code="q09")
    add_sessions(one.shop, other, 2, "by-other-")
    metrics_refresh()
    c = client_for(one.user)
    url = reverse("quality:shop-sessions", args=[one.shop.code]) + f"?month={MONTH}&agent=q09"
    page = c.get(url).content.decode()
    assert page.count("data-session=") == 2 and "by-other-0" in page and "one-0" not in page


def test_shop_page_in_english(quality_data, settings):
    one, *_ = quality_data
    c = client_for(one.user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = c.get(reverse("quality:shop", args=[one.shop.code]) + f"?month={MONTH}").content.decode()
    assert "SLA attainment (against the contract)" in page and "Violations by category" in page


def test_csv_export_neutralises_formula_cells(tenants):
    """Session ids come from the merchant's export files: one that a spreadsheet would run as a formula is
    written with a leading apostrophe."""
    one, _two = tenants
    agent = AgentFactory(code="q01")
    sessions = add_sessions(one.shop, agent, 2, "=HYPERLINK(\"http://x.example\")+")
    metrics_refresh()
    client = client_for(one.user)
    response = client.get(reverse("quality:shop-sessions-csv", args=[one.shop.code]) + f"?month={MONTH}")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff"))))
    assert sorted(r["会话编号"] for r in rows) == sorted("'" + s.external_id for s in sessions)
