"""The pure auto-QA checks over plain message dicts (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from compliance.quality.qa import autoqa
from compliance.quality.qa.scoring import SpecError, alignment, review_score, validate_spec

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def conv(*rows):
    """rows: (seconds after T0, sender, text[, hits])"""
    return [
        {"id": f"m{n}", "sender": r[0 + 1], "sent_at": T0 + timedelta(seconds=r[0]), "text": r[2],
         "agent": 7 if r[1] == "agent" else None, "hits": r[3] if len(r) > 3 else []}
        for n, r in enumerate(rows, start=1)
    ]


def keys(score):
    return [(d.check, d.message_id) for d in score.deductions]


def test_clean_session_scores_100():
    messages = conv((0, "buyer", "在吗"), (20, "agent", "亲，您好，在的"), (60, "buyer", "这个有货吗"),
                    (90, "agent", "有的，感谢支持，祝您购物愉快"))
    result = autoqa.score_session(messages)
    assert result.score == 100.0 and result.deductions == []


def test_missing_greeting_and_closing_point_at_first_and_last_agent_message():
    messages = conv((0, "buyer", "这个有货吗"), (20, "agent", "有货"), (40, "buyer", "几天到"), (60, "agent", "三天"))
    result = autoqa.score_session(messages)
    assert keys(result) == [("greeting", "m2"), ("closing", "m4")]
    assert result.score == 90.0


def test_slow_reply_without_apology_is_deducted_but_an_apology_excuses_it():
    slow = conv((0, "buyer", "在吗"), (10, "agent", "您好"), (20, "buyer", "发什么快递"), (400, "agent", "中通，感谢"))
    assert ("slow_no_apology", "m4") in keys(autoqa.score_session(slow))
    sorry = conv((0, "buyer", "在吗"), (10, "agent", "您好"), (20, "buyer", "发什么快递"), (400, "agent", "抱歉久等了，中通，感谢"))
    assert all(k != "slow_no_apology" for k, _ in keys(autoqa.score_session(sorry)))


def test_turn_is_measured_from_first_buyer_message_and_bots_do_not_answer():
    # 100 s from the first buyer message to the agent; the bot reply in between answers nothing.
    messages = conv((0, "buyer", "你好"), (50, "bot", "自动回复：稍等"), (60, "buyer", "人呢"), (250, "agent", "您好，感谢等待"))
    turns = autoqa.buyer_turns(messages)
    assert len(turns) == 1 and turns[0].response_seconds == 250 and turns[0].answer["id"] == "m4"
    assert ("slow_no_apology", "m4") in keys(autoqa.score_session(messages))  # 250 s > 180 s, no apology word
    checks = autoqa.default_checks()
    checks[2]["params"] = {"threshold_seconds": 300}
    assert ("slow_no_apology", "m4") not in keys(autoqa.score_session(messages, checks))


def test_buyer_repeating_the_question_points_at_the_repeat():
    messages = conv((0, "buyer", "这款沙发可以送货上门吗"), (30, "agent", "您好，请稍等"),
                    (90, "buyer", "这款沙发能送货上门吗？"), (120, "agent", "可以的，感谢"))
    assert ("buyer_repeat", "m3") in keys(autoqa.score_session(messages))
    phrase = conv((0, "buyer", "多少钱"), (30, "agent", "您好"), (60, "buyer", "我刚才说了要红色的"), (90, "agent", "好的，谢谢"))
    assert ("buyer_repeat", "m3") in keys(autoqa.score_session(phrase))


def test_abusive_tone_and_compliance_hits_by_severity():
    messages = conv(
        (0, "buyer", "怎么还没发货"),
        (30, "agent", "您好，你烦不烦，自己看物流", [{"severity": "severe", "category": "abuse", "rule": "r1", "start": 3, "end": 7, "matched": "你烦不烦"}]),
        (60, "buyer", "好吧"),
        (90, "agent", "谢谢，加微信聊", [{"severity": "violation", "category": "other_platform", "rule": "r2", "start": 4, "end": 6, "matched": "微信"},
                                     {"severity": "violation", "category": "other_platform", "rule": "r2", "start": 4, "end": 6, "matched": "微信"}]),
    )
    result = autoqa.score_session(messages)
    found = keys(result)
    assert ("abusive_tone", "m2") in found
    assert found.count(("compliance_hits", "m2")) == 1 and found.count(("compliance_hits", "m4")) == 1  # duplicate hit once
    points = {d.message_id: d.points for d in result.deductions if d.check == "compliance_hits"}
    assert points == {"m2": 15.0, "m4": 5.0}


def test_unresolved_when_the_last_buyer_turn_is_never_answered():
    messages = conv((0, "buyer", "在吗"), (10, "agent", "您好，感谢"), (30, "buyer", "退款什么时候到"))
    assert ("unresolved", "m3") in keys(autoqa.score_session(messages))
    unhappy = conv((0, "buyer", "在吗"), (10, "agent", "您好"), (30, "buyer", "算了，给差评"), (40, "agent", "抱歉，感谢"))
    assert ("unresolved", "m3") in keys(autoqa.score_session(unhappy))


def test_configuration_disables_checks_caps_occurrences_and_floors_at_zero():
    messages = conv(*[(i * 10, "agent" if i % 2 else "buyer", "你烦不烦") for i in range(20)])
    checks = [{"key": "abusive_tone", "points": 30, "max_occurrences": 0, "params": {}}]
    assert autoqa.score_session(messages, checks).score == 0.0
    capped = [{"key": "abusive_tone", "points": 30, "max_occurrences": 2, "params": {}}]
    assert autoqa.score_session(messages, capped).score == 40.0
    off = [{"key": "abusive_tone", "enabled": False, "points": 30, "max_occurrences": 0, "params": {}}]
    assert autoqa.score_session(messages, off).score == 100.0


def test_validate_params_names_the_problem():
    assert autoqa.validate_params("greeting", {"phrases": ["您好"]}) == []
    assert autoqa.validate_params("greeting", {"phrases": "您好"}) == ["参数 phrases 必须是文字列表"]
    assert autoqa.validate_params("slow_no_apology", {"threshold_seconds": -1}) == ["参数 threshold_seconds 必须是非负数"]
    assert autoqa.validate_params("closing", {"bogus": 1}) == ["未知参数 bogus"]


CARD = [
    {"id": "c1", "weight": 40, "items": [{"id": 1, "scale_max": 5, "weight": 1, "critical": False},
                                          {"id": 2, "scale_max": 1, "weight": 1, "critical": True}]},
    {"id": "c2", "weight": 60, "items": [{"id": 3, "scale_max": 5, "weight": 2, "critical": False},
                                          {"id": 4, "scale_max": 5, "weight": 1, "critical": False}]},
]


def test_review_score_weights_categories_and_items():
    # c1 = (1*4/5 + 1*1/1)/2 = 0.9 ; c2 = (2*5/5 + 1*2/5)/3 = 0.8 ; total = (40*0.9 + 60*0.8)/100 = 0.84
    result = review_score(CARD, {1: 4, 2: 1, 3: 5, 4: 2})
    assert result.score == 84.0 and not result.failed_critical
    assert result.category_scores == {"c1": 90.0, "c2": 80.0}


def test_a_failed_critical_item_fails_the_whole_review():
    result = review_score(CARD, {1: 5, 2: 0, 3: 5, 4: 5})
    assert result.failed_critical and result.score == 0.0


def test_spec_errors_name_where():
    try:
        validate_spec({"name": "x", "categories": [{"name": "态度", "items": [{"label": "", "scale_max": 0}]}]})
    except SpecError as exc:
        assert "第 1 个类别「态度」第 1 项：label 不能为空" in exc.errors
        assert "第 1 个类别「态度」第 1 项：scale_max 必须是 1 到 100 的整数" in exc.errors
    else:
        raise AssertionError("expected SpecError")


def test_alignment_spread_and_agreement():
    scores = [("s1", "A", 1, 5), ("s1", "B", 1, 5), ("s1", "A", 2, 1), ("s1", "B", 2, 0),
              ("s2", "A", 1, 3), ("s2", "B", 1, 5), ("s2", "A", 2, 1), ("s2", "B", 2, 1)]
    result = alignment(scores, {1: 5, 2: 1}, [("s1", "A", 90), ("s1", "B", 0), ("s2", "A", 80), ("s2", "B", 95)], item_order=[1, 2])
    by_item = {i.item: i for i in result.items}
    assert by_item[1].agreement_rate == 0.5 and by_item[1].mean_spread == 0.2  # (0 + 2/5) / 2
    assert by_item[2].agreement_rate == 0.5 and by_item[2].mean_spread == 0.5
    assert result.agreement_rate == 0.5
    assert {s.session: s.spread for s in result.sessions} == {"s1": 90.0, "s2": 15.0}


def _hit(rule, start, matched, severity="violation", category="other_platform", end=None):
    hit = {"rule": rule, "start": start, "matched": matched, "severity": severity, "category": category}
    if end is not None:
        hit["end"] = end
    return hit


def test_one_contact_detail_is_one_deduction_however_many_rules_found_it():
    # "加我微信：wx123456": 微信 [2,4), wx [5,7) and the id [5,13), one contact: one deduction at the worst (severe 15)
    text = "加我微信：wx123456"
    hits = [_hit("op.weixin", 2, "微信"), _hit("op.wx", 5, "wx"), _hit("detector.wechat_id", 5, "wx123456", "severe")]
    messages = conv((0, "buyer", "能便宜点吗"), (20, "agent", text, hits))
    deductions = [d for d in autoqa.score_session(messages).deductions if d.check == "compliance_hits"]
    assert [(d.message_id, d.points) for d in deductions] == [("m2", 15.0)]
    assert "「微信」" in deductions[0].detail and "「wx123456」" in deductions[0].detail


def test_overlapping_hits_of_any_rule_count_once_and_separate_contacts_twice():
    # 差评返现 [0,4) (review manipulation, violation) overlaps 返现 [2,4) (cashback, warning): one, at 5 points
    overlapping = [_hit("r.review", 0, "差评返现", category="review"), _hit("r.cash", 2, "返现", "warning", "cashback")]
    # two contacts 12 characters apart: 微信 at [0,2) and 微信 at [14,16): two occurrences
    text = "微信号我发你了，稍后再说一次微信"
    apart = [_hit("op.weixin", 0, "微信"), _hit("op.weixin", 14, "微信")]
    # two categories side by side (gap 1) do not merge: a contact next to a cash-back promise are two problems
    side = [_hit("op.weixin", 0, "微信"), _hit("r.cash", 3, "返现", "warning", "cashback")]
    messages = conv((0, "buyer", "在吗"), (10, "agent", "差评返现哦", overlapping), (20, "agent", text, apart),
                    (30, "agent", "微信 返现", side))
    found = [(d.message_id, d.points) for d in autoqa.score_session(messages).deductions if d.check == "compliance_hits"]
    assert found == [("m2", 5.0), ("m3", 5.0), ("m3", 5.0), ("m4", 5.0), ("m4", 2.0)]


def test_the_merge_gap_is_a_setting():
    hits = [_hit("op.weixin", 2, "微信"), _hit("op.wx", 5, "wx")]
    messages = conv((0, "buyer", "在吗"), (10, "agent", "加我微信：wx", hits))
    strict = [{"key": "compliance_hits", "params": {"merge_gap_chars": 0}}]
    assert len(autoqa.score_session(messages, strict).deductions) == 2
    assert len(autoqa.score_session(messages, [{"key": "compliance_hits"}]).deductions) == 1
    assert autoqa.validate_params("compliance_hits", {"merge_gap_chars": -1}) == ["参数 merge_gap_chars 必须是非负数"]
