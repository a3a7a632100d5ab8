"""Shift templates and default rules edited in pages and versioned: an edit makes a new version, rosters made
before keep their templates and rules (a published roster's shifts keep their times, and its re-solve and
swaps use its own rules), new rosters use the current version; forms refuse nonsense; both languages."""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from staffing.rosters.models import Roster, RosterRules, ShiftAssignment, ShiftTemplate
from staffing.rosters.services import (
    roster_publish,
    roster_rules_adopt,
    roster_scenario,
    roster_solve_run,
    rules_current,
    rules_update,
    shift_template_create,
    shift_template_revise,
    shift_templates_ensure_defaults,
)
from tests.staffing.factories import staffed_roster

TIME_LIMIT = 2.0
pytestmark = pytest.mark.django_db


def _current(code: str) -> ShiftTemplate:
    return ShiftTemplate.objects.get(code=code, current=True)


@pytest.fixture
def published(tenants):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=6, prefix="v")
    roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster_publish(roster=roster, through=roster.end_date)
    roster.refresh_from_db()
    return roster, agents


def test_editing_a_template_makes_a_version_and_the_published_roster_keeps_its_times(published, manager):
    roster, _ = published
    before = rules_current()
    early = _current("E")
    shift = ShiftAssignment.objects.filter(roster=roster, template__code="E").select_related("template").first()
    starts, ends = shift.starts_at, shift.ends_at

    new = shift_template_revise(template=early, by=manager, name="早班", start=time(9, 0), end=time(17, 0), active=True)

    assert new.pk != early.pk and new.version == early.version + 1 and new.current
    early.refresh_from_db()
    assert not early.current and early.superseded_by_id == new.pk and early.start == time(8, 0)
    after = rules_current()
    assert after.number == before.number + 1 and after.change == "template_edit"
    assert new in after.templates.all() and early not in after.templates.all()
    assert early in before.templates.all()
    # The published roster still has the old row, its shifts their times, and a re-solve uses 08:00.
    roster.refresh_from_db()
    assert roster.rules_version_id == before.pk
    shift.refresh_from_db()
    assert (shift.template_id, shift.template.start, shift.starts_at, shift.ends_at) == (early.pk, time(8, 0), starts, ends)
    scenario, _ids = roster_scenario(roster=roster)
    assert {"code": "E", "start": "08:00", "end": "16:00"} in scenario["shift_templates"]
    # A roster made now uses the current row (09:00) and records the new version.
    fresh, _agents = staffed_roster([roster.shops.first()], per_shop=1, prefix="w")
    assert _current("E") in fresh.templates.all() and fresh.rules_version_id == after.pk
    # Saving the same values again is not a new version.
    assert shift_template_revise(template=new, by=manager, name="早班", start=time(9, 0), end=time(17, 0),
                                 active=True).pk == new.pk
    assert rules_current().number == after.number


def test_rules_changes_are_versions_and_rosters_keep_their_own(published, manager):
    roster, _ = published
    before = rules_current()
    assert rules_update(by=manager, min_rest_hours=before.min_rest_hours, max_consecutive_days=before.max_consecutive_days,
                        max_hours_per_week=before.max_hours_per_week, min_coverage=before.min_coverage).pk == before.pk
    new = rules_update(by=manager, min_rest_hours=12, max_consecutive_days=5, max_hours_per_week=40, min_coverage=2)
    assert new.number == before.number + 1 and (new.min_rest_hours, new.max_hours_per_week) == (12, 40)
    assert set(new.templates.all()) == set(before.templates.all())
    roster.refresh_from_db()
    assert (roster.min_rest_hours, roster.max_hours_per_week, roster.rules_version_id) == (11, 44, before.pk)
    scenario, _ids = roster_scenario(roster=roster)
    assert scenario["rules"]["min_rest_hours"] == 11
    fresh, _agents = staffed_roster([roster.shops.first()], per_shop=1, prefix="w")
    assert (fresh.min_rest_hours, fresh.max_consecutive_days, fresh.max_hours_per_week, fresh.min_coverage) == (12, 5, 40, 2)
    with pytest.raises(ValidationError) as refused:
        rules_update(by=manager, min_rest_hours=30, max_consecutive_days=0, max_hours_per_week=200, min_coverage=1)
    assert {"min_rest_hours", "max_consecutive_days", "max_hours_per_week"} <= set(refused.value.error_dict)
    assert rules_current().pk == new.pk


def test_a_draft_adopts_the_current_version_and_a_published_one_cannot(published, manager, tenants):
    roster, _ = published
    draft, _agents = staffed_roster([tenants[1].shop], per_shop=6, prefix="d")
    roster_solve_run(roster_id=draft.pk, time_limit=TIME_LIMIT)
    shift_template_revise(template=_current("L"), by=manager, name="晚班", start=time(14, 0), end=time(22, 0), active=True)
    with pytest.raises(ValidationError):
        roster_rules_adopt(roster=roster, by=manager)
    draft = roster_rules_adopt(roster=draft, by=manager)
    assert draft.rules_version_id == rules_current().pk
    assert _current("L") in draft.templates.all()
    assert not draft.assignments.exists()  # the old rows' draft shifts go; the next solve makes new ones
    roster_solve_run(roster_id=draft.pk, time_limit=TIME_LIMIT)
    late = draft.assignments.filter(template__code="L").select_related("template").first()
    assert late is None or late.template.start == time(14, 0)


@pytest.mark.parametrize(("values", "field"), [
    ({"code": "X", "name": "短班", "start": time(8, 0), "end": time(8, 30)}, "end"),
    ({"code": "X", "name": "长班", "start": time(6, 0), "end": time(23, 0)}, "end"),
    ({"code": "E", "name": "重复", "start": time(8, 0), "end": time(16, 0)}, "code"),
    ({"code": "早 班", "name": "空格", "start": time(8, 0), "end": time(16, 0)}, "code"),
    ({"code": "X", "name": " ", "start": time(8, 0), "end": time(16, 0)}, "name"),
])
def test_nonsense_templates_are_refused_with_the_field(db, manager, values, field):
    shift_templates_ensure_defaults()
    shift_templates = ShiftTemplate.objects.count()
    with pytest.raises(ValidationError) as refused:
        shift_template_create(by=manager, **values)
    assert field in refused.value.error_dict
    assert ShiftTemplate.objects.count() == shift_templates


def test_a_night_template_across_midnight_is_fine(db, manager):
    night = shift_template_create(by=manager, code="N2", name="大夜班", start=time(22, 0), end=time(6, 0))
    assert night.ends_next_day and night.minutes == 480
    assert rules_current().change == "template_add" and night in rules_current().templates.all()


@pytest.mark.parametrize(("language", "words"), [("zh-hans", "使用的排班表"), ("en", "Rosters using it")])
def test_pages_edit_templates_and_rules_in_both_languages(client, manager, published, language, words):
    roster, _ = published
    client.force_login(manager)
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    client.cookies["django_language"] = language
    page = client.get(reverse("staffing:roster-rules"), **headers)
    assert page.status_code == 200 and words in page.content.decode()
    start = rules_current().number
    # Nonsense is refused on the form, with no new version and no 5xx.
    bad = client.post(reverse("staffing:roster-rules"), {"min_rest_hours": "-1", "max_consecutive_days": "x",
                                                         "max_hours_per_week": "500", "min_coverage": "1"}, **headers)
    assert bad.status_code == 200 and b'data-testid="form-errors"' in bad.content
    assert rules_current().number == start
    ok = client.post(reverse("staffing:roster-rules"), {"min_rest_hours": "10", "max_consecutive_days": "6",
                                                        "max_hours_per_week": "44", "min_coverage": "1"}, **headers)
    assert ok.status_code == 302 and rules_current().number == start + 1
    early = _current("E")
    edit = reverse("staffing:shift-template-edit", args=[early.pk])
    assert client.get(edit, **headers).status_code == 200
    bad = client.post(edit, {"name": "早班", "start": "08:00", "end": "08:20", "active": "on"}, **headers)
    assert bad.status_code == 200 and b'data-testid="form-errors"' in bad.content
    ok = client.post(edit, {"name": "早班", "start": "07:30", "end": "15:30", "active": "on"}, **headers)
    assert ok.status_code == 302 and _current("E").start == time(7, 30)
    assert client.get(edit, **headers).status_code == 404  # an old version is not edited
    new = client.post(reverse("staffing:shift-template-new"), {"code": "S", "name": "短班", "start": "12:00",
                                                               "end": "16:00", "active": "on"}, **headers)
    assert new.status_code == 302 and _current("S").minutes == 240
    # The roster page says which version the roster uses and that it keeps it.
    detail = client.get(reverse("staffing:roster-detail", args=[roster.pk]), **headers).content.decode()
    assert f"v{roster.rules_version.number}" in detail and 'id="rules-kept"' in detail
    assert RosterRules.objects.count() == rules_current().number


def test_only_managers_reach_the_rules_pages(client, agent, inspector, published):
    for user in (agent, inspector):
        client.force_login(user)
        assert client.get(reverse("staffing:roster-rules")).status_code == 403
        client.post(reverse("staffing:roster-rules"), {"min_rest_hours": "1", "max_consecutive_days": "1",
                                                       "max_hours_per_week": "1", "min_coverage": "0"})
    assert RosterRules.objects.count() == 1
    assert Roster.objects.count() == 1


def test_templates_made_after_the_first_version_make_the_next_one(db):
    RosterRules.objects.all().delete()
    ShiftTemplate.objects.all().delete()
    first = rules_current()  # e.g. the rules page opened before any template existed
    assert not first.templates.exists()
    shift_templates_ensure_defaults()
    latest = rules_current()
    assert latest.number == 2 and set(latest.templates.values_list("code", flat=True)) == {"E", "M", "L", "N"}
    shift_templates_ensure_defaults()  # nothing new: no new version
    assert rules_current().number == 2
