"""The re-roster on the crafted day of `day_data.py`: proposed for the shop short of agents, applied in one go
when a manager accepts it, refused as a whole when one of its changes no longer fits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from agency.models import AuditEvent
from compliance.intraday.models import IntradayShopDay, IntradaySuggestion
from compliance.intraday.services import intraday_refresh, intraday_suggestion_accept
from staffing.rosters.models import Leave, ShiftAssignment
from staffing.training.models import Certification
from tests.compliance.intraday.day_data import DAY, NOW, at, load_day
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_db(time_machine, tenants):
    time_machine.move_to(NOW, tick=False)
    data = load_day()
    # c1 is off today and certified for ia: ia is short 1 at 09:30 and 2 at 10:00 and 10:30 (see day_data)
    c1 = AgentFactory(username="ia-c1", code="c1")
    Certification.objects.create(agent=c1, shop=data["shops"]["ia"], granted_at=NOW - timedelta(days=30),
                                 expires_at=NOW + timedelta(days=300))
    data["agents"]["c1"] = c1
    return data


def _half(row: IntradayShopDay, slot: str) -> dict:
    return next(h for h in row.half_hours if h["slot"] == slot)


def _plan() -> IntradaySuggestion:
    return IntradaySuggestion.objects.get(kind="reroster", status="proposed")


def test_the_reroster_extends_a_shift_and_calls_in_an_agent_who_is_off(day_db):
    intraday_refresh(day=DAY)
    plan = _plan()
    agents = day_db["agents"]
    # 5 short agent half hours: c1 called in 09:30–11:30 (at least 2 h) covers one in each, a1's shift
    # extended 10:00→11:00 covers the second at 10:00 and 10:30. Two changes, nothing published is touched yet.
    assert [(c.kind, c.agent_id, c.shift_id, c.starts_at, c.ends_at) for c in plan.changes.all()] == [
        ("call_in", agents["c1"].pk, None, at(9, 30), at(11, 30)),
        ("extend", agents["a1"].pk, day_db["shifts"]["a1"].pk, at(10), at(11)),
    ]
    assert (plan.to_shop.code, plan.starts_at, plan.ends_at, plan.half_hours) == ("ia", at(9, 30), at(11, 30), 5)
    assert ShiftAssignment.objects.get(pk=day_db["shifts"]["a1"].pk).ends_at == at(10)
    assert not ShiftAssignment.objects.filter(agent=agents["c1"]).exists()


def test_nobody_on_leave_is_called_in(day_db):
    Leave.objects.create(agent=day_db["agents"]["c1"], first_day=DAY, last_day=DAY, status="approved")
    intraday_refresh(day=DAY)
    assert [c.kind for c in _plan().changes.all()] == ["extend"]


def test_accepting_the_reroster_applies_every_change_audits_and_re_forecasts(day_db, manager):
    intraday_refresh(day=DAY)
    plan = _plan()
    intraday_suggestion_accept(suggestion=plan, by=manager)
    agents, shifts = day_db["agents"], day_db["shifts"]
    a1 = ShiftAssignment.objects.get(pk=shifts["a1"].pk)
    called = ShiftAssignment.objects.get(agent=agents["c1"], date=DAY)
    assert a1.ends_at == at(11)
    assert (called.shop.code, called.starts_at, called.ends_at, called.pinned, called.roster_id) == (
        "ia", at(9, 30), at(11, 30), True, day_db["roster"].pk,
    )
    ia = IntradayShopDay.objects.get(shop=day_db["shops"]["ia"], date=DAY)
    assert [_half(ia, s)["gap"] for s in ("09:30", "10:00", "10:30")] == [0, 0, 0]
    assert [_half(ia, s)["rostered"] for s in ("09:30", "10:00", "10:30", "11:00")] == [3, 3, 3, 2]
    plan.refresh_from_db()
    assert (plan.status, plan.decided_by) == ("accepted", manager)
    assert [c.shift_id for c in plan.changes.all()] == [called.pk, a1.pk]
    assert set(AuditEvent.objects.filter(actor=manager).values_list("verb", flat=True)) == {
        "intraday.reroster", "intraday.reroster.call_in", "intraday.reroster.extend",
    }
    # nothing left short: no proposal of any kind remains
    assert not IntradaySuggestion.objects.filter(status="proposed").exists()
    with pytest.raises(Exception, match="已处理"):
        intraday_suggestion_accept(suggestion=plan, by=manager)


def test_the_reroster_is_refused_as_a_whole_when_a_change_no_longer_fits(day_db, manager):
    intraday_refresh(day=DAY)
    plan = _plan()
    a1 = day_db["shifts"]["a1"]
    a1.ends_at = at(9, 30)  # changed by hand since the proposal
    a1.save()
    with pytest.raises(Exception, match="已改变"):
        intraday_suggestion_accept(suggestion=plan, by=manager)
    # the call-in before it in the same proposal was rolled back too
    assert not ShiftAssignment.objects.filter(agent=day_db["agents"]["c1"]).exists()
    assert IntradaySuggestion.objects.get(pk=plan.pk).status == "proposed"
    assert not AuditEvent.objects.filter(verb__startswith="intraday.reroster").exists()


def test_the_page_shows_what_changes_for_whom_and_accepts_it_over_htmx(client, manager, day_db,
                                                                      django_assert_max_num_queries):
    from django.urls import reverse

    intraday_refresh(day=DAY)
    plan = _plan()
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("compliance:intraday") + "?shop=ia")
    html = page.content.decode()
    row = html.split(f'data-suggestion="{plan.pk}"')[1].split("</tr>")[0]
    assert 'data-kind="reroster"' in html
    assert "ia-c1：今日休息，临时到岗 09:30–11:30" in row and "ia-a1：下班时间从 10:00 延至 11:00" in row
    page = client.post(reverse("compliance:intraday-accept", args=[plan.pk]), {"shop": "ia"}, HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert page.status_code == 200
    accepted = html.split('id="intraday-accepted"')[1].split("</ul>")[0]
    assert "ia-c1：今日休息，临时到岗 09:30–11:30" in accepted
    assert ShiftAssignment.objects.filter(agent=day_db["agents"]["c1"], date=DAY).exists()
