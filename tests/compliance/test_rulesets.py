"""Versions: loading the shipped library is idempotent; drafts, publishing, and past hits keep their version."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from compliance.models import Rule, RuleSet
from compliance.rules.impact import ruleset_impact
from compliance.rules.services import (
    RuleSetError,
    rule_save,
    ruleset_draft_create,
    ruleset_load_shipped,
    ruleset_publish,
    scanner_for,
)
from compliance.sessions.services.scanning import hit_for
from tests.factories import ChatMessageFactory, ChatSessionFactory, ShopFactory

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_load_shipped_is_idempotent():
    first = ruleset_load_shipped()
    assert len(first) == 5
    count = Rule.objects.count()
    assert count > 600
    again = ruleset_load_shipped()
    assert [r.pk for r in again] == [r.pk for r in first]
    assert Rule.objects.count() == count
    assert RuleSet.objects.count() == 5


@pytest.mark.django_db
def test_draft_edit_publish_keeps_past_hits(manager):
    ruleset_load_shipped()
    v1, scanner = scanner_for(platform="pdd")
    assert scanner.scan("你好，同城配送") == []
    session = ChatSessionFactory(shop=ShopFactory(platform="pdd"))
    message = ChatMessageFactory(session=session, shop=session.shop, text="这款宝贝最好", sender="agent")
    hit = hit_for(message=message, ruleset=v1, hit={
        "rule": "abs.zui-hao", "category": "absolute_claim", "severity": "violation", "start": 4, "end": 6,
        "matched": "最好",
    })
    hit.save()
    draft = ruleset_draft_create(platform="pdd", by=manager)
    assert draft.status == "draft" and draft.version == v1.version + 1
    assert ruleset_draft_create(platform="pdd", by=manager) == draft  # one open draft at a time
    rule_save(ruleset=draft, by=manager, rule_id="pdd.tong-cheng", data={
        "category": "off_platform_trade", "severity": "warning", "terms": "同城配送", "suggestion": "平台物流",
    })
    with pytest.raises(RuleSetError):
        rule_save(ruleset=v1, by=manager, rule_id="x", data={"category": "abuse", "severity": "warning", "terms": "x"})
    with pytest.raises(RuleSetError):
        rule_save(ruleset=draft, by=manager, rule_id="bad", data={"category": "nope", "severity": "warning", "terms": "y"})
    # the active version is unchanged until publishing
    assert scanner_for(platform="pdd")[1].scan("你好，同城配送") == []
    published = ruleset_publish(ruleset=draft, by=manager)
    v2, scanner2 = scanner_for(platform="pdd")
    assert v2 == published
    assert [h["rule"] for h in scanner2.scan("你好，同城配送")] == ["pdd.tong-cheng"]
    v1.refresh_from_db()
    assert v1.status == "retired"
    hit.refresh_from_db()
    assert hit.ruleset == v1  # past results keep the version that found them
    assert v1.rules.filter(rule_id="pdd.tong-cheng").count() == 0
    with pytest.raises(RuleSetError):
        ruleset_publish(ruleset=published, by=manager)


@pytest.mark.django_db
def test_impact_preview_lists_added_and_removed_hits(manager):
    ruleset_load_shipped()
    shop = ShopFactory(platform="pdd")
    session = ChatSessionFactory(shop=shop)
    now = datetime.now(SH)
    ChatMessageFactory(session=session, shop=shop, text="支持同城配送", sender="agent", sent_at=now)
    ChatMessageFactory(session=session, shop=shop, text="这是最好的", sender="agent", sent_at=now)
    ChatMessageFactory(session=session, shop=shop, text="同城配送吗", sender="buyer", sent_at=now)
    draft = ruleset_draft_create(platform="pdd", by=manager)
    rule_save(ruleset=draft, by=manager, rule_id="pdd.tong-cheng", data={
        "category": "off_platform_trade", "severity": "warning", "terms": ["同城配送"],
    })
    rule_save(ruleset=draft, by=manager, rule_id="abs.zui-hao", rule=draft.rules.get(rule_id="abs.zui-hao"),
              data={"enabled": False})
    impact = ruleset_impact(draft=draft, days=30)
    assert impact["messages"] == 2
    rows = {r["rule"]: r for r in impact["rules"]}
    assert rows["pdd.tong-cheng"]["added"] == 1 and rows["pdd.tong-cheng"]["added_examples"][0]["matched"] == "同城配送"
    assert rows["abs.zui-hao"]["removed"] == 1


@pytest.mark.django_db(transaction=True)
def test_publish_hooks_run_after_commit(manager):
    from compliance.rules import services as rulesets

    calls = []

    def hook(*, ruleset, by, rescan_days):
        calls.append((ruleset.pk, by.pk, rescan_days))

    rulesets.register_publish_hook(hook)
    try:
        ruleset_load_shipped()
        draft = ruleset_draft_create(platform="jd", by=manager)
        ruleset_publish(ruleset=draft, by=manager, rescan_days=14)
    finally:
        rulesets.PUBLISH_HOOKS.remove(hook)
    assert calls == [(draft.pk, manager.pk, 14)]


@pytest.mark.django_db
def test_rules_demo_is_idempotent(tenants):
    from compliance.models import CustomRule
    from compliance.rules import demo as rules_demo

    rules_demo.load(log=lambda *_: None)
    count = CustomRule.objects.count()
    assert count == 2
    rules_demo.load(log=lambda *_: None)
    assert CustomRule.objects.count() == count
    assert RuleSet.objects.filter(status="published").count() == 5


@pytest.mark.django_db
def test_load_rules_command_is_idempotent():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_rules", stdout=out)
    call_command("load_rules", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 10 and lines[:5] == lines[5:]
    assert RuleSet.objects.count() == 5
