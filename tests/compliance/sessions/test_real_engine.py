"""Import → scan → publish → re-scan with the real rule library and engine."""

from __future__ import annotations

import json

import pytest

from agency.models import Job
from compliance.models import ChatMessage, Hit
from compliance.rules.services import rule_save, ruleset_draft_create, ruleset_publish, scanner_for
from compliance.sessions.selectors import current_hits
from compliance.sessions.services.importing import sessions_import_file
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

MESSAGES = [
    ("m1", "buyer", "你好，这个有货吗？我微信是abc123"),
    ("m2", "agent", "亲，有的哦，加我微信聊吧"),
    ("m3", "agent", "我们家的宝贝是全网最低价"),
    ("m4", "agent", "亲，最近下单第一时间发货哦"),
    ("m5", "system", "系统消息：买家已付款"),
]


def upload(shop) -> None:
    line = {"session_id": "s1", "buyer": "b-1", "messages": [
        {"id": mid, "sender": sender, "agent": "a01" if sender == "agent" else "",
         "sent_at": f"2026-11-05T10:0{i}:00+08:00", "text": text}
        for i, (mid, sender, text) in enumerate(MESSAGES)
    ]}
    sessions_import_file(shop=shop, data=json.dumps(line, ensure_ascii=False).encode(), fmt="jsonl")


def test_import_scans_with_the_shipped_library(django_capture_on_commit_callbacks, manager):
    shop = ShopFactory(code="real-pdd", platform="pdd")
    with django_capture_on_commit_callbacks(execute=True):
        upload(shop)
    assert not ChatMessage.objects.filter(scanned_ruleset__isnull=True).exists()
    by_message: dict[str, set[str]] = {}
    for hit in current_hits().select_related("message"):
        text = hit.message.text
        assert text[hit.start:hit.end] == hit.matched  # offsets into the original text
        by_message.setdefault(hit.message.external_id, set()).add(hit.category)
    assert "other_platform" in by_message["m2"]
    assert {"absolute_claim", "other_platform"} <= by_message["m3"]  # 全网最低 and 宝贝 on Pinduoduo
    assert "m4" not in by_message  # 最近 / 第一时间 are traps that stay clean
    assert "m5" not in by_message  # system messages are not scanned


def test_publishing_with_a_window_rescans_and_keeps_history(django_capture_on_commit_callbacks, manager):
    shop = ShopFactory(code="real-pdd2", platform="pdd")
    with django_capture_on_commit_callbacks(execute=True):
        upload(shop)
    old_version, _scanner = scanner_for(platform="pdd", shop=shop)
    old_hits = Hit.objects.filter(ruleset=old_version).count()
    m3_hits = set(current_hits().filter(message__external_id="m3").values_list("rule", "category"))
    assert m3_hits
    # the rules that found them, and the classifier of their categories (its second opinion would
    # otherwise speak once the rules are off)
    m3_rules = {rule for rule, _category in m3_hits} | {f"ml.{category}" for _rule, category in m3_hits}
    draft = ruleset_draft_create(platform="pdd", by=manager)
    for rule in draft.rules.filter(rule_id__in=m3_rules):
        rule_save(ruleset=draft, by=manager, rule_id=rule.rule_id, data={"enabled": False}, rule=rule)
    with django_capture_on_commit_callbacks(execute=True):
        ruleset_publish(ruleset=draft, by=manager, rescan_days=100_000)
    job = Job.objects.get(kind="compliance.rescan")
    assert job.status == Job.Status.DONE, job.message
    assert Hit.objects.filter(ruleset=old_version).count() == old_hits  # the old version's findings stay
    assert not current_hits().filter(message__external_id="m3").exists()  # the new version found nothing
    assert current_hits().filter(message__external_id="m2", ruleset=draft).exists()


def test_command_scan_now_and_linking_a_late_agent(tmp_path, capsys):
    from django.core.management import call_command

    from compliance.sessions.services.importing import messages_link_agents
    from tests.factories import AgentFactory

    shop = ShopFactory(code="real-jd", platform="jd")
    path = tmp_path / "jd.csv"
    path.write_text(
        "session_id,buyer,message_id,sender,agent,sent_at,text\n"
        "s1,b-1,m1,buyer,,2026-11-05 10:00:00,怎么还没发货\n"
        "s1,b-1,m2,agent,a77,2026-11-05 10:00:40,这是规定，我也没办法\n",
        encoding="gb18030",
    )
    call_command("import_sessions", str(path), "--shop", shop.code, "--scan-now")
    out = json.loads(capsys.readouterr().out)
    assert out["unknown_agents"] == ["a77"] and out["scanned"]["messages"] == 2
    assert current_hits().filter(message__external_id="m2", category="forbidden_phrase").exists()
    agent = AgentFactory(code="a77", username="late-agent")
    assert messages_link_agents(codes=["a77"]) == 1
    assert ChatMessage.objects.get(external_id="m2").agent == agent
