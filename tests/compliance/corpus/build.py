"""Builds the labelled compliance corpus (`<platform>.jsonl` beside this file).

    .venv/bin/python -m tests.compliance.corpus.build

Labels are written here by hand, from the platform rules in domain.md and the seeds, never by running
the scanner: every template states which categories a message breaks on which platform. Hand-written
cases (`cases.yaml`) add the traps and the odd forms; templates multiply the evasion forms with products
and wordings. Every line: {"id", "text", "role", "expect": [categories]}.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
PLATFORMS = ("taobao", "tmall", "pdd", "jd", "douyin")
ALL = set(PLATFORMS)
ALIBABA = {"taobao", "tmall"}

PRODUCTS = ["连衣裙", "运动鞋", "保温杯", "蓝牙耳机", "电饭煲", "面膜", "书包", "羽绒服", "洗发水", "数据线", "四件套", "猫粮"]

# ---------------------------------------------------------------- absolute claims (all platforms)
ABSOLUTE = [
    "最好", "最佳", "最低价", "最便宜", "全网最低", "绝对", "唯一", "第一", "顶级", "国家级", "万能",
    "百分之百", "史无前例", "独一无二", "销量第一", "首选", "最受欢迎", "最火", "无敌", "遥遥领先",
    "最正宗", "最划算", "终极", "世界级", "最先进", "极品",
    # evasion forms: separators, traditional script, full-width, repeats
    "最 好", "最.佳", "第-一", "絕對", "ＮＯ．１", "最最好", "全·网·最低", "頂級", "独一无二！",
]
ABS_TEMPLATES = ["亲，这款{p}是{t}的", "{t}！这个{p}您放心买", "我们家{p}的质量{t}", "这款{p}的价格{t}了"]

# ---------------------------------------------------------------- other platforms
# brand spelling -> platforms on which mentioning it is a violation
_BRANDS = {
    "淘宝": ALL - ALIBABA, "淘寶": ALL - ALIBABA, "taobao": ALL - ALIBABA, "TB": ALL - ALIBABA,
    "淘-宝": ALL - ALIBABA, "某宝": ALL - ALIBABA,
    "天猫": ALL - ALIBABA, "天喵": ALL - ALIBABA, "TMALL": ALL - ALIBABA,
    "支付宝": ALL - ALIBABA, "支付寶": ALL - ALIBABA, "zfb": ALL - ALIBABA, "zhifubao": ALL - ALIBABA,
    "京东": ALL - {"jd"}, "京東": ALL - {"jd"}, "JD": ALL - {"jd"}, "jingdong": ALL - {"jd"}, "京 东": ALL - {"jd"},
    "拼多多": ALL - {"pdd"}, "拼夕夕": ALL - {"pdd"}, "PDD": ALL - {"pdd"},
    "抖音": ALL - {"douyin"}, "douyin": ALL - {"douyin"},
    "微信": ALL, "微.信": ALL, "薇信": ALL, "徽信": ALL, "v信": ALL, "V信": ALL, "VX": ALL, "vx": ALL,
    "Ｖｘ": ALL, "wx": ALL, "weixin": ALL, "wei xin": ALL, "微❤信": ALL, "微 信": ALL,
    "QQ": ALL, "ＱＱ": ALL, "qq": ALL, "扣扣": ALL, "Q Q": ALL,
    "快手": ALL, "小红书": ALL, "小红薯": ALL, "闲鱼": ALL, "唯品会": ALL, "蘑菇街": ALL, "苏宁易购": ALL,
}
BRAND_TEMPLATES = ["您可以去{b}上看看", "{b}上也有卖的", "这个{p}在{b}也能买到", "我们{b}上也有店"]

# ---------------------------------------------------------------- off-platform trade
OFF = {
    "线下交易": ALL, "私下交易": ALL, "转账": ALL, "刷单": ALL, "shua单": ALL, "补单": ALL, "不走平台": ALL,
    "扫码付款": ALL, "面交": ALL, "线下": ALL, "线 下": ALL, "線下交易": ALL, "私下转账": ALL, "加个好友": ALL,
    "运费到付": {"pdd"}, "打电话": {"pdd"},
}
OFF_TEMPLATES = ["亲，可以{t}，价格好商量", "{t}的话这个{p}能便宜点", "我们支持{t}哦"]

# ---------------------------------------------------------------- contact details (all platforms)
def _luhn_complete(prefix: str, length: int, rnd: random.Random) -> str:
    body = prefix + "".join(rnd.choice("0123456789") for _ in range(length - len(prefix) - 1))
    for check in "0123456789":
        number = body + check
        total = 0
        for i, ch in enumerate(reversed(number)):
            d = int(ch)
            if i % 2:
                d = d * 2 - 9 if d * 2 > 9 else d * 2
            total += d
        if total % 10 == 0:
            return number
    raise AssertionError


def _id_number(rnd: random.Random) -> str:
    body = f"{rnd.choice(['110105', '310104', '440305', '330106'])}{rnd.randint(1960, 2005)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}{rnd.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


_CN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
_FW = dict(zip("0123456789", "０１２３４５６７８９", strict=True))


def contact_values(rnd: random.Random) -> list[tuple[str, set[str]]]:
    """(contact text, extra categories besides contact_info) in every written form."""
    out = []
    for _ in range(4):
        m = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        out += [
            (m, set()),
            (f"{m[:3]} {m[3:7]} {m[7:]}", set()),
            (f"{m[:3]}-{m[3:7]}-{m[7:]}", set()),
            ("".join(_FW[c] for c in m), set()),
            ("".join(_CN[c] for c in m), set()),
            (f"+86 {m}", set()),
            (f"0{rnd.choice(['10', '21', '571', '755'])}-{rnd.randint(2000000, 89999999)}", set()),
            (f"QQ号{rnd.randint(10000, 9999999999)}", {"other_platform"}),
            (f"微信号：shop{rnd.randint(1000, 999999)}", {"other_platform"}),
            (f"vx {rnd.choice(['tao', 'kefu', 'mm'])}{rnd.randint(10000, 99999)}", {"other_platform"}),
            (f"kefu{rnd.randint(1, 999)}@163.com", set()),
            (f"https://shop{rnd.randint(1, 99)}.example.com/item?id={rnd.randint(1, 9999)}", set()),
            (f"www.haohuo{rnd.randint(1, 999)}.cn", set()),
            (_luhn_complete("6222", 19, rnd), set()),
            (_luhn_complete("4367", 16, rnd), set()),
            (_id_number(rnd), set()),
        ]
    return out


CONTACT_TEMPLATES = ["有问题直接联系 {c} 就行", "号码是{c}，记一下", "您记一下：{c}"]

# ---------------------------------------------------------------- review inducement (all)
REVIEW = [
    "好评返现", "好评返现5元", "五星好评返红包", "晒图返", "返现", "删差评", "把差评删了", "改好评",
    "好评有礼", "追评返", "好评送小礼物", "好评返現", "好 评 返 现", "删除差评",
]
REVIEW_TEMPLATES = ["亲，{t}哦", "收到{p}满意的话{t}", "{t}，截图发给我"]

# ---------------------------------------------------------------- abuse (all)
ABUSE = [
    "傻逼", "sb", "SB", "ｓｂ", "S B", "傻 逼", "滚", "滾", "脑残", "神经病", "白痴", "穷鬼", "去死", "他妈的",
    "你是猪吗", "爱买不买", "智障", "废物", "闭嘴", "滚蛋",
]
ABUSE_TEMPLATES = ["{t}，不会看详情吗", "你{t}吧", "真是{t}"]

# ---------------------------------------------------------------- forbidden service phrases (all; JD's list)
FORBIDDEN = [
    "你问我我问谁", "你问我，我问谁", "这是规定", "我也没办法", "随便你去投诉", "我不是为你一个人服务的",
    "你自己看吧", "刚才已经说过了", "我也不知道", "你有没有搞错", "不关我们的事", "用不起就别用", "这不是我的错",
]
FORBIDDEN_TEMPLATES = ["{t}。", "亲，{t}", "{t}，{p}就是这样的"]

# ---------------------------------------------------------------- commitment breaches
COMMIT = {
    "我们不开发票": ALL, "这个没有发票": ALL, "发票要加税点": ALL, "不支持七天无理由": ALL, "概不退换": ALL,
    "不能退款": ALL, "拒绝退款": ALL, "这单不包邮": ALL, "不支持7天无理由": ALL, "不給退款": ALL,
    "不支持信用卡": {"taobao", "tmall", "jd"}, "不能分期": {"taobao", "tmall", "jd"},
    "不支持货到付款": {"taobao", "tmall", "jd"},
    "缺货": {"tmall"}, "不能换货": {"jd"},
}
COMMIT_TEMPLATES = ["亲，{t}哦", "这款{p}{t}", "{t}，请谅解"]

# ---------------------------------------------------------------- clean service talk and traps
CLEAN = [
    "亲，您好，请问有什么可以帮您？", "亲亲，这款{p}现在有货的，今天下单明天发货哦",
    "这款{p}的尺码偏小，建议您拍大一码", "好的亲，已经给您备注了", "亲，支持七天无理由退换货的",
    "最近活动订单比较多，发货会晚一天", "第一次购买可以领店铺新人券哦", "我们会在第一时间帮您处理",
    "唯一的办法是先申请退款再重新拍", "这是绝对值误差，不影响使用", "这款是全网通版本", "在线下单后仓库自动发货",
    "可以选择货到付款的", "北京东路的仓库今天已经发出", "这个摆件是淘宝贝壳做的", "QQ糖口味的{p}很受欢迎",
    "USB接口可以直接充电", "滚筒洗衣机也能用这款洗衣液", "傻瓜相机款式很简单", "我为新客户准备了优惠券",
    "西安下午就能到货", "亲，发票可以开的，下单备注抬头", "麻烦提供一下订单号，我帮您查询物流",
    "您的快递单号是SF1234567890，请注意查收", "订单号 2611011234567890123 已经发货", "价格是99元，包邮",
    "手机号后四位是5678的那个订单对吗", "收件号码是138****5678吗", "2026-11-01 下午三点前下单当天发",
    "谢谢亲的支持，祝您生活愉快", "微笑服务，有问题随时找我", "我觉得这款{p}更适合您", "这个设备需要先充电",
    "这款{p}很好用，好评很多", "满意的话麻烦给个五星好评，谢谢", "我们的{p}质量很好", "非常抱歉给您带来不便",
    "已经帮您申请补发，请耐心等待", "亲，商品收到后有问题可以申请售后", "这款{p}的材质是纯棉的",
    "优惠券在店铺首页领取", "好的，我这边马上帮您核实", "亲，规格选好后直接拍下就行", "我们晚上十一点下班",
    "为了感谢您的支持，特意给您申请了优惠", "仓库地址在订单详情里可以看到", "这款{p}有三个颜色可选",
    "今天下单的话预计周五送到", "亲，尺码表在详情页第二张图", "明白，我们会尽快安排",
]

BUYER = [
    ("我的手机号是{m}，快递联系我", {"contact_info"}),
    ("你们淘宝上也有店吗", set()),
    ("加我微信吧", set()),
    ("你们是不是傻，这么慢", set()),
    ("好评返现吗", set()),
    ("什么时候发货啊", set()),
    ("能便宜点吗", set()),
    ("我的邮箱是buyer{n}@qq.com", {"contact_info"}),
]


def build() -> dict[str, list[dict]]:
    rnd = random.Random(20261122)
    rows: list[tuple[str, str, dict[str, set[str]]]] = []  # (text, role, platform -> categories)

    def add(text: str, expect_on: dict[str, set[str]], role: str = "agent") -> None:
        rows.append((text, role, expect_on))

    def everywhere(cats: set[str], only: set[str] = ALL, base: set[str] | None = None) -> dict[str, set[str]]:
        return {p: (set(cats) if p in only else set()) | set(base or ()) for p in PLATFORMS}

    for i, term in enumerate(ABSOLUTE):
        for j, tpl in enumerate(ABS_TEMPLATES):
            add(tpl.format(p=PRODUCTS[(i + j) % len(PRODUCTS)], t=term), everywhere({"absolute_claim"}))
    for i, (brand, where) in enumerate(_BRANDS.items()):
        for j, tpl in enumerate(BRAND_TEMPLATES[: 2 + (i % 3)]):
            add(tpl.format(b=brand, p=PRODUCTS[(i + j) % len(PRODUCTS)]), everywhere({"other_platform"}, where))
    for i, (term, where) in enumerate(OFF.items()):
        for j, tpl in enumerate(OFF_TEMPLATES):
            add(tpl.format(t=term, p=PRODUCTS[(i + j) % len(PRODUCTS)]), everywhere({"off_platform_trade"}, where))
    for i, (value, extra) in enumerate(contact_values(rnd)):
        tpl = CONTACT_TEMPLATES[i % len(CONTACT_TEMPLATES)]
        add(tpl.format(c=value), everywhere({"contact_info"} | extra))
    for i, term in enumerate(REVIEW):
        for j, tpl in enumerate(REVIEW_TEMPLATES):
            add(tpl.format(t=term, p=PRODUCTS[(i + j) % len(PRODUCTS)]), everywhere({"review_inducement"}))
    for term in ABUSE:
        for tpl in ABUSE_TEMPLATES:
            add(tpl.format(t=term), everywhere({"abuse"}))
    for i, term in enumerate(FORBIDDEN):
        for j, tpl in enumerate(FORBIDDEN_TEMPLATES):
            add(tpl.format(t=term, p=PRODUCTS[(i + j) % len(PRODUCTS)]), everywhere({"forbidden_phrase"}))
    for i, (term, where) in enumerate(COMMIT.items()):
        for j, tpl in enumerate(COMMIT_TEMPLATES):
            add(tpl.format(t=term, p=PRODUCTS[(i + j) % len(PRODUCTS)]), everywhere({"commitment_breach"}, where))
    for i, text in enumerate(CLEAN):
        for j in range(3):
            add(text.format(p=PRODUCTS[(i + j) % len(PRODUCTS)]), everywhere(set()))
    for text, cats in BUYER:
        for _ in range(3):
            m = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
            add(text.format(m=m, n=rnd.randint(1, 999)), everywhere(cats), role="buyer")
    # several violations in one message
    add("这款是全网最低价，加我微信shop8888，好评返现", everywhere({"absolute_claim", "other_platform", "contact_info", "review_inducement"}))
    add("爱买不买，这是规定", everywhere({"abuse", "forbidden_phrase"}))

    cases = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
    for case in cases:
        expect = case.get("expect", [])
        per = {p: set(expect) for p in PLATFORMS}
        for p, cats in (case.get("per") or {}).items():
            per[p] = set(cats)
        add(case["text"], per, role=case.get("role", "agent"))

    out: dict[str, list[dict]] = {p: [] for p in PLATFORMS}
    for n, (text, role, expect_on) in enumerate(rows, start=1):
        for p in PLATFORMS:
            out[p].append({"id": f"{p}-{n:04d}", "text": text, "role": role, "expect": sorted(expect_on[p])})
    return out


def main() -> None:
    for platform, rows in build().items():
        path = HERE / f"{platform}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{path.name}: {len(rows)} messages")


if __name__ == "__main__":
    main()
