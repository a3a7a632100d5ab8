"""Migration 0009 keeps existing data: the templates there were become version 1 of the rules and existing
rosters record it, keeping their own rule values and template rows. (The suite builds its database from the
models, so the migration's data step is run here on rows shaped as they were before it.)"""

from __future__ import annotations

import importlib
from datetime import date, time

from django.apps import apps

from staffing.rosters.models import Roster, RosterRules, ShiftTemplate

migration = importlib.import_module("staffing.migrations.0009_rules_versions_swap_acceptance")


def test_existing_templates_and_rosters_become_version_one(db):
    RosterRules.objects.all().delete()
    ShiftTemplate.objects.all().delete()
    early = ShiftTemplate.objects.create(code="E", name="早班", start=time(8), end=time(16))
    late = ShiftTemplate.objects.create(code="L", name="晚班", start=time(15), end=time(23))
    roster = Roster.objects.create(name="旧排班", start_date=date(2026, 11, 2), days=7, min_rest_hours=12,
                                   max_hours_per_week=40)
    roster.templates.set([early, late])

    migration.first_version(apps, None)

    rules = RosterRules.objects.get()
    assert rules.number == 1 and rules.change == "initial"
    assert set(rules.templates.all()) == {early, late}
    roster.refresh_from_db()
    assert roster.rules_version_id == rules.pk
    assert (roster.min_rest_hours, roster.max_hours_per_week) == (12, 40)  # the roster's own values stay
    assert set(roster.templates.all()) == {early, late}
    assert [(t.code, t.version, t.current) for t in ShiftTemplate.objects.order_by("code")] == [("E", 1, True), ("L", 1, True)]


def test_an_empty_database_gets_no_version_until_there_are_templates(db):
    RosterRules.objects.all().delete()
    ShiftTemplate.objects.all().delete()
    migration.first_version(apps, None)
    assert not RosterRules.objects.exists()
