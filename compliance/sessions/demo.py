"""Demo chat sessions: a month of realistic conversations for every demo shop, imported and scanned.

Buyers ask about products, logistics, returns and invoices (the seed-004 scripts); agents answer with
realistic delays (mostly within a minute or two, some slow, some buyers writing outside 8–23h and
answered the next morning); a few replies break platform rules (banned words, contact details,
cash-for-review, abuse, JD's banned phrases, 缺货 on Tmall). Everything is generated from a fixed seed
and goes through the import service (message ids are stable), so running it again adds nothing.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime, time, timedelta

from django.utils import timezone

from agency.models import Role, User
from clients.models import Shop
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.scanning import shops_scan
from compliance.sessions.sessionfile import SHANGHAI

ORDER = 40  # after the rule library's demo (`compliance.rules.demo`, ORDER 35): the scan below needs it
DAYS = 30
SESSIONS_PER_DAY = 12

PRODUCTS = {
    "lanxin": ["布艺沙发", "乳胶床垫", "实木餐桌", "四件套", "记忆棉枕头", "收纳柜"],
    "qingshan": ["冲锋衣", "登山鞋", "双人帐篷", "睡袋", "登山杖", "速干T恤"],
}

# (buyer lines, agent replies); {p} is a product. Compliant wording from the scripts.
SCENARIOS = [
    (["在吗？{p}还有货吗", "大概什么时候能发货"],
     ["亲，在的，{p}有现货哦", "今天16点前下单当天发出，一般2-3天送达"]),
    (["我的快递三天没更新了", "是不是丢件了"],
     ["亲亲别着急，我这边马上帮您联系快递核实情况", "如果确认物流异常，我们给您补寄或者退款都可以，今天下班前给您答复"]),
    (["物流显示已签收，但是我没收到", "家里一直有人的"],
     ["非常抱歉给您带来不便，麻烦您先看看门卫、快递柜或者邻居有没有代收", "我们同时联系快递员核实，如果确认丢件，给您补发或退款"]),
    (["{p}尺寸不合适，可以换吗", "需要我出运费吗"],
     ["亲，支持7天无理由退换的，您在订单里申请换货就可以", "质量问题运费由我们承担，非质量问题来回运费需要您承担哦"]),
    (["能开发票吗？要公司抬头的", "电子发票也行"],
     ["可以的亲，您在订单里填写抬头和税号，我们发货后开具电子发票", "一般1-3个工作日发到您的邮箱"]),
    (["{p}有没有优惠", "买两件能便宜点吗"],
     ["亲，现在店铺有满减活动，满300减30", "您也可以领取店铺优惠券一起使用"]),
    (["收到的{p}有点瑕疵", "给差评了，你们看着办"],
     ["非常抱歉没能让您满意，我们给您申请补偿或者退货退款，您看哪种更方便", "为了感谢您的支持，特意给您申请了优惠"]),
    (["{p}怎么清洗", "会不会掉色"],
     ["亲，建议冷水手洗，不要暴晒", "首次清洗可能有少量浮色，属于正常现象"]),
]

# Replies that break rules, per platform ("*" = any). Each is what an agent might really type.
VIOLATIONS = {
    "*": [
        "亲，这款是我们家卖得最好的，全网最低价",
        "给个好评返现5元哦，截图发给客服就行",
        "你是不是傻，说了多少遍了",
        "方便的话留个电话 13912345678 我们直接联系您",
        "转账给我这边更快，我帮您处理",
    ],
    "pdd": ["亲，加我微信 wx123456 给您发实拍图", "这个宝贝质量很好的", "您可以去淘宝搜同款看看"],
    "douyin": ["加个V信吧，私下给您便宜点", "我们淘宝店也有这个"],
    "tmall": ["亲，这个颜色缺货了", "不好意思这款不支持开发票"],
    "taobao": ["加我QQ 12345678 发您图片", "这款不支持7天无理由退货"],
    "jd": ["这是规定，我也没办法", "刚才已经说过了，怎么还问", "你问我，我问谁？"],
}

BOT_GREETING = "您好，欢迎光临{shop}，人工客服马上为您服务～"


def _agents_for(shop: Shop, agents: list[User], index: int) -> list[User]:
    if not agents:
        return []
    start = (index * 3) % len(agents)
    return [agents[(start + k) % len(agents)] for k in range(3)]


def _session_lines(shop: Shop, shop_index: int, agents: list[User], today) -> list[str]:
    products = PRODUCTS["qingshan" if shop.code.startswith("qingshan") else "lanxin"]
    bad = VIOLATIONS["*"] + VIOLATIONS.get(shop.platform, [])
    team = _agents_for(shop, agents, shop_index)
    lines = []
    for day_offset in range(DAYS, 0, -1):
        day = today - timedelta(days=day_offset)
        rng = random.Random(f"demo-sessions-{shop.code}-{day}")  # stable per day, whenever it runs
        for n in range(SESSIONS_PER_DAY + rng.randint(-3, 3)):
            hour = rng.choices(range(24), weights=[1, 1, 0, 0, 0, 0, 1, 2, 5, 7, 8, 8, 7, 6, 7, 8, 8, 7, 6, 8, 9, 8, 5, 3])[0]
            at = datetime.combine(day, time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=SHANGHAI)
            buyer_lines, replies = rng.choice(SCENARIOS)
            product = rng.choice(products)
            agent = rng.choice(team) if team else None
            sid = f"demo-{day:%m%d}-{n:02d}"
            messages: list[dict[str, str | None]] = []

            def add(sender: str, text: str, moment: datetime, who: User | None = None,
                    _out: list[dict[str, str | None]] = messages, _sid: str = sid, _product: str = product) -> None:
                _out.append({
                    "id": f"{_sid}-{len(_out) + 1}", "sender": sender,
                    "agent": (who.code if who is not None else ""), "sent_at": moment.isoformat(),
                    "text": text.format(p=_product, shop=shop.name),
                })

            outside_hours = hour < 8 or hour >= 23
            add("buyer", buyer_lines[0], at)
            add("bot", BOT_GREETING, at + timedelta(seconds=2))
            if rng.random() < 0.1:
                add("buyer", "我的手机号是13800138000，有事打我电话", at + timedelta(seconds=20))
            if outside_hours:
                reply_at = datetime.combine(day + timedelta(days=1 if hour >= 23 else 0), time(8, rng.randint(0, 40)), tzinfo=SHANGHAI)
            else:
                slow = rng.random() < 0.12
                reply_at = at + timedelta(seconds=rng.randint(200, 1500) if slow else rng.randint(8, 150))
            add("agent", replies[0], reply_at, agent)
            follow = reply_at + timedelta(seconds=rng.randint(20, 240))
            add("buyer", buyer_lines[1], follow)
            answer_at = follow + timedelta(seconds=rng.randint(10, 120) if rng.random() > 0.08 else rng.randint(320, 900))
            text = rng.choice(bad) if rng.random() < 0.09 else replies[1]
            add("agent", text, answer_at, agent)
            if rng.random() < 0.6:
                add("buyer", rng.choice(["好的谢谢", "行吧", "明白了", "好的，辛苦了"]), answer_at + timedelta(seconds=rng.randint(15, 90)))
                if rng.random() < 0.5:
                    add("agent", "不客气，祝您生活愉快～", answer_at + timedelta(seconds=rng.randint(100, 160)), agent)
            lines.append(json.dumps({"session_id": sid, "buyer": f"buyer-{rng.randint(10000, 99999)}",
                                     "messages": messages}, ensure_ascii=False))
    return lines


def load(*, password: str, log: Callable[[str], None]) -> None:
    agents = list(User.objects.filter(role=Role.AGENT, code__isnull=False).order_by("code"))
    today = timezone.localdate()
    shops = list(Shop.objects.order_by("code"))
    created = 0
    for index, shop in enumerate(shops):
        lines = _session_lines(shop, index, agents, today)
        if not lines:
            continue
        result = sessions_import_file(shop=shop, data="\n".join(lines).encode(), fmt="jsonl", scan=False)
        created += result.messages_created
    summary = shops_scan(shops=shops)
    log(f"compliance: {created} new demo messages in {len(shops)} shops; scanned {summary['messages']}, {summary['hits']} hits")
