"""Factories of the `clients` app (the core ones, merchants, shops and users, are in `tests/factories.py`).

The commercial lifecycle (consultations ready to quote, price books, a quote carried to any point of its
life) goes through the services, so each object is one a user could have made; the knowledge handover has
model factories and helpers for product files and entries."""

from __future__ import annotations

from datetime import date, time, timedelta

import factory
from django.utils import timezone

from clients.engagements import services as engagement_services
from clients.engagements.models import Engagement
from clients.handover.knowledge import entry_search_text
from clients.handover.models import HandoverBatch, KnowledgeEntry, KnowledgeKind
from clients.sales import services
from clients.sales.models import PriceBook
from clients.sales.price_defaults import price_book_create_standard
from tests.factories import MerchantFactory


def price_book(*, valid_from: date | None = None, valid_until: date | None = None, name: str = "标准价格表"):
    today = timezone.localdate()
    return price_book_create_standard(
        name=name, valid_from=valid_from or today - timedelta(days=30),
        valid_until=valid_until or today + timedelta(days=365),
    )


def consultation(*, merchant, shops, by, daily_volume: int = 1500, **details) -> Engagement:
    details.setdefault("next_step", "电话沟通需求")
    details.setdefault("next_step_due", timezone.localdate() + timedelta(days=2))
    details.setdefault("peak_hours", "10:00-12:00, 20:00-22:00")
    details.setdefault("service_start", time(8, 0))
    details.setdefault("service_end", time(23, 0))
    return engagement_services.engagement_create(merchant=merchant, title=f"{merchant.name} 客服外包", by=by, shops=shops,
                                      daily_volume=daily_volume, **details)


def sent_quote(*, tenant, manager, book: PriceBook | None = None, **terms):
    book = book or PriceBook.objects.first() or price_book()
    engagement = consultation(merchant=tenant.merchant, shops=[tenant.shop], by=manager)
    quote = services.quote_create(engagement=engagement, by=manager, price_book=book, **terms)
    return services.quote_send(quote=quote, revision=1, by=manager)


def sent_contract(*, tenant, manager):
    quote = sent_quote(tenant=tenant, manager=manager)
    services.quote_accept(quote=quote, revision=1, by=tenant.user)
    contract = services.contract_create(quote=quote, by=manager, start_date=timezone.localdate())
    return services.contract_send(contract=contract, by=manager)


# ---------------------------------------------------------------- knowledge handover


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement
        skip_postgeneration_save = True

    merchant = factory.SubFactory(MerchantFactory)
    title = factory.Sequence(lambda n: f"合作项目{n}")
    stage = Engagement.Stage.HANDOVER

    @factory.post_generation
    def shops(self, create, extracted, **kwargs):
        if create and extracted:
            self.shops.add(*extracted)


class HandoverBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HandoverBatch

    engagement = factory.SubFactory(EngagementFactory)
    shop = factory.SubFactory("tests.factories.ShopFactory", merchant=factory.SelfAttribute("..engagement.merchant"))
    kind = KnowledgeKind.PRODUCT
    title = factory.Sequence(lambda n: f"批次{n}")


def product_csv(rows: list[tuple], header: str = "sku,name,price,spec,after_sale") -> bytes:
    lines = [header] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def add_entry(batch: HandoverBatch, title: str, body: str = "", sku: str = "") -> KnowledgeEntry:
    return KnowledgeEntry.objects.create(
        batch=batch, kind=batch.kind, title=title, body=body, sku=sku,
        search_text=entry_search_text(title=title, body=body, sku=sku),
    )
