"""Honest solves: an infeasible or failed solve is never shown as done, cannot be published, and says what
blocks it (with shop and agent names, including agents booked in another roster) in the reader's language.
A wrong demand file is a clear error, never "imported 0 rows"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from agency.models import Job
from staffing.rosters.models import Roster
from staffing.rosters.problems import roster_problem
from staffing.rosters.services import (
    roster_create,
    roster_demand_import_file,
    roster_publish,
    roster_solve_run,
    roster_solve_start,
)
from tests.staffing.factories import staffed_roster

TIME_LIMIT = 3.0
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"

pytestmark = pytest.mark.django_db


def test_infeasible_solve_fails_its_job_cannot_be_published_and_says_why(client, tenants, manager,
                                                                         django_capture_on_commit_callbacks):
    roster, agents = staffed_roster([tenants[0].shop], per_shop=1)
    with django_capture_on_commit_callbacks(execute=True):
        job = roster_solve_start(roster=roster, by=manager, time_limit=TIME_LIMIT)
    job.refresh_from_db()
    roster.refresh_from_db()
    assert roster.solve_status == "infeasible" and not roster.solved_ok
    assert job.status == Job.Status.FAILED  # a red bar, never "100% done"
    assert job.result["url"] == reverse("staffing:roster-detail", args=[roster.pk])
    with pytest.raises(ValidationError, match="不能发布"):
        roster_publish(roster=roster, through=roster.end_date)
    client.force_login(manager)
    html = client.get(reverse("staffing:roster-detail", args=[roster.pk])).content.decode()
    assert 'id="shortfall">—<' in html and 'id="shortfall">0<' not in html
    assert 'id="publish-blocked"' in html and reverse("staffing:roster-publish", args=[roster.pk]) not in html
    explanation = html.split('id="explanation"')[1].split("</div>")[0]
    assert tenants[0].shop.name in explanation and tenants[0].shop.code not in explanation
    assert "为租户店铺1分配并认证更多客服" in explanation
    # The page refuses too: nothing is pinned.
    response = client.post(reverse("staffing:roster-publish", args=[roster.pk]), {"through": roster.end_date.isoformat()})
    assert response.status_code == 302
    roster.refresh_from_db()
    assert roster.status == Roster.Status.DRAFT and not roster.assignments.filter(pinned=True).exists()


def test_agents_booked_in_another_roster_are_named_with_that_roster(tenants):
    shop = tenants[0].shop
    first, agents = staffed_roster([shop], per_shop=4, days=3, prefix="b")
    roster_solve_run(roster_id=first.pk, time_limit=TIME_LIMIT)
    first.refresh_from_db()
    assert first.solved_ok
    second = roster_create(name="第二张", start_date=first.start_date, days=3, shops=[shop],
                           templates=list(first.templates.all()))
    roster_solve_run(roster_id=second.pk, time_limit=TIME_LIMIT)
    second.refresh_from_db()
    assert second.solve_status == "infeasible"
    problem = roster_problem(roster=second)
    assert problem is not None
    booked = [line for line in problem.blockers if first.name in line]
    assert booked, problem.blockers
    day_one = set(first.assignments.filter(date=first.start_date).values_list("agent__username", flat=True))
    assert any(name in " ".join(booked) for name in day_one)
    assert any("释放" in fix for fix in problem.fixes)
    with translation.override("en"):
        english = roster_problem(roster=second)
    assert english is not None and "another roster" in " ".join(english.blockers)
    assert shop.name in english.headline


def test_failed_solve_is_shown_as_failed(tenants, monkeypatch):
    roster, _ = staffed_roster([tenants[0].shop], per_shop=3, days=2)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr("staffing.rosters.services.solve", broken)
    with pytest.raises(RuntimeError):
        roster_solve_run(roster_id=roster.pk, time_limit=TIME_LIMIT)
    roster.refresh_from_db()
    assert roster.solve_status == "failed" and roster.solve_failed
    problem = roster_problem(roster=roster)
    assert problem is not None and "out of memory" in problem.headline
    with pytest.raises(ValidationError):
        roster_publish(roster=roster, through=roster.end_date)


def test_a_png_as_demand_is_a_clear_error(client, tenants, manager):
    roster, _ = staffed_roster([tenants[0].shop], per_shop=1)
    with pytest.raises(ValidationError, match="PNG"):
        roster_demand_import_file(roster=roster, data=PNG, filename="demand.png")
    with pytest.raises(ValidationError, match="没有读到任何需求行"):
        roster_demand_import_file(roster=roster, data=b"shop,date,slot,agents\n", filename="empty.csv")
    client.force_login(manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("staffing:roster-demand", args=[roster.pk]),
                           {"file": SimpleUploadedFile("demand.png", PNG, content_type="image/png")}, follow=True)
    html = response.content.decode()
    assert "demand.png 不是 CSV 文本" in html and "已导入" not in html
    assert roster.demand.count() == 0
