"""Stored adherence: the SQL path and the pure engine write the same rows as the hand-computed cases."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from compliance.adherence.engine.definitions import SHANGHAI
from compliance.adherence.models import ShiftAdherence
from compliance.adherence.services import adherence_compute
from tests.compliance.adherence import crafted
from tests.compliance.adherence.stored_data import load_crafted

pytestmark = pytest.mark.django_db


def _rows(data) -> list[dict]:
    stored = {a.assignment_id: a for a in ShiftAdherence.objects.all()}
    out = []
    for assignment in data["assignments"]:
        a = stored[assignment.pk]
        out.append({
            "agent": assignment.agent.code, "date": assignment.date.isoformat(), "shift": assignment.template.code,
            "shop": assignment.shop.code.removeprefix("shop-"), "demand_slots": a.demand_slots,
            "active_demand_slots": a.active_demand_slots,
            "adherence": None if a.adherence is None else round(a.adherence, 3),
            "first_activity": hhmm(a.first_activity), "last_activity": hhmm(a.last_activity),
            "late_minutes": a.late_minutes, "no_show": a.no_show, "idle_waits": a.idle_waits,
        })
    return out


def hhmm(moment):
    return None if moment is None else moment.astimezone(SHANGHAI).strftime("%H:%M")


@pytest.mark.parametrize("engine", ["python", "sql"])
def test_stored_rows_match_the_hand_computed_cases(engine):
    if engine == "sql" and connection.vendor != "postgresql":
        pytest.skip("the SQL path runs on PostgreSQL")
    data = load_crafted()
    assert adherence_compute(first=date(2026, 12, 1), last=date(2026, 12, 1), engine=engine) == len(crafted.ASSIGNMENTS)
    assert _rows(data) == crafted.EXPECTED
    # Running again replaces, never duplicates.
    adherence_compute(first=date(2026, 12, 1), last=date(2026, 12, 1), engine=engine)
    assert ShiftAdherence.objects.count() == len(crafted.ASSIGNMENTS)


def test_only_the_shops_asked_for():
    data = load_crafted()
    adherence_compute(first=date(2026, 12, 1), last=date(2026, 12, 1), shops=[data["shops"]["C"]])
    assert list(ShiftAdherence.objects.values_list("shop__code", flat=True)) == ["shop-C"]
