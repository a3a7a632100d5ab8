"""The roster solver against the independent checker: every hard rule on every roster it returns."""

from __future__ import annotations

import copy

import pytest

from bench.roster_scenario import make_scenario
from staffing.rosters.solver import ScenarioError, parse_scenario, solve
from tests.staffing.roster_checker import assert_roster_ok, roster_violations

TIME_LIMIT = 3.0


def run(scenario: dict, time_limit: float = TIME_LIMIT) -> dict:
    return solve(parse_scenario(scenario), time_limit=time_limit, num_workers=2).as_json()


def base_scenario(**changes) -> dict:
    scenario = {
        "start_date": "2026-12-01", "days": 14, "slot_minutes": 30,
        "service_window": {"start": "08:00", "end": "23:00"},
        "shops": [{"code": "pdd-01", "platform": "pdd"}, {"code": "jd-01", "platform": "jd"}],
        "shift_templates": [{"code": "E", "start": "08:00", "end": "16:00"}, {"code": "L", "start": "15:00", "end": "23:00"}],
        "agents": [
            {"id": f"a{i:02d}", "shops": ["pdd-01"] if i < 5 else ["jd-01"] if i < 10 else ["pdd-01", "jd-01"],
             "max_hours_per_week": 44, "unavailable": ["2026-12-03"] if i == 1 else []}
            for i in range(12)
        ],
        "demand": [
            {"shop": "pdd-01", "date": "2026-12-01", "slot": "20:00", "agents": 3},
            {"shop": "jd-01", "date": "2026-12-05", "slot": "10:00", "agents": 2},
        ],
        "rules": {"min_rest_hours": 11, "max_consecutive_days": 6, "min_coverage_per_shop": 1},
    }
    scenario.update(changes)
    return scenario


def test_contract_example_keeps_every_hard_rule():
    scenario = base_scenario()
    roster = run(scenario)
    assert roster["status"] in ("optimal", "feasible")
    assert_roster_ok(scenario, roster)
    assert not any(a["agent"] == "a01" and a["date"] == "2026-12-03" for a in roster["assignments"])
    assert roster["shortfall"] == []
    assert roster["objective"] >= roster["bound"] >= 0


def test_night_shift_across_midnight_keeps_rest_and_covers_late_demand():
    scenario = base_scenario(
        days=10,
        shift_templates=[
            {"code": "E", "start": "08:00", "end": "16:00"},
            {"code": "L", "start": "15:00", "end": "23:00"},
            {"code": "N", "start": "18:00", "end": "02:00"},
        ],
        demand=[
            {"shop": "pdd-01", "date": f"2026-12-{d:02d}", "slot": slot, "agents": 2}
            for d in range(1, 11) for slot in ("22:00", "23:00", "00:00", "01:00")
        ],
        rules={"min_rest_hours": 12, "max_consecutive_days": 5, "min_coverage_per_shop": 1},
    )
    roster = run(scenario)
    assert roster["status"] in ("optimal", "feasible")
    assert_roster_ok(scenario, roster)
    # The night demand after midnight is served by shifts that started the day before.
    nights = [a for a in roster["assignments"] if a["shift"] == "N" and a["shop"] == "pdd-01"]
    assert len(nights) >= 9
    # (except on the first day, whose early hours no shift in the period can reach).
    after_midnight = [r for r in roster["shortfall"] if r["slot"] in ("00:00", "01:00")]
    assert {r["date"] for r in after_midnight} <= {"2026-12-01"}


def test_holiday_is_shared_out_and_rules_hold():
    holidays = ["2026-12-05", "2026-12-06", "2026-12-07"]
    scenario = base_scenario(days=7, holidays=holidays)
    roster = run(scenario)
    assert_roster_ok(scenario, roster)
    holiday_work = [a["agent"] for a in roster["assignments"] if a["date"] in holidays]
    per_agent = {who: holiday_work.count(who) for who in set(holiday_work)}
    assert max(per_agent.values()) <= 2  # 12 people, at least 12 holiday shifts: nobody takes all three


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_scenarios_with_night_shifts_pass_the_checker(seed):
    scenario = make_scenario(agents=18, days=9, shops=2, seed=seed, night_shift=True)
    scenario["holidays"] = ["2026-12-05"]
    scenario["rules"]["max_consecutive_days"] = 4
    roster = run(scenario)
    assert roster["status"] in ("optimal", "feasible")
    assert_roster_ok(scenario, roster)


def test_rest_is_counted_across_the_week_boundary():
    # Two agents, late then early across days 7 → 8 would leave 9 h; the solver must not do that.
    scenario = base_scenario(
        days=9,
        shops=[{"code": "pdd-01", "platform": "pdd"}],
        agents=[{"id": f"a{i}", "shops": ["pdd-01"], "max_hours_per_week": 48} for i in range(4)],
        demand=[],
    )
    roster = run(scenario)
    assert_roster_ok(scenario, roster)


def test_agent_not_listed_for_a_shop_is_never_rostered_there():
    scenario = base_scenario()
    roster = run(scenario)
    for row in roster["assignments"]:
        if row["agent"] in {f"a{i:02d}" for i in range(5)}:
            assert row["shop"] == "pdd-01"


def test_a_slot_nobody_can_serve_is_named():
    scenario = base_scenario(shift_templates=[{"code": "E", "start": "09:00", "end": "17:00"}, {"code": "L", "start": "15:00", "end": "23:00"}])
    roster = run(scenario)
    assert roster["status"] == "infeasible"
    assert roster["assignments"] == []
    assert "pdd-01" in roster["explanation"] or "jd-01" in roster["explanation"]
    assert "2026-12-01" in roster["explanation"] and "08:00" in roster["explanation"]
    assert roster_violations(scenario, roster) == []


def test_too_few_agents_is_explained_by_shop_date_and_slot():
    # One agent a shop: 15 hours a day cannot be covered by one person with 8-hour shifts and 11 h rest.
    scenario = base_scenario(
        days=3,
        shops=[{"code": "pdd-01", "platform": "pdd"}],
        agents=[{"id": "a01", "shops": ["pdd-01"], "max_hours_per_week": 44}],
        demand=[],
    )
    roster = run(scenario)
    assert roster["status"] == "infeasible"
    assert "pdd-01" in roster["explanation"]
    detail = roster["explanation_detail"]
    assert detail["shop"] == "pdd-01" and detail["date"].startswith("2026-12-0") and detail["slot"]
    assert detail["slot"] in roster["explanation"] and detail["date"] in roster["explanation"]


def test_weekly_hours_make_it_infeasible_and_it_is_explained():
    scenario = base_scenario(
        days=7,
        shops=[{"code": "pdd-01", "platform": "pdd"}],
        agents=[{"id": f"a{i}", "shops": ["pdd-01"], "max_hours_per_week": 16} for i in range(3)],
        demand=[],
    )
    roster = run(scenario)
    assert roster["status"] == "infeasible"
    assert "pdd-01" in roster["explanation"]


def test_pinned_shifts_are_kept_and_a_bad_pin_names_the_agent():
    scenario = base_scenario(fixed=[
        {"agent": "a02", "date": "2026-12-02", "shift": "L", "shop": "pdd-01"},
        {"agent": "a03", "date": "2026-12-02", "shift": "E", "shop": "pdd-01"},
    ])
    roster = run(scenario)
    assert_roster_ok(scenario, roster)

    bad = base_scenario(fixed=[
        {"agent": "a02", "date": "2026-12-02", "shift": "L", "shop": "pdd-01"},
        {"agent": "a02", "date": "2026-12-03", "shift": "E", "shop": "pdd-01"},
    ])
    roster = run(bad)
    assert roster["status"] == "infeasible"
    assert "a02" in roster["explanation"] and "2026-12-03" in roster["explanation"]


def test_preferences_are_followed_when_they_cost_nothing():
    scenario = base_scenario()
    for agent in scenario["agents"]:
        agent["avoid_shifts"] = ["L"] if agent["id"] in ("a00", "a05") else []
    roster = run(scenario, time_limit=5)
    assert_roster_ok(scenario, roster)
    assert not [a for a in roster["assignments"] if a["agent"] in ("a00", "a05") and a["shift"] == "L"]


def test_checker_catches_broken_rosters():
    """The checker itself must fail on each kind of broken roster, or the tests above prove nothing."""
    scenario = base_scenario(days=7)
    good = run(scenario)
    assert roster_violations(scenario, good) == []
    rows = good["assignments"]
    first = rows[0]

    def broken(mutate) -> list[str]:
        roster = copy.deepcopy(good)
        mutate(roster)
        return roster_violations(scenario, roster)

    assert broken(lambda r: r["assignments"].remove(r["assignments"][0]))  # coverage or shortfall changes
    assert broken(lambda r: r["assignments"].append({**first, "shift": "L" if first["shift"] == "E" else "E"}))
    assert broken(lambda r: r["assignments"].append({**first, "agent": "a00", "shop": "jd-01"}))
    assert broken(lambda r: r["assignments"].append({"agent": "a01", "date": "2026-12-03", "shift": "E", "shop": "pdd-01"}))
    late_then_early = {"assignments": [
        {"agent": "a10", "date": "2026-12-01", "shift": "L", "shop": "pdd-01"},
        {"agent": "a10", "date": "2026-12-02", "shift": "E", "shop": "pdd-01"},
    ], "status": "feasible", "shortfall": []}
    assert any("rest" in p for p in roster_violations(scenario, late_then_early))
    seven = {"status": "feasible", "shortfall": [], "assignments": [
        {"agent": "a10", "date": f"2026-12-0{d}", "shift": "E", "shop": "pdd-01"} for d in range(1, 8)
    ]}
    problems = roster_violations(scenario, seven)
    assert any("in a row" in p for p in problems) and any("hours" in p for p in problems)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"days": 0}, "days"),
        ({"start_date": "2026-13-01"}, "start_date"),
        ({"slot_minutes": 7}, "slot_minutes"),
        ({"shift_templates": [{"code": "E", "start": "8:00", "end": "16:00"}]}, "shift_templates[0].start"),
        ({"agents": [{"id": "a01", "shops": ["nope"]}]}, "agents[0].shops[0]"),
        ({"demand": [{"shop": "pdd-01", "date": "2027-01-01", "slot": "08:00", "agents": 1}]}, "demand[0].date"),
        ({"demand": [{"shop": "pdd-01", "date": "2026-12-01", "slot": "08:10", "agents": 1}]}, "demand[0].slot"),
        ({"rules": {"min_coverage_per_shop": -1}}, "rules.min_coverage_per_shop"),
    ],
)
def test_bad_scenarios_name_the_field(change, where):
    with pytest.raises(ScenarioError) as err:
        parse_scenario(base_scenario(**change))
    assert err.value.where == where
