"""Factories and helpers for the knowledge-handover tests (kept apart from the sales factories in `tests/clients/factories.py`)."""

from __future__ import annotations

import factory

from clients.models import Engagement, HandoverBatch, KnowledgeEntry, KnowledgeKind
from tests.factories import MerchantFactory


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
    from clients.handover.knowledge import entry_search_text

    return KnowledgeEntry.objects.create(
        batch=batch, kind=batch.kind, title=title, body=body, sku=sku,
        search_text=entry_search_text(title=title, body=body, sku=sku),
    )
