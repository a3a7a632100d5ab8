"""Sales pages and API: each role sees its own (merchant: their shops; agent: their figures), another merchant's
shop or order is a 404 everywhere, and pages keep a constant number of queries as the data grows."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.quality.sales.models import Order
from compliance.quality.sales.services.attribution import sales_refresh
from compliance.quality.sales.services.importing import orders_import_file
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.sessionfile import SHANGHAI
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

HEADER = "order_id,buyer,created_at,paid_at,amount,refund_amount\n"


def fill(shop, n: int, prefix: str = "") -> None:
    """n buyers each talked to by a01 or a02 on 20 Nov and ordering an hour later (every third silent)."""
    sessions, orders = [], [HEADER]
    for i in range(n):
        agent = "a01" if i % 2 else "a02"
        if i % 3:
            sessions.append({"session_id": f"{prefix}s{i}", "buyer": f"{prefix}b{i}", "messages": [
                {"id": f"{prefix}m{i}", "sender": "agent", "agent": agent, "sent_at": "2026-11-20T10:00:00+08:00",
                 "text": "亲"}]})
        orders.append(f"{prefix}o{i},{prefix}b{i},2026-11-20T11:00:00+08:00,2026-11-20T11:01:00+08:00,{10 + i}.00,\n")
    if sessions:
        sessions_import_file(shop=shop, data="\n".join(json.dumps(s) for s in sessions).encode(), fmt="jsonl",
                             scan=False)
    orders_import_file(shop=shop, data="".join(orders).encode(), fmt="csv", refresh=False)
    sales_refresh()


@pytest.fixture
def data(tenants, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    t1, t2 = tenants
    a01 = AgentFactory(code="a01", username="agent-a01")
    AgentFactory(code="a02", username="agent-a02")
    fill(t1.shop, 6)
    fill(t2.shop, 3, prefix="x")
    return t1, t2, a01


def test_merchant_sees_own_sales_and_other_merchants_are_404(data, client, api_client_for):
    t1, t2, _a01 = data
    client.force_login(t1.user)
    page = client.get(reverse("quality:sales-shop", args=[t1.shop.code]) + "?month=2026-11")
    assert page.status_code == 200
    body = page.content.decode()
    # b1, b2, b4, b5 inquired and converted (b0 and b3 ordered silently): 100%, sales 11+12+14+15 = 52.00
    assert 'data-kpi="conversion">100.0%' in body and 'data-kpi="sales">52.00' in body
    assert 'data-kpi="silent">23.00' in body  # o0 (10.00) and o3 (13.00)
    assert client.get(reverse("quality:sales-shop", args=[t2.shop.code])).status_code == 404
    other = Order.objects.filter(shop=t2.shop).first()
    assert client.get(reverse("quality:order-detail", args=[other.pk])).status_code == 404
    listing = client.get(reverse("quality:order-list") + f"?shop={t2.shop.code}").content.decode()
    assert other.external_id not in listing
    overview = client.get(reverse("quality:sales-overview") + "?month=2026-11").content.decode()
    assert t2.shop.name not in overview
    own = Order.objects.get(shop=t1.shop, external_id="o1")
    detail = client.get(reverse("quality:order-detail", args=[own.pk])).content.decode()
    assert "b1" not in detail.replace("b1\"", "")  # the buyer is masked
    assert reverse("compliance:session-detail", args=[own.attributed_message.session_id]) in detail
    api = api_client_for(t1.user)
    assert api.get(f"/api/orders/{other.pk}/").status_code == 404
    assert {o["order_id"] for o in api.get("/api/orders/").json()["results"]} == {f"o{i}" for i in range(6)}
    assert all(o["buyer"] != "b1" for o in api.get("/api/orders/").json()["results"])
    assert {d["shop"] for d in api.get("/api/sales/days/").json()["results"]} == {t1.shop.code}
    upload = SimpleUploadedFile("o.csv", (HEADER + "z1,b,2026-11-20T11:00:00,,1,\n").encode())
    refused = api.post("/api/orders/import/", {"file": upload, "shop": t2.shop.code}, format="multipart")
    assert refused.status_code == 400 and not Order.objects.filter(external_id="z1").exists()


def test_import_api_names_bad_rows_and_writes_nothing(data, api_client_for):
    t1, _t2, _a01 = data
    api = api_client_for(t1.user)
    bad = (HEADER + "n1,b,2026-11-20T11:00:00,2026-11-20T10:00:00,1,\n" + "n2,b,2026-11-20T11:00:00,,-5,\n").encode()
    answer = api.post("/api/orders/import/", {"file": SimpleUploadedFile("o.csv", bad), "shop": t1.shop.code},
                      format="multipart")
    assert answer.status_code == 400
    assert [(e["line"], e["field"]) for e in answer.json()["errors"]] == [(2, "paid_at"), (3, "amount")]
    assert not Order.objects.filter(external_id__in=["n1", "n2"]).exists()
    good = (HEADER + "n1,b,2026-11-20T11:00:00,2026-11-20T12:00:00,1,\n").encode()
    answer = api.post("/api/orders/import/", {"file": SimpleUploadedFile("o.csv", good), "shop": t1.shop.code},
                      format="multipart")
    assert answer.status_code == 200 and answer.json()["orders_created"] == 1


def test_agent_sees_only_their_own_figures_and_orders(data, client):
    t1, _t2, a01 = data
    client.force_login(a01)
    body = client.get(reverse("quality:sales-overview") + "?month=2026-11").content.decode()
    assert "a01" in body and "a02" not in body
    orders = client.get(reverse("quality:order-list")).content.decode()
    assert "o1<" in orders and "o2<" not in orders  # o2 was a02's
    mine = Order.objects.get(shop=t1.shop, external_id="o1")
    theirs = Order.objects.get(shop=t1.shop, external_id="o2")
    assert client.get(reverse("quality:order-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("quality:order-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("quality:sales-shop", args=[t1.shop.code])).status_code == 403


@pytest.mark.parametrize("name", ["quality:sales-overview", "quality:order-list", "quality:sales-shop"])
def test_pages_keep_a_constant_number_of_queries(tenants, manager, client, time_machine, name):
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    t1, _t2 = tenants
    AgentFactory(code="a01")
    AgentFactory(code="a02")
    client.force_login(manager)
    url = reverse(name, args=[t1.shop.code]) if name == "quality:sales-shop" else reverse(name)
    url += "?month=2026-11"
    counts = []
    for size, prefix in ((4, "p"), (40, "q")):
        fill(t1.shop, size, prefix=prefix)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


@pytest.mark.skipif(not __import__("shutil").which("pdftotext"), reason="poppler-utils missing")
def test_monthly_report_and_csv_include_sales(data, client, tmp_path):
    import csv
    import io
    import subprocess

    t1, _t2, _a01 = data
    client.force_login(t1.user)
    response = client.get(reverse("quality:shop-report", args=[t1.shop.code, "2026-11"]))
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "销售转化" in text and "52.00" in text and "23.00" in text  # brought-in and silent sales
    export = client.get(reverse("quality:shop-sessions-csv", args=[t1.shop.code]) + "?month=2026-11")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    by_session = {r["会话编号"]: (r["促成订单数"], r["归因销售额"]) for r in rows}
    assert by_session["s1"] == ("1", "11.00") and by_session["s2"] == ("1", "12.00")
    assert sum(int(v[0]) for v in by_session.values()) == 4
