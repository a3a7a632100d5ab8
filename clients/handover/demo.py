"""Demo knowledge handover, after the merchants and sales demos (`ORDER`). Idempotent.

Merchant 1 (蓝心家居) is mid-handover: its Tmall and Pinduoduo products are acknowledged (Tmall in a
second version), policies and reply scripts acknowledged, a FAQ batch awaits the agency's acknowledgement
and the Douyin shop has no products yet, so its go-live checklist names what is missing. Merchant 2
(青山户外) is live with acknowledged products and FAQs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from agency.models import User
from clients.engagements.models import Engagement
from clients.engagements.services import engagement_stage_change
from clients.handover import services
from clients.handover.models import HandoverBatch, KnowledgeKind
from clients.merchants.models import Merchant, Shop
from clients.sales.errors import BusinessRuleError

ORDER = 22

HEADER = "商品编码,商品名称,价格,类目,规格,卖点,售后说明,发货说明"

PRODUCTS = {
    "lanxin-tmall": [
        ("LX-T001", "北欧实木餐桌", "1299", "餐厅家具", "1.4米/1.6米，白橡木", "FAS级白橡木，榫卯结构", "7天无理由退换，质量问题包退", "48小时内发货，大件物流送货上门"),
        ("LX-T002", "记忆棉护颈枕", "189", "床上用品", "60x35cm，高低两款", "慢回弹记忆棉，可拆洗枕套", "7天无理由退换", "江浙沪次日达"),
        ("LX-T003", "全棉四件套", "399", "床上用品", "1.5米/1.8米床，六种花色", "新疆长绒棉，A类标准", "未拆封7天无理由", "24小时内发货"),
        ("LX-T004", "布艺三人沙发", "3999", "客厅家具", "2.1米，科技布", "防水防污，可拆洗", "15天质量问题包换", "物流送货上门，偏远地区另议"),
        ("LX-T005", "USB充电小夜灯", "59", "灯具", "暖光/白光", "感应开关，续航30天", "一年质保", "24小时内发货"),
    ],
    "lanxin-pdd": [
        ("LX-P001", "加厚珊瑚绒毛毯", "69", "床上用品", "150x200cm", "加厚不掉毛", "7天无理由退货", "48小时内发货"),
        ("LX-P002", "收纳箱三件套", "49.9", "收纳", "大中小各一", "可折叠，带盖", "破损包赔", "48小时内发货"),
        ("LX-P003", "硅藻泥浴室地垫", "39", "浴室用品", "40x60cm", "速干吸水", "7天无理由退货", "48小时内发货"),
    ],
    "qingshan-jd": [
        ("QS-J001", "双层防雨帐篷", "599", "露营装备", "3-4人，铝杆", "防水指数3000mm", "7天无理由，15天换货", "京东物流次日达"),
        ("QS-J002", "碳纤维登山杖", "259", "登山装备", "三节伸缩，单支", "重量仅190克", "一年质保", "京东物流次日达"),
        ("QS-J003", "防泼水冲锋衣", "899", "户外服装", "男女款 S-XXL", "可拆卸内胆", "7天退货，15天换货", "京东物流次日达"),
    ],
    "qingshan-taobao": [
        ("QS-T001", "轻量化睡袋", "329", "露营装备", "舒适温度5℃", "可机洗，压缩后仅足球大小", "7天无理由退换", "72小时内发货"),
        ("QS-T002", "户外折叠椅", "129", "露营装备", "承重150kg", "一秒展开", "破损包换", "48小时内发货"),
    ],
}

POLICIES = [
    ("退换货政策", "签收后7天内无理由退货（商品完好、不影响二次销售）；质量问题15天内包换，运费由商家承担。"),
    ("发票政策", "可开具电子普通发票和增值税专用发票，下单后在订单页申请，不额外收取税点。"),
    ("价格保护", "下单后7天内降价可申请差价补偿，大促期间以平台规则为准。"),
]

SCRIPTS = [
    ("物流断更", "亲亲，非常理解您着急的心情。我们已联系快递核实，如果包裹确认丢失，会第一时间为您补发或退款，请您放心。"),
    ("签收未收到（地址不同）", "亲，给您带来不便非常抱歉。我们先按您的意愿为您处理（补发或退款），同时会向快递追查包裹去向。"),
    ("签收未收到（地址相同）", "亲，请先帮忙看看门卫、快递柜或家人是否代收；我们也在同步联系快递核实，有结果马上告诉您。"),
    ("差评回复", "非常抱歉这次没有让您满意，我们已经记录您反馈的问题，专属客服会在今天内联系您给出解决方案。"),
    ("优惠说明（代替返现）", "为了感谢您的支持，特意给您申请了优惠，下次下单可以直接使用哦。"),
]

FAQS_1 = [
    ("实木餐桌需要自己安装吗", "不需要，大件物流送货上门并免费安装。"),
    ("四件套会不会掉色", "采用活性印染，正常洗涤不掉色，首次洗涤建议冷水单独洗。"),
]
FAQS_2 = [
    ("帐篷可以一个人搭吗", "可以，自动速开结构，一个人3分钟即可搭好。"),
    ("冲锋衣尺码怎么选", "建议按平时尺码选，想内搭抓绒衣可选大一码。"),
    ("登山杖能带上飞机吗", "登山杖不能随身携带，需要托运。"),
]


def _csv(rows) -> bytes:
    return ("\n".join([HEADER] + [",".join(r) for r in rows]) + "\n").encode("utf-8")


def _batch(engagement, shop, kind, title, by, *, entries=(), products=None, acknowledge_by=None):
    batch = services.handover_batch_create(engagement=engagement, shop=shop, kind=kind, title=title, by=by)
    if products:
        services.handover_products_import(batch=batch, data=_csv(products), filename=f"{shop.code}.csv", by=by)
    for title_, body in entries:
        services.handover_entry_add(batch=batch, title=title_, body=body, by=by)
    if acknowledge_by is not None:
        services.handover_batch_acknowledge(batch=batch, by=acknowledge_by)
    return batch


def _engagement(merchant: Merchant, title: str, stage: str, shops: list[Shop], by: User) -> Engagement:
    """The merchant's engagement whose contract is signed (the sales demo makes one), moved on to handover
    through the lifecycle service; else one past contracting; else our own."""
    signed = (
        Engagement.objects.filter(merchant=merchant, contracts__status="active").order_by("pk").first()
    )
    if signed is not None:
        for step in (Engagement.Stage.CONTRACTING, Engagement.Stage.HANDOVER):
            with contextlib.suppress(BusinessRuleError):
                signed = engagement_stage_change(engagement=signed, to=step, by=by, note="演示数据")
        return signed
    existing = (
        Engagement.objects.filter(merchant=merchant, stage__in=[Engagement.Stage.HANDOVER, Engagement.Stage.TRAINING,
                                                                 Engagement.Stage.LIVE])
        .order_by("pk").first()
    )
    engagement = existing or Engagement.objects.get_or_create(
        merchant=merchant, title=title, defaults={"stage": stage}
    )[0]
    engagement.shops.add(*shops)
    return engagement


def load(*, password: str, log: Callable[[str], None]) -> None:
    manager = User.objects.get(username="manager")
    merchant1 = User.objects.get(username="merchant1")
    merchant2 = User.objects.get(username="merchant2")
    # The merchants' demo (ORDER 20, before this one) created both users with their merchant.
    assert merchant1.merchant is not None and merchant2.merchant is not None
    shops = {s.code: s for s in Shop.objects.filter(code__in=[*PRODUCTS, "lanxin-douyin"])}

    lanxin = _engagement(
        merchant1.merchant, "蓝心家居 全店客服外包", Engagement.Stage.TRAINING,
        [shops["lanxin-tmall"], shops["lanxin-pdd"], shops["lanxin-douyin"]], manager,
    )
    if not HandoverBatch.objects.filter(engagement=lanxin).exists():
        if not lanxin.next_step:
            lanxin.next_step, lanxin.next_step_due = "补充抖音小店商品资料", None
            lanxin.save(update_fields=["next_step"])
        tmall = _batch(lanxin, shops["lanxin-tmall"], KnowledgeKind.PRODUCT, "天猫店商品资料（第一批）", merchant1,
                       products=PRODUCTS["lanxin-tmall"][:3], acknowledge_by=manager)
        v2 = services.handover_batch_new_version(batch=tmall, by=merchant1)
        services.handover_products_import(batch=v2, data=_csv(PRODUCTS["lanxin-tmall"]), filename="tmall-v2.csv", by=merchant1)
        services.handover_batch_acknowledge(batch=v2, by=manager)
        _batch(lanxin, shops["lanxin-pdd"], KnowledgeKind.PRODUCT, "拼多多店商品资料", merchant1,
               products=PRODUCTS["lanxin-pdd"], acknowledge_by=manager)
        _batch(lanxin, shops["lanxin-tmall"], KnowledgeKind.POLICY, "店铺政策", merchant1, entries=POLICIES,
               acknowledge_by=manager)
        _batch(lanxin, shops["lanxin-tmall"], KnowledgeKind.SCRIPT, "售后话术", manager, entries=SCRIPTS,
               acknowledge_by=manager)
        _batch(lanxin, shops["lanxin-pdd"], KnowledgeKind.SCRIPT, "售后话术（拼多多）", manager, entries=SCRIPTS,
               acknowledge_by=manager)
        _batch(lanxin, shops["lanxin-tmall"], KnowledgeKind.FAQ, "常见问题", merchant1, entries=FAQS_1)
        if lanxin.stage == Engagement.Stage.HANDOVER:

            engagement_stage_change(engagement=lanxin, to=Engagement.Stage.TRAINING, by=manager,
                                    note="商品与话术已交接，开始客服培训")

    qingshan = _engagement(
        merchant2.merchant, "青山户外 2025 年度客服外包（已上岗）", Engagement.Stage.LIVE,
        [shops["qingshan-jd"], shops["qingshan-taobao"]], manager,
    )
    if not HandoverBatch.objects.filter(engagement=qingshan).exists():
        for code in ("qingshan-jd", "qingshan-taobao"):
            _batch(qingshan, shops[code], KnowledgeKind.PRODUCT, "商品资料", merchant2, products=PRODUCTS[code],
                   acknowledge_by=manager)
            _batch(qingshan, shops[code], KnowledgeKind.FAQ, "常见问题", merchant2, entries=FAQS_2,
                   acknowledge_by=manager)
            _batch(qingshan, shops[code], KnowledgeKind.POLICY, "店铺政策", merchant2, entries=POLICIES,
                   acknowledge_by=manager)
    log(f"clients: knowledge handover for 2 engagements ({HandoverBatch.objects.count()} batches)")
