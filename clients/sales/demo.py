"""Demo sales: price books and engagements at several stages. Runs after the merchants (`clients/merchants/demo.py`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time, timedelta
from decimal import Decimal

from django.utils import timezone

from agency.models import User
from clients.engagements import services as engagement_services
from clients.engagements.models import Engagement
from clients.merchants.models import Merchant
from clients.sales import services
from clients.sales.models import Contract, PriceBook
from clients.sales.price_defaults import price_book_create_standard

ORDER = 21


def load(*, password: str, log: Callable[[str], None]) -> None:
    """A price book (and last year's, expired), and engagements at several stages, made through the
    services so every record is one a manager could have made: merchant1 has a signed, active contract
    (with a Double-12 amendment), a consultation in progress and a lost lead; merchant2 has a quote
    waiting for their answer."""
    today = timezone.localdate()
    if not PriceBook.objects.filter(name="2025 标准价格表").exists():
        price_book_create_standard(name="2025 标准价格表", valid_from=today - timedelta(days=500),
                                   valid_until=today - timedelta(days=60))
    book = PriceBook.objects.filter(name="标准价格表").first() or price_book_create_standard(
        name="标准价格表", valid_from=today - timedelta(days=59), valid_until=today + timedelta(days=400)
    )
    manager = User.objects.get(username="manager")
    m1, m2 = Merchant.objects.get(code="m-lanxin"), Merchant.objects.get(code="m-qingshan")
    u1 = User.objects.get(username="merchant1")
    year = today.year
    peaks = [{"name": "双11", "start": f"{year}-11-01", "end": f"{year}-11-12", "multiplier": 3},
             {"name": "双12", "start": f"{year}-12-08", "end": f"{year}-12-12", "multiplier": 2}]

    title = "蓝心家居 全店客服外包"
    if not Engagement.objects.filter(title=title).exists():
        engagement = engagement_services.engagement_create(
            merchant=m1, title=title, by=manager, shops=list(m1.shops.all()), daily_volume=2200,
            peak_hours="10:00-12:00, 20:00-22:00", presale_share=60, languages="zh", seasonal_peaks=peaks,
            next_step="准备商品资料交接", next_step_due=today + timedelta(days=3),
        )
        engagement_services.engagement_note_add(engagement=engagement, by=manager, text="林女士来电：三个店铺合并外包，重视天猫首响。")
        quote = services.quote_create(engagement=engagement, by=manager, price_book=book, addon_codes=["qa-report"])
        services.quote_revise(quote=quote, base_revision=1, by=manager, note="按商家要求加入双11、双12临时席位说明")
        services.quote_send(quote=quote, revision=2, by=manager)
        services.quote_accept(quote=quote, revision=2, by=u1, note="同意第2版")
        contract = services.contract_create(quote=quote, by=manager, start_date=today - timedelta(days=45),
                                            sla_reply_rate=Decimal("0.95"), sla_qa_score=Decimal(90))
        contract = services.contract_send(contract=contract, by=manager)
        services.contract_sign(contract=contract, by=manager, signer_name="周经理", document_sha256=contract.pdf_sha256)
        services.contract_sign(contract=contract, by=u1, signer_name="林女士", document_sha256=contract.pdf_sha256)
        contract = Contract.objects.get(pk=contract.pk)
        promo_year = year if date(year, 12, 8) >= contract.start_date else year + 1
        services.contract_amend(
            contract=contract, by=manager, description="双12大促期间临时增加售前席位", extra_seats=4,
            effective_from=date(promo_year, 12, 8), effective_until=date(promo_year, 12, 12),
            price_change=Decimal("3600.00"),
        )

    title = "蓝心家居 抖音小店 夜间客服"
    if not Engagement.objects.filter(title=title).exists():
        engagement_services.engagement_create(
            merchant=m1, title=title, by=manager, shops=list(m1.shops.filter(platform="douyin")), daily_volume=500,
            service_start=time(8, 0), service_end=time(2, 0), presale_share=80, languages="zh",
            next_step="确认夜间咨询量数据", next_step_due=today - timedelta(days=1),
        )

    title = "青山户外 京东+淘宝 客服外包"
    if not Engagement.objects.filter(title=title).exists():
        engagement = engagement_services.engagement_create(
            merchant=m2, title=title, by=manager, shops=list(m2.shops.all()), daily_volume=900,
            peak_hours="20:00-23:00", peak_hour_share=Decimal("0.15"), presale_share=50, languages="zh,en",
            seasonal_peaks=peaks[:1], next_step="等待商家答复报价", next_step_due=today + timedelta(days=5),
        )
        quote = services.quote_create(engagement=engagement, by=manager, price_book=book)
        services.quote_send(quote=quote, revision=1, by=manager)

    title = "青山户外 拼多多新店咨询"
    if not Engagement.objects.filter(title=title).exists():
        engagement = engagement_services.engagement_create(
            merchant=m2, title=title, by=manager, daily_volume=300,
            next_step="回访", next_step_due=today - timedelta(days=10),
        )
        engagement_services.engagement_stage_change(engagement=engagement, to=Engagement.Stage.LOST, by=manager,
                                         note="商家决定暂不开店")
    log(f"clients: {Engagement.objects.count()} engagements, price book {book.name}")
