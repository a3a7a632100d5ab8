"""The knowledge base: Chinese substring search, only knowledge in force, scoped per role."""

from __future__ import annotations

import pytest
from django.db import connection

from clients.handover import knowledge, services
from clients.handover.knowledge import knowledge_search
from clients.handover.search_index import INDEX_NAME, create_trigram_index
from clients.models import Engagement, KnowledgeEntry, KnowledgeKind
from tests.clients.factories import EngagementFactory, HandoverBatchFactory, add_entry
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def knowledge_of_both(tenants, manager):
    """Each tenant has acknowledged knowledge; tenant 1 also has an open (not yet in force) batch."""
    batches = []
    for tenant, (title, body) in zip(
        tenants, [("退货运费谁承担", "七天无理由退货，运费由买家承担；质量问题由商家承担"),
                  ("登山鞋尺码怎么选", "建议选大半码，退货请保持吊牌完好")], strict=True
    ):
        engagement = EngagementFactory(merchant=tenant.merchant, shops=[tenant.shop])
        batch = HandoverBatchFactory(engagement=engagement, shop=tenant.shop, kind=KnowledgeKind.FAQ)
        add_entry(batch, title, body)
        services.handover_batch_acknowledge(batch=batch, by=manager)
        batches.append(batch)
    draft = HandoverBatchFactory(engagement=batches[0].engagement, shop=tenants[0].shop, kind=KnowledgeKind.SCRIPT)
    add_entry(draft, "催付话术", "亲，您的订单还未付款哦，退货有保障")
    return batches


@pytest.fixture
def no_agent_provider():
    """The knowledge base as `clients` alone knows it; staffing's registered provider comes back afterwards."""
    saved = knowledge._agent_shops
    knowledge.register_agent_shops(None)
    yield
    knowledge.register_agent_shops(saved)


def titles(entries) -> set[str]:
    return {e.title for e in entries}


def test_chinese_substring_search_finds_words_inside_text(knowledge_of_both, manager):
    assert titles(knowledge_search(user=manager, query="退货")) == {"退货运费谁承担", "登山鞋尺码怎么选"}
    assert titles(knowledge_search(user=manager, query="无理由")) == {"退货运费谁承担"}
    assert titles(knowledge_search(user=manager, query="尺码 吊牌")) == {"登山鞋尺码怎么选"}
    assert titles(knowledge_search(user=manager, query="不存在的词")) == set()


def test_full_width_and_case_are_normalised(tenants, manager):
    engagement = EngagementFactory(merchant=tenants[0].merchant, shops=[tenants[0].shop])
    batch = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop)
    add_entry(batch, "ＵＳＢ充电台灯", sku="LAMP-01")
    services.handover_batch_acknowledge(batch=batch, by=manager)
    assert titles(knowledge_search(user=manager, query="usb")) == {"ＵＳＢ充电台灯"}
    assert titles(knowledge_search(user=manager, query="lamp-01")) == {"ＵＳＢ充电台灯"}


def test_open_batches_are_not_searched(knowledge_of_both, manager):
    assert "催付话术" not in titles(knowledge_search(user=manager, query="退货"))


def test_merchant_sees_only_their_own_knowledge(knowledge_of_both, tenants):
    assert titles(knowledge_search(user=tenants[0].user, query="退货")) == {"退货运费谁承担"}
    assert titles(knowledge_search(user=tenants[1].user, query="退货")) == {"登山鞋尺码怎么选"}
    assert titles(knowledge_search(user=tenants[1].user, query="", shop=tenants[0].shop)) == set()


def test_agent_fallback_sees_shops_in_handover_training_or_live(knowledge_of_both, tenants, agent, no_agent_provider):
    assert titles(knowledge_search(user=agent, query="退货")) == {"退货运费谁承担", "登山鞋尺码怎么选"}
    Engagement.objects.filter(merchant=tenants[1].merchant).update(stage=Engagement.Stage.QUOTING)
    assert titles(knowledge_search(user=agent, query="退货")) == {"退货运费谁承担"}


def test_agent_scope_from_registered_provider(knowledge_of_both, tenants, agent, no_agent_provider):
    other_agent = AgentFactory(username="other-agent")
    knowledge.register_agent_shops(lambda user: [tenants[1].shop.pk] if user == agent else [])
    assert titles(knowledge_search(user=agent, query="退货")) == {"登山鞋尺码怎么选"}
    assert titles(knowledge_search(user=other_agent, query="退货")) == set()


def test_superseded_version_is_not_searched(tenants, manager):
    engagement = EngagementFactory(merchant=tenants[0].merchant, shops=[tenants[0].shop])
    v1 = HandoverBatchFactory(engagement=engagement, shop=tenants[0].shop, kind=KnowledgeKind.POLICY)
    add_entry(v1, "发货时效", "48小时内发货")
    services.handover_batch_acknowledge(batch=v1, by=manager)
    v2 = services.handover_batch_new_version(batch=v1, by=manager)
    KnowledgeEntry.objects.filter(batch=v2).delete()
    services.handover_entry_add(batch=v2, title="发货时效", body="24小时内发货", by=manager)
    services.handover_batch_acknowledge(batch=v2, by=manager)
    found = list(knowledge_search(user=manager, query="发货"))
    assert [(e.batch_id, e.body) for e in found] == [(v2.pk, "24小时内发货")]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm GIN index is PostgreSQL only")
def test_postgres_search_uses_the_trigram_index(knowledge_of_both, manager):
    from django.db import connection as conn

    with conn.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before CREATE INDEX
    with conn.schema_editor(atomic=False) as editor:
        create_trigram_index(editor, KnowledgeEntry)
    queryset = KnowledgeEntry.objects.filter(search_text__contains=knowledge.normalise("无理由退货")).order_by()
    with conn.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a table this small would otherwise be scanned
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = queryset.explain()
    assert INDEX_NAME in plan, plan
    assert titles(knowledge_search(user=manager, query="无理由退货")) == {"退货运费谁承担"}


def test_highlight_escapes_and_marks_words():
    from clients.templatetags.handover_tags import highlight

    assert highlight("<b>七天退货</b>", "退货") == '&lt;b&gt;七天<mark class="hit">退货</mark>&lt;/b&gt;'
    assert highlight("USB 台灯", "usb") == '<mark class="hit">USB</mark> 台灯'
    assert highlight("a<b", "") == "a&lt;b"
