"""The alerts page groups by shop, filters, and acknowledges in bulk (ticked, one shop's, all filtered)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from compliance.quality.models import QualityAlert
from tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerts(tenants):
    a = ShopFactory(code="al-a", name="甲店", merchant=tenants[0].merchant)
    b = ShopFactory(code="al-b", name="乙店", merchant=tenants[1].merchant)
    made = {}
    for shop in (a, b):
        for day in (3, 4, 5):
            level = "breach" if day != 4 else "warning"
            made[(shop.code, day)] = QualityAlert.objects.create(
                shop=shop, day=date(2026, 11, day), metric="reply_rate", level=level, value=0.4, threshold=0.5
            )
    return a, b, made


def _ids(page) -> set[int]:
    return {a.pk for a in page.context["page"].object_list}


def test_grouped_by_shop_and_filtered(client, manager, alerts):
    a, b, made = alerts
    client.force_login(manager)
    url = reverse("quality:alert-list")
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and html.count('class="card alert-group"') == 2
    assert 'data-shop="al-a"' in html and 'data-shop="al-b"' in html
    assert len(_ids(page)) == 6
    assert _ids(client.get(url, {"shop": a.pk})) == {made[("al-a", d)].pk for d in (3, 4, 5)}
    assert _ids(client.get(url, {"level": "warning"})) == {made[("al-a", 4)].pk, made[("al-b", 4)].pk}
    assert _ids(client.get(url, {"day_from": "2026-11-05"})) == {made[("al-a", 5)].pk, made[("al-b", 5)].pk}
    bad = client.get(url, {"day_from": "2026-13-45", "level": "nonsense", "shop": "x"})
    assert bad.status_code == 200 and 'id="alert-filter-errors"' in bad.content.decode()
    assert len(_ids(bad)) == 6  # bad filters are named and left out
    backwards = client.get(url, {"day_from": "2026-11-05", "day_to": "2026-11-03"})
    assert "截止日期不能早于起始日期" in backwards.content.decode()


def test_bulk_acknowledge_ticked_one_shop_and_filtered(client, manager, alerts):
    a, b, made = alerts
    client.force_login(manager)
    url = reverse("quality:alerts-bulk-ack")
    client.post(url, {"ids": [made[("al-a", 3)].pk, "junk"], "scope": "selected"})
    assert set(QualityAlert.objects.filter(acknowledged_at__isnull=False).values_list("pk", flat=True)) == {
        made[("al-a", 3)].pk
    }
    client.post(url, {"shop_all": b.pk})
    assert QualityAlert.objects.filter(shop=b, acknowledged_at__isnull=True).count() == 0
    response = client.post(url, {"scope": "filtered", "level": "warning", "status": "open", "next": "https://evil.example/"})
    assert response["Location"] == reverse("quality:alert-list")
    assert not QualityAlert.objects.filter(level="warning", acknowledged_at__isnull=True).exists()
    assert QualityAlert.objects.get(pk=made[("al-a", 5)].pk).acknowledged_at is None


def test_agents_and_merchants_cannot_acknowledge(client, tenants, alerts, agent):
    client.force_login(tenants[0].user)
    assert client.post(reverse("quality:alerts-bulk-ack"), {"shop_all": alerts[0].pk}).status_code in (403, 404)
    client.force_login(agent)
    assert client.post(reverse("quality:alerts-bulk-ack"), {"shop_all": alerts[0].pk}).status_code in (403, 404)
    assert not QualityAlert.objects.filter(acknowledged_at__isnull=False).exists()
