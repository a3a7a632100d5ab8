"""Demo orders for every demo shop: the platforms' order exports of the last month, made from the demo
sessions, so conversion, silent orders, refunds and payment reminders all have real figures.

Per shop a share of the buyers the agents talked to (10–40% by shop) order within a day of the last agent
message; some of them only pay after an agent's reminder (催付); a few are refunded in part or in full, some
never pay; silent buyers order without any chat. Generated from a fixed seed and imported through the order
import (ids are stable), so running it again changes nothing; then the stored attribution is refreshed.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from django.db.models import Max, Min

from clients.models import Shop
from compliance.quality.sales.models import Order
from compliance.quality.sales.services.attribution import sales_refresh
from compliance.quality.sales.services.importing import orders_import_file
from compliance.sessions.models import ChatMessage, Sender

ORDER = 60  # after the sessions (40), metrics (50) and QA (55) demos
CONVERSION = {"tmall": 0.35, "pdd": 0.28, "douyin": 0.18, "jd": 0.3, "taobao": 0.22}
PRICES = {"lanxin": (89, 3999), "qingshan": (59, 1599)}
HEADER = "order_id,buyer,created_at,paid_at,amount,refund_amount\n"


def _amount(rng: random.Random, low: int, high: int) -> Decimal:
    return (Decimal(rng.randint(low * 100, high * 100)) / 100).quantize(Decimal("0.01"))


def _orders_for(shop: Shop, rng: random.Random) -> str:
    low, high = PRICES["lanxin" if "lanxin" in shop.merchant.code else "qingshan"]
    rate = CONVERSION.get(shop.platform, 0.25)
    spans = (ChatMessage.objects.filter(shop=shop, sender=Sender.AGENT).values("session__buyer")
             .annotate(first=Min("sent_at"), last=Max("sent_at")).order_by("session__buyer"))
    lines = [HEADER]
    n = 0
    for span in spans:
        if rng.random() >= rate:
            continue
        n += 1
        amount = _amount(rng, low, high)
        if rng.random() < 0.25 and span["last"] > span["first"]:
            # Ordered mid-chat, paid only after the agent's later message (a reminder that worked).
            created = span["first"] + (span["last"] - span["first"]) / 2
            paid = span["last"] + timedelta(minutes=rng.randint(2, 90))
        else:
            created = span["last"] + timedelta(minutes=rng.randint(3, 20 * 60))
            paid = created + timedelta(minutes=rng.randint(1, 30)) if rng.random() < 0.85 else None
        refund = Decimal("0.00")
        if paid is not None and rng.random() < 0.08:
            refund = amount if rng.random() < 0.5 else (amount * Decimal("0.3")).quantize(Decimal("0.01"))
        lines.append(f"{shop.code}-o{n:04d},{span['session__buyer']},{created.isoformat()},"
                     f"{paid.isoformat() if paid else ''},{amount},{refund}\n")
        if rng.random() < 0.3:  # the same buyer comes back a few days later without asking anything
            n += 1
            again = created + timedelta(days=rng.randint(2, 5))
            lines.append(f"{shop.code}-o{n:04d},{span['session__buyer']},{again.isoformat()},"
                         f"{(again + timedelta(minutes=3)).isoformat()},{_amount(rng, low, high)},0.00\n")
    first = ChatMessage.objects.filter(shop=shop).aggregate(t=Min("sent_at"))["t"]
    if first is not None:
        for i in range(max(3, n // 3)):  # silent buyers: no chat at all
            created = first + timedelta(hours=rng.randint(1, 28 * 24))
            lines.append(f"{shop.code}-s{i + 1:04d},silent-{shop.code}-{i},{created.isoformat()},"
                         f"{(created + timedelta(minutes=5)).isoformat()},{_amount(rng, low, high)},0.00\n")
    return "".join(lines) if len(lines) > 1 else ""


def load(*, password: str, log: Callable[[str], None]) -> None:
    rng = random.Random(20261111)
    imported = 0
    for shop in Shop.objects.select_related("merchant").order_by("code"):
        if Order.objects.filter(shop=shop).exists():
            continue
        data = _orders_for(shop, rng)
        if data:
            imported += orders_import_file(shop=shop, data=data.encode(), fmt="csv", refresh=False).orders_created
    result = sales_refresh()
    log(f"quality: {imported} demo orders, {result.orders_attributed} attributed, "
        f"{result.days_recomputed} shop-days of sales figures")
