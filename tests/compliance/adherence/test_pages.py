"""Adherence pages over HTTP: the floor now (htmx), the month pages, and who sees what."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.urls import reverse

from agency.models import Job
from compliance.adherence.engine.definitions import SHANGHAI
from compliance.adherence.models import ShiftAdherence
from compliance.adherence.services import adherence_compute
from tests.compliance.adherence.stored_data import load_crafted
from tests.factories import MerchantUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crafted_db(tenants):
    data = load_crafted()
    data["merchant_user"] = MerchantUserFactory(username="black-five", merchant=data["shops"]["A"].merchant)
    return data


@pytest.fixture
def measured(crafted_db):
    adherence_compute(first=date(2026, 12, 1), last=date(2026, 12, 1))
    return crafted_db


def _at(time_machine, hour: int, minute: int) -> None:
    time_machine.move_to(datetime(2026, 12, 1, hour, minute, tzinfo=SHANGHAI), tick=False)


def test_floor_shows_rostered_active_and_idle_while_buyers_wait(client, manager, crafted_db, time_machine,
                                                                django_assert_max_num_queries):
    _at(time_machine, 11, 2)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("compliance:floor"))
    html = page.content.decode()
    assert page.status_code == 200
    # Shop A: a01 and a02 rostered; a01 wrote at 11:00 (active); s1's buyer has waited since 10:00.
    block = html.split('data-shop="shop-A"')[1].split('data-shop="')[0]
    assert 'data-figure="rostered">2<' in block and 'data-figure="active">1<' in block
    assert 'data-figure="waiting">1<' in block
    a02 = block.split('data-agent="a02"')[1].split("</tr>")[0]
    assert "空挂" in a02
    assert "空挂" not in block.split('data-agent="a01"')[1].split("</tr>")[0]
    # Shop B: a01's middle shift started at 11:00; the buyer of 11:00 has waited 2 minutes only.
    b = html.split('data-shop="shop-B"')[1].split('data-shop="')[0]
    assert 'data-figure="active">0<' in b and 'data-figure="waiting">0<' in b
    # htmx refresh: the partial only.
    partial = client.get(reverse("compliance:floor"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'data-shop="shop-A"' in partial


def test_floor_merchant_sees_seats_not_names_and_agent_sees_own_line(client, crafted_db, tenants, time_machine):
    _at(time_machine, 11, 2)
    client.force_login(crafted_db["merchant_user"])
    html = client.get(reverse("compliance:floor")).content.decode()
    assert 'data-shop="shop-A"' in html and 'data-agent="' not in html
    client.force_login(tenants[1].user)
    assert 'data-shop="' not in client.get(reverse("compliance:floor")).content.decode()
    client.force_login(crafted_db["agents"]["a02"])
    html = client.get(reverse("compliance:floor")).content.decode()
    assert 'data-agent="a02"' in html and 'data-agent="a01"' not in html


def test_agent_month_own_only(client, manager, measured, tenants, time_machine):
    _at(time_machine, 20, 0)
    a01, a02 = measured["agents"]["a01"], measured["agents"]["a02"]
    client.force_login(manager)
    html = client.get(reverse("compliance:adherence-agent", args=[a01.pk]) + "?month=2026-12").content.decode()
    # a01's two shifts: 2/5 + 1/1 active demand slots = 3/6 = 50.0%; late 10; idle 2.
    assert 'data-figure="shifts">2<' in html and 'data-figure="adherence">50.0%<' in html
    assert 'data-figure="late">10<' in html and 'data-figure="idle">2<' in html
    client.force_login(a02)
    assert client.get(reverse("compliance:adherence")).url == reverse("compliance:adherence-agent", args=[a02.pk])
    own = client.get(reverse("compliance:adherence-agent", args=[a02.pk]) + "?month=2026-12").content.decode()
    assert 'data-figure="no-shows">1<' in own
    assert client.get(reverse("compliance:adherence-agent", args=[a01.pk])).status_code == 404
    client.force_login(tenants[0].user)
    assert client.get(reverse("compliance:adherence-agent", args=[a01.pk])).status_code == 404


def test_off_shift_activity_is_shown(client, manager, measured, time_machine):
    _at(time_machine, 20, 0)
    client.force_login(manager)
    a09 = measured["agents"]["a09"]  # wrote at 17:50 in shop C with no shift at all
    html = client.get(reverse("compliance:adherence-agent", args=[a09.pk]) + "?month=2026-12").content.decode()
    assert 'id="off-shift"' in html and "12-01" in html


def test_shop_month_merchant_sees_seats_other_merchant_404(client, manager, measured, tenants, time_machine):
    _at(time_machine, 20, 0)
    url = reverse("compliance:adherence-shop", args=["shop-A"]) + "?month=2026-12"
    client.force_login(measured["merchant_user"])
    html = client.get(url).content.decode()
    # Two rostered seats on 12-01, one worked (a02 never showed up).
    row = html.split('id="days"')[1].split("</tr>")[1]
    assert "12-01" in row and '<td class="num">2</td>' in row and '<td class="num">1</td>' in row
    assert 'id="agents"' not in html
    client.force_login(tenants[1].user)
    assert client.get(url).status_code == 404
    client.force_login(measured["agents"]["a01"])
    assert client.get(url).status_code == 404
    client.force_login(manager)
    assert 'id="agents"' in client.get(url).content.decode()


def test_home_rollups_and_recompute_job(client, manager, measured, time_machine, django_capture_on_commit_callbacks):
    _at(time_machine, 20, 0)
    client.force_login(manager)
    html = client.get(reverse("compliance:adherence") + "?month=2026-12").content.decode()
    assert 'id="rollup-shop"' in html and "A店" in html and 'id="rollup-team"' in html
    ShiftAdherence.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("compliance:adherence-compute"), {"month": "2026-12"})
    job = Job.objects.get(kind="adherence.compute")
    assert response.url == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result == {"shifts": 7}
    assert ShiftAdherence.objects.count() == 7
    assert client.post(reverse("compliance:adherence-compute"), {"month": "12/2026"}).status_code == 302
    client.force_login(measured["agents"]["a01"])
    assert client.post(reverse("compliance:adherence-compute"), {"month": "2026-12"}).status_code == 403
