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
    # a digit glued after the letters makes a code: a ticket or a tracking number, not WeChat or JD
    assert pdd.scan("工单号是 WX20231128004") == []
    assert _found(pdd.scan("加我vx 123")) == [("op.weixin", "vx")]
    # …but a contact written straight after its prefix keeps both
    assert _found(pdd.scan("vx13812345678")) == [("op.weixin", "vx"), ("ci.mobile", "13812345678")]
    assert _found(pdd.scan("qq305782419")) == [("op.qq", "qq"), ("ci.qq-number", "305782419")]


def test_unless_words_cancel_a_rule_of_plain_terms_in_its_scope(taobao):
    # the exemptions the platform allows, said anywhere in the message (the rule's scope)
    assert taobao.scan("亲，这款是按您的名字定制的，不支持七天无理由退货哦") == []
    assert taobao.scan("不支持七天无理由退货，这是个人卫生用品，页面有提示") == []
    assert _found(taobao.scan("亲，我们店不支持七天无理由退货的")) == [("cb.qi-tian", "不支持七天无理由")]


@pytest.mark.parametrize(
    ("text", "rule", "matched"),
    [
        ("亲，差价您另外打给我", "otr.qian-gei-wo", "另外打给我"),
        ("您下次直接在官网下单，更便宜", "otr.bie-de-qu-dao", "官网下单"),
        ("这单您可以先不在淘宝上付款", "otr.bie-zai-zhe-mai", "先不在淘宝上"),
        ("这单我们直接关了，您重新拍吧", "cb.guan-bi-ding-dan.zhu-dong", "这单我们直接关"),
        ("退货要收20块钱手续费", "cb.tui-kuan.kou", "退货要收20块钱手续费"),
        ("打折的东西一律不退", "cb.tui-huo.ju-jue", "一律不退"),
        ("您去狗东买吧", "op.jd", "狗东"),
        ("我们抖店也有", "op.douyin", "抖店"),
        ("关注我们的公众号领券", "op.qi-ta-app", "公众号"),
        ("亲，您爱去哪告去哪告", "fp.sui-bian-tou-su.3", "爱去哪告"),
        ("信用卡付款的话我们要加3%手续费哦", "cb.xin-yong-ka.shou-fei", "信用卡付款的话我们要加"),
        ("货到付款我们这边停了，只能先付款", "cb.huo-dao-fu-kuan.ting", "货到付款我们这边停了"),
        ("退货运费您出，就算是质量问题也一样", "cb.yun-fei.zhi-liang", "就算是质量问题也"),
        ("没看到我在忙吗？又不是只有你一个人", "fp.bu-shi-wei-ni.2", "不是只有你一个人"),
        ("您这个问题我回答过三次了", "fp.shuo-guo-le.3", "回答过三次"),
    ],
)
def test_refusals_side_channels_and_nicknames_said_another_way(taobao, text, rule, matched):
    hits = [h for h in taobao.scan(text) if h["rule"] == rule]
    assert [h["matched"] for h in hits] == [matched]
    assert all(text[h["start"] : h["end"]] == h["matched"] for h in hits)


@pytest.mark.parametrize(
    "text",
    ["官网可以查询真伪", "其他渠道购买的我们没办法处理", "我们这款茶叶没有最好的，只有最适合您的", "这款是独家款",
     "它不是医疗器械，不能治疗疾病", "新疆西藏不包邮，详情页有标注", "您选了退货，系统会在30天内原路退回",
     "如果您对处理结果不满意，可以申请平台介入", "我们支持信用卡付款，没有任何额外的手续费",
     "这款是定制的，不接受无理由退货，详情页有提示", "亲，这款不敢说是最好的，但面料确实厚实",
     "您说的“全网最低”我们不敢这么讲哈", "唯一要注意的是别用开水烫"],
)
def test_everyday_wording_near_those_rules_stays_clean(taobao, text):
    assert taobao.scan(text) == []


def test_a_claim_made_is_still_a_claim(taobao):
    assert [h["rule"] for h in taobao.scan("亲，这款是全网最低价，放心拍")] == ["abs.quan-wang", "abs.zui-di-jia"]
    assert [h["rule"] for h in taobao.scan("这是“全网最低”的价格")] == []  # quoted: a mention
    assert [h["rule"] for h in taobao.scan("这款是我们卖得最好的")] == ["abs.zui-hao"]


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
    assert pdd.scan("号码 110105194912310022") == []  # wrong check digit, not announced as an ID
    # announced as an ID number, a mistyped check digit still leaks it
    assert _found(pdd.scan("身份证 110105194912310022")) == [("ci.id-number", "110105194912310022")]
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


# ---------------------------------------------------------------------------------------- engine v2
# no listed insult in it: only the classifier can tell (abuse, confidence ≈ 0.99 with the shipped model)
MODEL_ABUSE = "亲，你是不是脑子不太灵光，说几遍都听不明白"
TRAPS = ("最近", "第一次", "第一时间", "唯一的办法", "绝对值", "全网通", "在线下单", "货到付款", "北京东路", "淘宝贝壳",
         "QQ糖", "USB", "滚筒洗衣机", "傻瓜相机", "我为新客户", "西安下午")


@pytest.fixture(scope="module")
def full_scanners():
    """Every platform's shipped rules with the shipped classifier, as compliance_scan runs them."""
    from bench.eval_scan import shipped_scanners

    return shipped_scanners()


@pytest.mark.parametrize("trap", TRAPS)
def test_traps_stay_clean_on_every_platform_with_the_classifier(full_scanners, trap):
    for platform, scanner in full_scanners.items():
        if platform == "pdd" and trap == "货到付款":
            continue  # Pinduoduo does not offer cash on delivery (docs/domain.md)
        for text in (trap, f"亲，{trap}的话您放心", f"{trap}，有问题随时联系我们哦"):
            assert scanner.scan(text) == [], (platform, text)


def _combo(rule_id, groups, **extra):
    return {"id": rule_id, "category": "commitment_breach", "severity": "violation", "all": groups, **extra}


def test_combination_needs_every_group_in_one_clause_in_any_order():
    scanner = Scanner([_combo("cb.x", [["发票"], ["开不出", "不开"]], unless=["可以开"])])
    text = "亲，发票这边开不出来哦"
    hits = scanner.scan(text)
    assert [(h["rule"], h["matched"]) for h in hits] == [("cb.x", "发票这边开不出")]
    assert text[hits[0]["start"] : hits[0]["end"]] == hits[0]["matched"]
    assert _found(scanner.scan("开不出来的是收据，发票")) == []  # the groups sit in two clauses
    assert _found(scanner.scan("不开玩笑，发票可以开的")) == []  # unless in the clause of the terms
    assert _found(scanner.scan("发票能不开吗？")) == []  # a question does not count


def test_combination_scopes_and_overlapping_groups():
    sentence = Scanner([_combo("cb.s", [["包邮"], ["补运费"]], scope="sentence")])
    assert _found(sentence.scan("虽然写的包邮，但是要补运费")) == [("cb.s", "包邮，但是要补运费")]
    assert _found(sentence.scan("写的包邮。要补运费")) == []  # another sentence
    inside = Scanner([_combo("otr.x", [["支付宝"], ["付"]])])
    assert inside.scan("支付宝上也有") == []  # 付 only inside 支付宝: the groups must not overlap


def test_negation_cancels_negatable_rules_in_the_clause(pdd):
    assert _found(pdd.scan("我们不支持线下交易哦，请在平台下单")) == []
    assert _found(pdd.scan("转账汇款我们是不接受的")) == []
    assert [h["category"] for h in pdd.scan("直接转账给我就行")] == ["off_platform_trade"]
    # "能不能" asks, it does not negate
    assert [h["rule"] for h in pdd.scan("这个能不能不走平台啊")] == ["otr.rao-guo-ping-tai"]


@pytest.mark.parametrize(
    ("text", "matched"),
    [("加我威信吧", "威信"), ("去掏宝搜一下", "掏宝"), ("京东", "京东"), ("加wei信", "wei信"), ("用weixin", "weixin")],
)
def test_homophones_and_pinyin_spellings_map_back(pdd, text, matched):
    hits = [h for h in pdd.scan(text) if h["category"] == "other_platform"]
    assert [h["matched"] for h in hits] == [matched]
    assert text[hits[0]["start"] : hits[0]["end"]] == matched


def test_homophones_need_a_shared_character(pdd):
    assert pdd.scan("我为新客户准备了小礼物") == []  # 为新 sounds like 微信 but shares no character
    assert pdd.scan("北京冬天冷") == []  # allow-listed sound match


@pytest.mark.parametrize(
    ("text", "rule", "matched"),
    [
        ("号码 138，1234，5678", "ci.mobile", "138，1234，5678"),
        ("记一下：138 加上 1122 加上 3344", "ci.mobile", "138 加上 1122 加上 3344"),
        ("加我 ⑴⑶⑹ ⑸⑷⑶⑵ ⑴⑹⑻⑻", "ci.mobile", "⑴⑶⑹ ⑸⑷⑶⑵ ⑴⑹⑻⑻"),
        ("扣扣：两八六 三五七 九一四", "ci.qq-number", "两八六 三五七 九一四"),
        ("邮箱 yy_service(at)outlook(dot)com", "ci.email", "yy_service(at)outlook(dot)com"),
        ("地址：pan点baidu点com斜杠s", "ci.url", "pan点baidu点com斜杠s"),
        ("工行卡号 6212 2610 0201 3458 765", "ci.bank-card", "6212 2610 0201 3458 765"),
        ("地址：义乌市福田街道宗泽路99号", "ci.address", "义乌市福田街道宗泽路99号"),
    ],
)
def test_disguised_numbers_and_addresses(pdd, text, rule, matched):
    hits = [h for h in pdd.scan(text) if h["rule"] == rule]
    assert [h["matched"] for h in hits] == [matched]
    assert text[hits[0]["start"] : hits[0]["end"]] == matched


def test_codes_are_not_contacts(pdd):
    assert [h for h in pdd.scan("快递单号是YT7512346890123，圆通的") if h["category"] == "contact_info"] == []
    assert [h for h in pdd.scan("运单 SF13812345678") if h["category"] == "contact_info"] == []


@pytest.mark.parametrize("text", ["你个傻*逼", "傻X吧你", "n m s l", "你 sha bi 吧", "草泥马"])
def test_masked_insults(pdd, text):
    assert "abuse" in {h["category"] for h in pdd.scan(text)}


def test_classifier_hits_carry_clause_span_confidence_and_their_rule(full_scanners):
    scanner = full_scanners["taobao"]
    model = scanner.model
    assert model is not None
    texts = [MODEL_ABUSE, "亲，这个退款我只能给您退一部分，因为您已经用了"]
    found = 0
    for text in texts:
        for hit in scanner.scan(text):
            assert text[hit["start"] : hit["end"]] == hit["matched"]
            if hit["rule"].startswith("ml."):
                found += 1
                assert hit["rule"] == f"ml.{hit['category']}"
                assert 0.0 < hit["confidence"] <= 1.0
                assert hit["matched"].strip() and not hit["matched"].endswith(("，", "。"))
    assert found >= 1


def test_classifier_only_for_categories_with_a_model_rule():
    pack = load_library()["pdd"]
    from compliance.engine.classifier import ClauseModel

    model = ClauseModel.load()
    no_model_rules = [r for r in pack["rules"] if r["detector"] != "model"]
    scanner = Scanner(no_model_rules, pack["aliases"], model=model)
    assert scanner.model is None
    assert all(not h["rule"].startswith("ml.") for h in scanner.scan(MODEL_ABUSE))


def test_batch_equals_one_by_one_with_everything(full_scanners):
    scanner = full_scanners["jd"]
    texts = [
        "亲，发票这边开不出来", "加我威信", "", "138 加上 1122 加上 3344", "你这种人真是服了", "QQ糖",
        "亲，您好。您的订单已发货，请注意查收！", "傻*逼",
    ] * 30
    assert scanner.scan_many(texts) == [scanner.scan(t) for t in texts]


@pytest.mark.parametrize(
    ("text", "rule", "matched"),
    [
        ("那个 w x 号给你：meimei_9527", "ci.wechat-id", "meimei_9527"),
        ("有问题可以加我们微信客服：jdkf_0722", "ci.wechat-id", "jdkf_0722"),
        ("我们的dy号是 haoyun_jiaju，关注一下吧", "ci.wechat-id", "haoyun_jiaju"),
        ("您Q我一下：3 0 5 7 8 2 4 1 9", "ci.qq-number", "3 0 5 7 8 2 4 1 9"),
        ("您加一下这个号 ➊➌➑➋➋➍➍➏➏➐➐ 有专人对接", "ci.mobile", "➊➌➑➋➋➍➍➏➏➐➐"),
    ],
)
def test_account_ids_after_a_few_words_and_circled_digits(pdd, text, rule, matched):
    hits = [h for h in pdd.scan(text) if h["rule"] == rule]
    assert [h["matched"] for h in hits] == [matched]
    assert text[hits[0]["start"] : hits[0]["end"]] == matched


def test_an_account_id_never_crosses_a_sentence(pdd):
    assert [h for h in pdd.scan("加微信不行哦。iphone15 有现货") if h["rule"] == "ci.wechat-id"] == []
