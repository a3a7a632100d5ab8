"""Rule-library pages, custom rules and the pre-send check, through HTTP."""

from __future__ import annotations

import pytest

from compliance.models import CustomRule, RuleSet
from compliance.rules.services import custom_rule_save
from compliance.sessions.services.scanning import hit_for
from tests.factories import ChatMessageFactory, ChatSessionFactory, ShopFactory


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_library_page_only_reads_and_says_when_the_library_is_not_loaded(client, manager, inspector):
    for user in (manager, inspector):
        login(client, user)
        response = client.get("/compliance/rules/?platform=jd")
        assert response.status_code == 200
        body = response.content.decode()
        assert 'id="rule-library-empty"' in body and "load_rules" in body
    assert not RuleSet.objects.exists()  # a GET never loads the shipped library


@pytest.mark.django_db
def test_library_browse_filter_and_search(client, manager, shipped_library, django_assert_max_num_queries):
    login(client, manager)
    with django_assert_max_num_queries(13):  # 13 with the classifier panel (model and switches)
        response = client.get("/compliance/rules/?platform=pdd")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="pager"' in body  # the library is paged, 25 rules at a time
    assert "abs.zui-hao" in client.get("/compliance/rules/?platform=pdd&q=zui-hao").content.decode()
    assert "ab.sha-bi" in client.get("/compliance/rules/?platform=pdd&q=sha-bi").content.decode()
    assert "pdd.bao-bei" in client.get("/compliance/rules/?platform=pdd&category=other_platform").content.decode()
    filtered = client.get("/compliance/rules/?platform=pdd&category=abuse").content.decode()
    assert "ab.sha-bi" in filtered and "op.weixin" not in filtered
    searched = client.get("/compliance/rules/?platform=tmall&q=缺货").content.decode()
    assert "tmall.que-huo" in searched and "ab.sha-bi" not in searched


@pytest.mark.django_db
def test_library_query_count_does_not_grow_with_versions(client, manager, shipped_library, django_assert_max_num_queries):
    login(client, manager)
    client.post("/compliance/rules/draft/", {"platform": "jd"})
    with django_assert_max_num_queries(13):  # 13 with the classifier panel (model and switches)
        assert client.get("/compliance/rules/?platform=jd").status_code == 200
    for _ in range(3):
        draft = RuleSet.objects.get(platform="jd", status="draft")
        client.post(f"/compliance/rules/{draft.pk}/publish/")
        client.post("/compliance/rules/draft/", {"platform": "jd"})
    with django_assert_max_num_queries(13):  # 13 with the classifier panel (model and switches)
        assert client.get("/compliance/rules/?platform=jd").status_code == 200


@pytest.mark.django_db
def test_merchants_cannot_open_the_library(client, tenants):
    login(client, tenants[0].user)
    assert client.get("/compliance/rules/").status_code == 403


@pytest.mark.django_db
def test_draft_edit_preview_publish_by_http(client, manager, shipped_library, django_capture_on_commit_callbacks):
    shop = ShopFactory(platform="douyin")
    session = ChatSessionFactory(shop=shop)
    from django.utils import timezone

    ChatMessageFactory(session=session, shop=shop, text="我们支持同城闪送哦", sent_at=timezone.now())
    login(client, manager)
    response = client.post("/compliance/rules/draft/", {"platform": "douyin"})
    draft = RuleSet.objects.get(platform="douyin", status="draft")
    assert response.url == f"/compliance/rules/{draft.pk}/"
    bad = client.post(f"/compliance/rules/{draft.pk}/rule/new/", {"rule_id": "Bad Id", "category": "abuse", "severity": "warning", "terms": "x"})
    assert bad.status_code == 200 and "rule_id" in bad.context["form"].errors
    client.post(f"/compliance/rules/{draft.pk}/rule/new/", {
        "rule_id": "douyin.shan-song", "category": "off_platform_trade", "severity": "warning",
        "terms": "同城闪送", "suggestion": "平台物流", "enabled": "on",
    })
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/compliance/rules/{draft.pk}/impact/", {"days": "7"})
    assert started.status_code == 302
    impact = client.get(started.url)
    assert impact.status_code == 200
    assert impact.context["job"].result["added"] == 1
    assert "同城闪送" in impact.content.decode()
    client.post(f"/compliance/rules/{draft.pk}/publish/", {"notes": "加同城闪送"})
    draft.refresh_from_db()
    assert draft.status == "published" and draft.notes == "加同城闪送"


@pytest.mark.django_db
def test_only_managers_edit(client, inspector, shipped_library):
    login(client, inspector)
    assert client.get("/compliance/rules/?platform=pdd").status_code == 200
    assert client.post("/compliance/rules/draft/", {"platform": "pdd"}).status_code == 403
    assert client.get("/compliance/custom-rules/new/").status_code == 403


@pytest.mark.django_db
def test_custom_rules_tenancy(client, manager, tenants):
    first, second = tenants
    own = custom_rule_save(merchant=first.merchant, by=None, data={"category": "other_platform", "severity": "warning", "terms": "竞品甲"})
    other = custom_rule_save(merchant=second.merchant, by=None, data={"category": "other_platform", "severity": "warning", "terms": "竞品乙"})
    login(client, first.user)
    body = client.get("/compliance/custom-rules/").content.decode()
    assert "竞品甲" in body and "竞品乙" not in body
    login(client, manager)
    body = client.get("/compliance/custom-rules/").content.decode()
    assert "竞品甲" in body and "竞品乙" in body
    response = client.post(f"/compliance/custom-rules/{other.pk}/", {
        "merchant": second.merchant.pk, "shop": first.shop.pk, "category": "abuse", "severity": "warning", "terms": "x",
    })
    assert response.status_code == 200 and "shop" in response.context["form"].errors
    client.post("/compliance/custom-rules/new/", {
        "merchant": first.merchant.pk, "shop": first.shop.pk, "category": "other_platform", "severity": "violation",
        "terms": "竞品丙\n竞品丁", "active": "on",
    })
    assert CustomRule.objects.filter(merchant=first.merchant, shop=first.shop, terms=["竞品丙", "竞品丁"]).exists()
    assert own.rule_id.startswith("custom.")


@pytest.mark.django_db
def test_precheck_highlights_hits_and_suggestions(client, agent, tenants):
    login(client, agent)
    page = client.get("/compliance/check/")
    assert page.status_code == 200 and "hx-post" in page.content.decode()
    result = client.post("/compliance/check/result/", {"platform": "pdd", "text": "亲，这个宝贝是最好的"}, HTTP_HX_REQUEST="true")
    body = result.content.decode()
    assert result.status_code == 200
    assert '<mark class="hit sev-warning"' in body and ">宝贝</mark>" in body and ">最好</mark>" in body
    assert "商品" in body and "很好" in body  # suggestions
    clean = client.post("/compliance/check/result/", {"platform": "pdd", "text": "亲，最近发货很快"}).content.decode()
    assert 'data-hits="0"' in clean
    # a shop the agent is not assigned to is not a valid choice (no other merchant's rules leak)
    other = client.post("/compliance/check/result/", {"shop": tenants[1].shop.pk, "text": "x"}).content.decode()
    assert "error" in other


@pytest.mark.django_db
def test_library_pages_25_rules_filters_by_severity_and_counts_last_months_hits(client, manager, shipped_library):
    from datetime import timedelta

    from django.utils import timezone


    login(client, manager)
    page = client.get("/compliance/rules/?platform=pdd").context
    assert len(page["rows"]) == 25 and page["page"].paginator.count > 25
    severe = client.get("/compliance/rules/?platform=pdd&severity=severe").context
    assert severe["rows"] and {rule.severity for rule, _hits in severe["rows"]} == {"severe"}
    assert not client.get("/compliance/rules/?platform=pdd").context["has_hits"]

    active = RuleSet.objects.get(platform="pdd", status="published")
    rule = active.rules.order_by("category", "rule_id").first()
    shop = ShopFactory(platform="pdd")
    now = timezone.now()
    for days_ago in (1, 1, 3, 40):  # the last one is outside the 30 days
        message = ChatMessageFactory(session=ChatSessionFactory(shop=shop, started_at=now - timedelta(days=days_ago)))
        hit_for(message=message, ruleset=active, hit={
            "rule": rule.rule_id, "category": rule.category, "severity": rule.severity, "start": 0, "end": 1,
            "matched": "x",
        }).save()
    context = client.get("/compliance/rules/?platform=pdd").context
    assert dict((r.rule_id, n) for r, n in context["rows"])[rule.rule_id] == 3
    assert context["has_hits"]
    trend = {s["name"]: s["values"] for s in context["hit_chart"]["series"]}
    assert sum(sum(values) for values in trend.values()) == 3
    assert context["hit_chart"]["labels"][-1] == f"{timezone.localdate():%m-%d}"
