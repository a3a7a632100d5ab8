"""compliance_scan as contracts §1: JSON lines in, JSON lines out, bad input → exit 2, nothing written."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compliance.models import RuleSet
from compliance.rules.services import custom_rule_save
from tests.factories import MerchantFactory, ShopFactory


def run(monkeypatch, lines: list[str], *args: str) -> list[dict]:
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8"))
    out = io.StringIO()
    call_command("compliance_scan", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.django_db
def test_scan_on_a_fresh_database_loads_the_shipped_library(monkeypatch):
    assert not RuleSet.objects.exists()
    lines = [
        json.dumps({"id": "m1", "text": "亲，加我薇.信 shop888 哦"}, ensure_ascii=False),
        json.dumps({"id": "m2", "text": "最近发货比较快"}, ensure_ascii=False),
        json.dumps({"id": "m3", "text": "我的手机13812345678", "role": "buyer"}, ensure_ascii=False),
    ]
    out = run(monkeypatch, lines, "--platform", "pdd")
    assert [o["id"] for o in out] == ["m1", "m2", "m3"]
    first = out[0]["hits"]
    assert {h["category"] for h in first} == {"other_platform", "contact_info"}
    text = "亲，加我薇.信 shop888 哦"
    for hit in first:
        assert hit["matched"] == text[hit["start"] : hit["end"]]
        assert set(hit) == {"category", "rule", "start", "end", "matched", "severity", "suggestion"}
    assert out[1]["hits"] == []
    assert [h["severity"] for h in out[2]["hits"]] == ["info"]
    assert RuleSet.objects.filter(status="published").count() == 5


@pytest.mark.django_db
def test_bad_lines_are_all_reported_and_nothing_is_written(monkeypatch, capsys):
    lines = [
        '{"id": "ok", "text": "好"}', "not json", '{"id": 3, "text": "x"}', '{"id": "r", "text": "x", "role": "boss"}',
        '{"id": "a", "text": "x"}, {"id": "b", "text": "y"}',
    ]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("\n".join(lines).encode()), encoding="utf-8"))
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("compliance_scan", "--platform", "jd", stdout=out)
    assert exc.value.returncode == 2
    message = str(exc.value)
    assert all(f"line {n}" in message for n in (2, 3, 4, 5)) and "line 1" not in message
    assert out.getvalue() == ""


@pytest.mark.django_db
def test_shop_rules_apply_only_with_shop(monkeypatch):
    merchant = MerchantFactory(code="m-custom")
    shop = ShopFactory(merchant=merchant, code="pdd-custom", platform="pdd")
    custom = custom_rule_save(
        merchant=merchant, by=None, shop=None,
        data={"category": "other_platform", "severity": "warning", "terms": "竞品牌", "suggestion": "我们的产品"},
    )
    line = [json.dumps({"id": "1", "text": "竞品牌也不错"}, ensure_ascii=False)]
    assert run(monkeypatch, line, "--platform", "pdd")[0]["hits"] == []
    hits = run(monkeypatch, line, "--platform", "pdd", "--shop", "pdd-custom")[0]["hits"]
    assert [(h["rule"], h["matched"], h["suggestion"]) for h in hits] == [(custom.rule_id, "竞品牌", "我们的产品")]
    assert shop.code == "pdd-custom"


@pytest.mark.django_db
def test_unknown_or_wrong_platform_shop(monkeypatch):
    ShopFactory(code="jd-1", platform="jd")
    for args in (("--platform", "pdd", "--shop", "nope"), ("--platform", "pdd", "--shop", "jd-1")):
        with pytest.raises(CommandError) as exc:
            run(monkeypatch, ['{"id": "1", "text": "x"}'], *args)
        assert exc.value.returncode == 2
