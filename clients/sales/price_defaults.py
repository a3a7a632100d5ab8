"""The agency's standard price list, as data: used by the demo and as a starting point for a new book."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from clients.sales.models import PriceAddOn, PriceBook, PricingAlternative, SeatRate

BASE_RATES = {  # monthly CNY per seat
    ("presale", "day"): 4200, ("presale", "evening"): 4400, ("presale", "night"): 4200,
    ("aftersale", "day"): 3800, ("aftersale", "evening"): 4000, ("aftersale", "night"): 3800,
}
PLATFORM_ADJUSTMENT = {"taobao": 0, "tmall": 300, "pdd": -200, "jd": 200, "douyin": 0}
ADDONS = [
    ("qa-report", "月度质检与数据报告", "month", 1500, ""),
    ("lang-en", "英语客服", "seat_month", 800, "en"),
    ("lang-ja", "日语客服", "seat_month", 1200, "ja"),
]
ALTERNATIVES = [("commission", Decimal("0.03"), 8000), ("per_consultation", Decimal("0.80"), 6000)]


@transaction.atomic
def price_book_create_standard(*, name: str, valid_from: date, valid_until: date) -> PriceBook:
    """A price book with the standard rates for every platform, add-ons and alternatives."""
    book = PriceBook.objects.create(name=name, valid_from=valid_from, valid_until=valid_until)
    SeatRate.objects.bulk_create([
        SeatRate(price_book=book, service_type=service, shift=shift, platform=platform,
                 monthly_rate=Decimal(rate + adjustment))
        for (service, shift), rate in BASE_RATES.items()
        for platform, adjustment in PLATFORM_ADJUSTMENT.items()
    ])
    PriceAddOn.objects.bulk_create([
        PriceAddOn(price_book=book, code=code, name=label, unit=unit, price=Decimal(price), language=language)
        for code, label, unit, price, language in ADDONS
    ])
    PricingAlternative.objects.bulk_create([
        PricingAlternative(price_book=book, kind=kind, rate=rate, minimum_monthly=Decimal(minimum))
        for kind, rate, minimum in ALTERNATIVES
    ])
    return book
