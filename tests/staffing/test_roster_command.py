"""`manage.py roster_solve` as contracts §3 describes it: JSON in, JSON out, bad input → exit 2, no file."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from tests.staffing.roster_checker import assert_roster_ok
from tests.staffing.test_roster_solver import base_scenario


def solve_file(tmp_path, scenario, *extra) -> dict:
    source, target = tmp_path / "scenario.json", tmp_path / "roster.json"
    source.write_text(json.dumps(scenario), encoding="utf-8")
    call_command("roster_solve", "--input", str(source), "--output", str(target), "--time-limit", "3", *extra)
    return json.loads(target.read_text(encoding="utf-8"))


def test_writes_a_roster_with_the_contract_fields(tmp_path):
    scenario = base_scenario(days=7)
    roster = solve_file(tmp_path, scenario)
    assert set(roster) >= {"status", "assignments", "shortfall", "objective", "bound", "solve_seconds", "explanation"}
    assert roster["status"] in ("optimal", "feasible")
    assert set(roster["assignments"][0]) == {"agent", "date", "shift", "shop"}
    assert_roster_ok(scenario, roster)


def test_infeasible_scenario_is_written_with_its_explanation(tmp_path):
    scenario = base_scenario(days=2, demand=[], agents=[{"id": "a01", "shops": ["pdd-01"]}])
    roster = solve_file(tmp_path, scenario)
    assert roster["status"] == "infeasible"
    assert "jd-01" in roster["explanation"]  # nobody may serve jd-01 at all
    assert "2026-12-01" in roster["explanation"] and "08:00" in roster["explanation"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"start_date": "2026-12-01",\n "days": 3,\n oops}', "line 3"),
        (json.dumps(base_scenario(agents=[{"id": "a01", "shops": ["pdd-01", "x-9"]}])), "agents[0].shops[1]"),
        (json.dumps({**base_scenario(), "shift_templates": [{"code": "N", "start": "22:00", "end": "22:00"}]}), "shift_templates[0].end"),
        (json.dumps({k: v for k, v in base_scenario().items() if k != "agents"}), "agents"),
    ],
)
def test_bad_input_exits_2_names_where_and_writes_nothing(tmp_path, capsys, content, expected):
    source, target = tmp_path / "scenario.json", tmp_path / "roster.json"
    source.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("roster_solve", "--input", str(source), "--output", str(target))
    assert exit_info.value.code == 2
    assert expected in capsys.readouterr().err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_missing_input_file_exits_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command("roster_solve", "--input", str(tmp_path / "none.json"), "--output", str(tmp_path / "out.json"))
    assert exit_info.value.code == 2
    assert "none.json" in capsys.readouterr().err
