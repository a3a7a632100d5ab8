"""Demo merchants, shops and merchant users. Sales (`clients/sales/demo.py`) and the knowledge handover
(`clients/handover/demo.py`) follow, by their `ORDER`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from agency.demo import ensure_user
from agency.models import Role
from clients.merchants.models import Merchant, Shop

ORDER = 20


class MerchantSpec(TypedDict):
    code: str
    name: str
    contact_name: str
    user: str
    shops: list[tuple[str, str, str]]  # (code, name, platform)


MERCHANTS: list[MerchantSpec] = [
    {
        "code": "m-lanxin", "name": "杭州蓝心家居旗舰", "contact_name": "林女士", "user": "merchant1",
        "shops": [
            ("lanxin-tmall", "蓝心家居天猫旗舰店", "tmall"),
            ("lanxin-pdd", "蓝心家居拼多多店", "pdd"),
            ("lanxin-douyin", "蓝心家居抖音小店", "douyin"),
        ],
    },
    {
        "code": "m-qingshan", "name": "青山户外用品", "contact_name": "马先生", "user": "merchant2",
        "shops": [
            ("qingshan-jd", "青山户外京东自营店", "jd"),
            ("qingshan-taobao", "青山户外淘宝店", "taobao"),
        ],
    },
]


def load(*, password: str, log: Callable[[str], None]) -> None:
    for spec in MERCHANTS:
        merchant, _ = Merchant.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "contact_name": spec["contact_name"]}
        )
        for code, name, platform in spec["shops"]:
            Shop.objects.get_or_create(code=code, defaults={"merchant": merchant, "name": name, "platform": platform})
        ensure_user(
            username=spec["user"], password=password, role=Role.MERCHANT,
            display_name=spec["contact_name"], merchant=merchant,
        )
    log(f"clients: {len(MERCHANTS)} merchants with {sum(len(m['shops']) for m in MERCHANTS)} shops")
