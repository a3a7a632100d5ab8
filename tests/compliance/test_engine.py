"""The engine alone (no database): offsets through normalisation, allow-lists, detectors, roles, batches."""

from __future__ import annotations

import pytest

from compliance.engine import RuleError, Scanner
from compliance.engine.library import load_library
from compliance.engine.normalize import normalize


@pytest.fixture(scope="module")
def pdd():
    pack = load_library()["pdd"]
    return Scanner(pack["rules"], pack["aliases"])


@pytest.fixture(scope="module")
def taobao():
    pack = load_library()["taobao"]
    return Scanner(pack["rules"], pack["aliases"])


def _found(hits):
    return [(h["rule"], h["matched"]) for h in hits]


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("加我微.信", "微.信"),
        ("加我 薇 信", "薇 信"),
        ("ＶＸ联系", "ＶＸ"),
        ("用 wei-xin 联系", "wei-xin"),
        ("微微信", "微微信"),
        ("v信", "v信"),
        ("微😀信", "微😀信"),
    ],
)
def test_evasion_forms_map_back_to_the_original_text(pdd, text, matched):
    hits = [h for h in pdd.scan(text) if h["rule"] == "op.weixin"]
    assert len(hits) == 1
    assert hits[0]["matched"] == matched == text[hits[0]["start"] : hits[0]["end"]]


def test_traditional_script_and_full_width(pdd):
    assert _found(pdd.scan("淘寶上買")) == [("op.taobao", "淘寶")]
    assert _found(pdd.scan("ＱＱ聯繫")) == [("op.qq", "ＱＱ")]


def test_ascii_aliases_need_word_boundaries(pdd):
    assert pdd.scan("USB接口") == []
    assert pdd.scan("wxyz型号") == []
    assert _found(pdd.scan("你个 SB")) == [("ab.sha-bi", "SB")]
    assert _found(pdd.scan("加vx")) == [("op.weixin", "vx")]


def test_allow_list_suppresses_only_the_hits_it_covers(pdd):
    text = "第一次买的话，我们家销量是第一"
    hits = pdd.scan(text)
    assert _found(hits) == [("abs.di-yi", "第一")]
    assert hits[0]["start"] == text.rindex("第一")


def test_platform_specific_rules(pdd, taobao):
    assert _found(pdd.scan("这个宝贝很好")) == [("pdd.bao-bei", "宝贝")]
    assert taobao.scan("这个宝贝很好") == []
    assert taobao.scan("淘宝上有") == []
    assert _found(taobao.scan("拼多多上有")) == [("op.pdd", "拼多多")]


@pytest.mark.parametrize(
    ("text", "rule", "matched"),
    [
        ("电话 138 1234 5678", "ci.mobile", "138 1234 5678"),
        ("号码１３８１２３４５６７８", "ci.mobile", "１３８１２３４５６７８"),
        ("打一三八一二三四五六七八", "ci.mobile", "一三八一二三四五六七八"),
        ("座机 010-62345678", "ci.landline", "010-62345678"),
        ("QQ 123456789", "ci.qq-number", "123456789"),
        ("微信号：abc_12345", "ci.wechat-id", "abc_12345"),
        ("发 a.b@example.com", "ci.email", "a.b@example.com"),
        ("看 https://x.example.cn/a?b=1 吧", "ci.url", "https://x.example.cn/a?b=1"),
        ("身份证 11010519491231002X", "ci.id-number", "11010519491231002X"),
    ],
)
def test_detectors(pdd, text, rule, matched):
    hits = [h for h in pdd.scan(text) if h["rule"] == rule]
    assert [h["matched"] for h in hits] == [matched]


def test_numbers_that_are_not_contacts(pdd):
    assert pdd.scan("订单号 2611011234567890123") == []
    assert pdd.scan("收件号码 138****5678") == []
    assert pdd.scan("身份证 110105194912310022") == []  # wrong check digit
    assert pdd.scan("12345678 件") == []  # no QQ keyword before it


def test_bank_card_needs_luhn(pdd):
    assert _found(pdd.scan("卡 6222020200112345679")) == [("ci.bank-card", "6222020200112345679")]
    assert pdd.scan("卡 6222020200112345678") == []


def test_roles(pdd):
    text = "加我微信，手机 13812345678"
    agent = pdd.scan(text, role="agent")
    assert {h["category"] for h in agent} == {"other_platform", "contact_info"}
    buyer = pdd.scan(text, role="buyer")
    assert [(h["category"], h["severity"]) for h in buyer] == [("contact_info", "info")]
    assert pdd.scan(text, role="system") == []


def test_batch_equals_one_by_one(pdd):
    texts = ["加我微信", "", "最好的", "QQ糖", "电话13812345678", "淘寶", "你是sb"] * 50
    assert pdd.scan_many(texts) == [pdd.scan(t) for t in texts]
    assert pdd.scan_many([]) == []


def test_normalize_keeps_sentence_boundaries():
    norm, idx = normalize("在线，下午")
    assert "线下" not in norm
    assert len(idx) == len(norm)


def test_bad_rules_are_refused():
    with pytest.raises(RuleError, match="category"):
        Scanner([{"id": "x", "category": "nope", "severity": "warning", "terms": ["a"]}])
    with pytest.raises(RuleError, match="terms or a detector"):
        Scanner([{"id": "x", "category": "abuse", "severity": "warning", "terms": []}])
    with pytest.raises(RuleError, match="duplicate"):
        rule = {"id": "x", "category": "abuse", "severity": "warning", "terms": ["滚开"]}
        Scanner([rule, rule])
