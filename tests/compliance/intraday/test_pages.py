"""The intraday page as a manager (stored figures, chart, table, accepting over htmx), and that nobody else
may open it."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from compliance.intraday.models import IntradaySuggestion
from compliance.intraday.services import intraday_refresh
from tests.compliance.intraday.day_data import DAY, NOW, load_day
from tests.factories import AgentFactory, InspectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(time_machine, tenants):
    time_machine.move_to(NOW, tick=False)
    data = load_day()
    intraday_refresh(day=DAY)
    return data


def test_manager_sees_every_shop_then_one_shop_s_half_hours(client, manager, stored, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("compliance:intraday"))
    html = page.content.decode()
    assert page.status_code == 200
    # the shop short of agents comes first and is shown
    shops = html.split('id="intraday-shops"')[1].split("</table>")[0]
    assert shops.index('data-shop="ia"') < shops.index('data-shop="ib"')
    block = html.split('id="intraday-shop"')[1]
    assert 'data-figure="ratio">200%<' in block and 'data-figure="short">4<' in block
    row = block.split('data-slot="10:00"')[1].split("</tr>")[0]
    assert ">20.0<" in row and "缺 2" in row
    spec = json.loads(block.split('id="chart-intraday-data"')[1].split(">", 1)[1].split("</script>")[0])
    assert spec["labels"][0] == "08:00" and len(spec["series"]) == 5
    assert 'data-kind="move"' in block and 'data-kind="overtime"' in block
    ib = client.get(reverse("compliance:intraday") + "?shop=ib").content.decode()
    assert "富余 2" in ib.split('data-slot="09:30"')[1].split("</tr>")[0]
    # the htmx refresh returns the partial only
    partial = client.get(reverse("compliance:intraday") + "?shop=ia", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="intraday-shop"' in partial
    # a shop nobody has is a 404, a malformed date falls back to today
    assert client.get(reverse("compliance:intraday") + "?shop=nope").status_code == 404
    assert client.get(reverse("compliance:intraday") + "?date=2026-13-45").status_code == 200


def test_english_page(client, manager, stored):
    client.force_login(manager)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("compliance:intraday"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Intraday" in html and "Re-forecast" in html and "日内调度" not in html


def test_accepting_over_htmx_applies_and_re_renders(client, manager, stored):
    client.force_login(manager)
    move = IntradaySuggestion.objects.get(kind="move")
    page = client.post(reverse("compliance:intraday-accept", args=[move.pk]), {"shop": "ia"}, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="intraday-accepted"' in html and f'data-suggestion="{move.pk}"' not in html
    move.refresh_from_db()
    assert move.status == "accepted" and move.decided_by == manager
    # twice: a message, no error (over htmx the message is in the partial)
    again = client.post(reverse("compliance:intraday-accept", args=[move.pk]), {"shop": "ia"}, HTTP_HX_REQUEST="true")
    assert again.status_code == 200 and "这条建议已处理过" in again.content.decode()
    assert client.post(reverse("compliance:intraday-accept", args=[move.pk]), {"shop": "ia"}).status_code == 302
    assert client.post(reverse("compliance:intraday-accept", args=[999999])).status_code == 404


def test_refresh_button_re_forecasts_today(client, manager, stored):
    client.force_login(manager)
    IntradaySuggestion.objects.all().delete()
    page = client.post(reverse("compliance:intraday-refresh"), {"shop": "ia"})
    assert page.status_code == 302 and "shop=ia" in page["Location"]
    assert IntradaySuggestion.objects.count() == 2


def test_nobody_but_managers(client, stored, tenants):
    move = IntradaySuggestion.objects.get(kind="move")
    for user in (InspectorFactory(username="i-insp"), AgentFactory(username="i-agent", code="a77"), tenants[0].user):
        client.force_login(user)
        assert client.get(reverse("compliance:intraday")).status_code == 403
        assert client.post(reverse("compliance:intraday-accept", args=[move.pk])).status_code == 403
        assert client.post(reverse("compliance:intraday-refresh")).status_code == 403
    move.refresh_from_db()
    assert move.status == "proposed"
