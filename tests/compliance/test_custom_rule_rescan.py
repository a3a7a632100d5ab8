"""Saving a custom rule re-scans the shops it covers (before and after the change) over a chosen window,
idempotently, each message with the rule-set version that scanned it: publishing's promise holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agency.models import Job
from compliance.models import ChatMessage, CustomRule, Hit
from compliance.rules.services import (
    RuleSetError,
    custom_rule_save,
    rule_save,
    ruleset_draft_create,
    ruleset_load_shipped,
    ruleset_publish,
)
from compliance.sessions.selectors import current_hits
from compliance.sessions.services.scanning import shops_rescan_custom_rules, shops_scan
from tests.factories import ChatMessageFactory, ChatSessionFactory, ShopFactory

pytestmark = pytest.mark.django_db

RULE = {"category": "other_platform", "severity": "warning", "terms": ["优衣库"], "suggestion": "我们的商品"}


@pytest.fixture
def shops(tenants):
    """Merchant 1 with two Pinduoduo shops, merchant 2 with one; each has said 优衣库 recently."""
    ruleset_load_shipped()
    first, second = tenants
    own = [first.shop, ShopFactory(merchant=first.merchant, code="tenant-shop-1b", platform="pdd")]
    other = ShopFactory(merchant=second.merchant, code="tenant-shop-2b", platform="pdd")
    for shop in [*own, other]:
        say(shop, "亲，这款比优衣库的还好")
    shops_scan(shops=[*own, other])
    return own, other


def say(shop, text, *, ago=timedelta(hours=1)):
    session = ChatSessionFactory(shop=shop, started_at=timezone.now() - ago)
    return ChatMessageFactory(session=session, text=text, sent_at=session.started_at)


def custom_hits(rule=None):
    hits = current_hits().filter(rule__startswith="custom.")
    if rule is not None:
        hits = hits.filter(rule=rule.rule_id)
    return sorted(hits.values_list("message__shop__code", "rule", "start", "end", "ruleset__version"))


def save(merchant, manager, *, shop=None, rule=None, days=7, **changes):
    return custom_rule_save(merchant=merchant, shop=shop, by=manager, rule=rule, data={**RULE, **changes}, rescan_days=days)


def test_a_new_rule_rescans_only_the_shops_it_covers(shops, manager, tenants, django_capture_on_commit_callbacks):
    (shop_a, shop_b), _other = shops
    with django_capture_on_commit_callbacks(execute=True):
        rule = save(tenants[0].merchant, manager, shop=shop_a)
    job = Job.objects.get(pk=rule.rescan_job_ids[0])
    assert job.status == Job.Status.DONE and job.merchant_id == tenants[0].merchant.pk
    assert job.result["messages"] == 1
    assert custom_hits() == [(shop_a.code, rule.rule_id, 5, 8, 1)]
    # merchant-wide: both of its shops, never the other merchant's
    with django_capture_on_commit_callbacks(execute=True):
        save(tenants[0].merchant, manager, rule=rule)
    assert custom_hits() == sorted([(shop_a.code, rule.rule_id, 5, 8, 1), (shop_b.code, rule.rule_id, 5, 8, 1)])


def test_narrowed_edited_and_deactivated_rules_lose_their_hits_and_rescans_are_idempotent(
    shops, manager, tenants, django_capture_on_commit_callbacks,
):
    (shop_a, shop_b), _other = shops
    merchant = tenants[0].merchant
    with django_capture_on_commit_callbacks(execute=True):
        rule = save(merchant, manager)
    assert len(custom_hits(rule)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        save(merchant, manager, rule=rule, shop=shop_b)  # narrowed to one shop: shop A's hit goes
    assert custom_hits(rule) == [(shop_b.code, rule.rule_id, 5, 8, 1)]
    with django_capture_on_commit_callbacks(execute=True):
        save(merchant, manager, rule=rule, shop=shop_b, terms=["比优衣库"])  # edited: the hit follows the term
    assert custom_hits(rule) == [(shop_b.code, rule.rule_id, 4, 8, 1)]
    before = sorted(Hit.objects.values_list("message_id", "ruleset_id", "rule", "start", "end"))
    shops_rescan_custom_rules(shops=[shop_a, shop_b], since=timezone.now() - timedelta(days=7))
    assert sorted(Hit.objects.values_list("message_id", "ruleset_id", "rule", "start", "end")) == before
    with django_capture_on_commit_callbacks(execute=True):
        save(merchant, manager, rule=rule, shop=shop_b, active=False)
    assert custom_hits() == [] and not Hit.objects.filter(rule=rule.rule_id).exists()


def test_messages_keep_the_version_that_scanned_them(shops, manager, tenants, django_capture_on_commit_callbacks):
    """v2 is published without a re-scan: the old message stays a v1 result. The custom rule's re-scan
    gives it the rule's hit under v1, with v1's own hits unchanged, and scans newer messages with v2."""
    (shop_a, _shop_b), _other = shops
    old = say(shop_a, "这是最好的，比优衣库好")
    shops_scan(shops=[shop_a])
    v1_hits = list(Hit.objects.filter(message=old).values_list("rule", "start", "ruleset__version"))
    assert v1_hits == [("abs.zui-hao", 2, 1)]
    draft = ruleset_draft_create(platform="pdd", by=manager)
    for rule_id in ("abs.zui-hao", "ml.absolute_claim"):  # the rule and its category's classifier
        rule_save(ruleset=draft, by=manager, rule_id=rule_id, rule=draft.rules.get(rule_id=rule_id),
                  data={"enabled": False})
    ruleset_publish(ruleset=draft, by=manager)  # no re-scan window
    new = say(shop_a, "这是最好的，比优衣库好")
    with django_capture_on_commit_callbacks(execute=True):
        rule = save(tenants[0].merchant, manager, shop=shop_a)
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.scanned_ruleset.version == 1 and new.scanned_ruleset.version == 2
    assert sorted(current_hits().filter(message=old).values_list("rule", "ruleset__version")) == [
        ("abs.zui-hao", 1), (rule.rule_id, 1),
    ]
    assert sorted(current_hits().filter(message=new).values_list("rule", "ruleset__version")) == [(rule.rule_id, 2)]


def test_the_window_and_no_rescan_choice(shops, manager, tenants, django_capture_on_commit_callbacks):
    (shop_a, _shop_b), _other = shops
    long_ago = say(shop_a, "优衣库", ago=timedelta(days=30))
    shops_scan(shops=[shop_a])
    with django_capture_on_commit_callbacks(execute=True):
        rule = save(tenants[0].merchant, manager, shop=shop_a, days=0)
    assert rule.rescan_job_ids == [] and custom_hits() == []  # 0: nothing re-scanned now
    with django_capture_on_commit_callbacks(execute=True):
        save(tenants[0].merchant, manager, rule=rule, shop=shop_a, days=7)
    assert [h[0] for h in custom_hits()] == [shop_a.code]
    assert not Hit.objects.filter(message=long_ago, rule=rule.rule_id).exists()  # outside the 7 days


def test_a_rule_cannot_move_to_another_merchant(shops, manager, tenants):
    rule = save(tenants[0].merchant, manager, days=0)
    with pytest.raises(RuleSetError):
        save(tenants[1].merchant, manager, rule=rule, days=0)
    assert CustomRule.objects.get(pk=rule.pk).merchant == tenants[0].merchant


def test_the_form_queues_the_rescan_and_links_to_its_progress(client, shops, manager, tenants, django_capture_on_commit_callbacks):
    (shop_a, _shop_b), _other = shops
    client.force_login(manager)
    form = client.get("/compliance/custom-rules/new/").content.decode()
    assert 'name="rescan_days"' in form and 'value="7"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compliance/custom-rules/new/", {
            "merchant": tenants[0].merchant.pk, "shop": shop_a.pk, "category": "other_platform",
            "severity": "warning", "terms": "优衣库", "active": "on", "rescan_days": "3",
        }, follow=True)
    job = Job.objects.get(kind="compliance.rescan")
    body = response.content.decode()
    assert f'href="/jobs/{job.pk}/"' in body and "3 天" in body
    assert job.status == Job.Status.DONE and [h[0] for h in custom_hits()] == [shop_a.code]
    rule = CustomRule.objects.get()
    client.post(f"/compliance/custom-rules/{rule.pk}/", {
        "merchant": tenants[0].merchant.pk, "shop": shop_a.pk, "category": "other_platform",
        "severity": "warning", "terms": "优衣库", "active": "on", "rescan_days": "0",
    })
    assert Job.objects.filter(kind="compliance.rescan").count() == 1
    assert ChatMessage.objects.filter(scanned_ruleset__isnull=True).count() == 0
