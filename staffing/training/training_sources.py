"""Where training questions come from, without staffing importing the apps that own the facts.

- Platform rules belong to `compliance` (above staffing), which registers its rule library with
  `register_rule_source(fn)`, `fn(platform) -> list[RuleFact]` (`compliance/apps.py`). With no source
  registered (a unit test that clears it) `BUILTIN_RULE_FACTS` applies, a small set from domain.md.
- Shop knowledge comes from the knowledge handover in `clients`: `staffing/apps.py` registers
  `register_knowledge_source(fn)`, `fn(shop) -> list[KnowledgeFact]`; with none registered a shop course
  holds only the questions a manager (or the demo data) adds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RuleFact:
    """A platform rule an agent can break in chat: a violating example and what to say instead."""

    platform: str
    rule: str  # stable id, e.g. "pdd.other_platform.baobei"
    category: str  # contracts §1 vocabulary
    banned: str  # the word or phrase
    example: str  # a reply that breaks the rule
    suggestion: str = ""  # a compliant way to say it


@dataclass(frozen=True)
class KnowledgeFact:
    """One handed-over fact about a shop, as a question with its right answer and wrong ones."""

    key: str
    question: str
    answer: str
    distractors: list[str] = field(default_factory=list)


_rule_sources: list[Callable[[str], list[RuleFact]]] = []
_knowledge_sources: list[Callable[[Any], list[KnowledgeFact]]] = []


def register_rule_source(source: Callable[[str], list[RuleFact]]) -> None:
    if source not in _rule_sources:
        _rule_sources.append(source)


def register_knowledge_source(source: Callable[[Any], list[KnowledgeFact]]) -> None:
    if source not in _knowledge_sources:
        _knowledge_sources.append(source)


def rule_facts(platform: str) -> list[RuleFact]:
    if _rule_sources:
        facts: list[RuleFact] = []
        for source in _rule_sources:
            facts.extend(source(platform))
        return facts
    return [f for f in BUILTIN_RULE_FACTS if f.platform == platform or (f.platform == "*" and platform)]


def knowledge_facts(shop: Any) -> list[KnowledgeFact]:
    facts: list[KnowledgeFact] = []
    for source in _knowledge_sources:
        facts.extend(source(shop))
    return facts


# Compliant replies used as the wrong options of "which reply breaks the rules" (the traps of domain.md that
# must stay clean are good teaching material: 第一时间, 最近, 亲亲, 货到付款 where COD is offered...).
COMPLIANT_REPLIES: list[str] = [
    "亲亲，我们会第一时间为您安排发货哦～",
    "亲，最近订单较多，商品会在48小时内发出。",
    "为了感谢您的支持，特意给您申请了优惠。",
    "亲，这款商品支持7天无理由退货，请放心购买。",
    "您好，发票可以开具的，请在订单备注里留下抬头。",
    "亲，这个颜色目前断码了，为您推荐相近的款式可以吗？",
    "好的亲，已经为您催促快递了，有消息马上通知您。",
    "亲，您收到商品后如有任何问题，随时联系我们处理。",
]

_P = "*"  # every platform
BUILTIN_RULE_FACTS: list[RuleFact] = [
    RuleFact("pdd", "pdd.other_platform.baobei", "other_platform", "宝贝",
             "亲，这个宝贝今天下单明天就发货。", "把“宝贝”说成“商品”或“产品”"),
    RuleFact("pdd", "pdd.other_platform.wechat", "other_platform", "微信",
             "亲，加一下我微信，给您发更多款式。", "在平台内沟通，不提其他平台和应用"),
    RuleFact("pdd", "pdd.other_platform.taobao", "other_platform", "淘宝",
             "我们淘宝店也有卖，价格一样的。", "不提其他平台"),
    RuleFact("pdd", "pdd.review.cashback", "review_inducement", "好评返现",
             "亲，给个五星好评返现5元哦。", "为了感谢您的支持，特意给您申请了优惠"),
    RuleFact("pdd", "pdd.off_platform.transfer", "off_platform_trade", "转账",
             "您直接转账给我，能便宜20元。", "只在平台内下单付款"),
    RuleFact("pdd", "pdd.off_platform.offline", "off_platform_trade", "线下",
             "我们可以线下交易，省去手续费。", "只在平台内交易"),
    RuleFact("pdd", "pdd.absolute.best", "absolute_claim", "全网最低",
             "这款是全网最低价，别家都没有。", "说具体优惠，不用绝对化用语"),
    RuleFact("tmall", "tmall.commitment.stockout", "commitment_breach", "缺货",
             "亲，这个尺码缺货了。", "说“断码”"),
    RuleFact("tmall", "tmall.commitment.invoice", "commitment_breach", "没有发票",
             "不好意思，我们店没有发票。", "发票可以开具，说明开票方式"),
    RuleFact("tmall", "tmall.commitment.return", "commitment_breach", "不退不换",
             "特价商品不退不换哦。", "说明7天无理由退货规则"),
    RuleFact("taobao", "taobao.commitment.free_shipping", "commitment_breach", "补邮费",
             "包邮商品偏远地区要补邮费10元。", "包邮商品不另收运费"),
    RuleFact("taobao", "taobao.contact.phone", "contact_info", "手机号",
             "有问题打我手机号13812345678。", "留在平台内沟通"),
    RuleFact("taobao", "taobao.off_platform.alipay", "off_platform_trade", "支付宝转账",
             "您支付宝转账给我就行，不用拍。", "只在平台内下单付款"),
    RuleFact("jd", "jd.phrase.ask_who", "forbidden_phrase", "你问我，我问谁",
             "你问我，我问谁？", "我帮您查询一下，请稍等"),
    RuleFact("jd", "jd.phrase.rules", "forbidden_phrase", "这是规定",
             "这是规定，没办法改。", "说明原因并给出可行方案"),
    RuleFact("jd", "jd.phrase.no_way", "forbidden_phrase", "我也没办法",
             "我也没办法，您自己看着办吧。", "我马上帮您联系相关同事处理"),
    RuleFact("jd", "jd.phrase.complain", "forbidden_phrase", "随便你到哪里去投诉",
             "随便你到哪里去投诉。", "非常抱歉给您带来不便，我们一定处理好"),
    RuleFact("jd", "jd.phrase.said_before", "forbidden_phrase", "刚才已经说过了",
             "刚才已经说过了，怎么还问？", "耐心再解释一次"),
    RuleFact("douyin", "douyin.other_platform.wechat", "other_platform", "微信",
             "加我微信，私下给您便宜。", "在平台内沟通"),
    RuleFact("douyin", "douyin.review.cashback", "review_inducement", "好评返现",
             "晒图好评返现10元。", "为了感谢您的支持，特意给您申请了优惠"),
    RuleFact("douyin", "douyin.absolute.first", "absolute_claim", "第一",
             "我们家销量全网第一。", "说具体数据，不用绝对化用语"),
    RuleFact(_P, "any.abuse.insult", "abuse", "辱骂",
             "你是不是傻，看不懂说明吗？", "耐心解释，不贬低买家"),
    RuleFact(_P, "any.contact.bank", "contact_info", "银行卡号",
             "把钱打到这个银行卡号 6222 0000 1111 2222。", "不提供银行账户"),
]
