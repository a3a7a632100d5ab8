"""Preferred days and shifts are a positive soft goal of the solver: crafted cases where nothing but the wish
tells two agents apart (so the wish decides, both ways round), and cases where a wish must give way (it never
adds a shift nobody needs, never beats coverage or demand, never beats a colleague's unwanted shift)."""

from __future__ import annotations

from staffing.rosters.solver import parse_scenario, solve
from staffing.rosters.solver.solver import WEIGHT_SHORTFALL, WEIGHT_WISH
from tests.staffing.roster_checker import assert_roster_ok

DAY = "2026-12-07"  # a Monday


def scenario(agents: list[dict], *, templates=None, window=("08:00", "16:00"), demand=None) -> dict:
    return {
        "start_date": DAY, "days": 1, "slot_minutes": 30,
        "service_window": {"start": window[0], "end": window[1]},
        "shops": [{"code": "pdd-01", "platform": "pdd"}],
        "shift_templates": templates or [{"code": "E", "start": "08:00", "end": "16:00"}],
        "agents": [{"shops": ["pdd-01"], "max_hours_per_week": 44, "unavailable": [], **a} for a in agents],
        "demand": demand or [],
        "rules": {"min_rest_hours": 11, "max_consecutive_days": 6, "min_coverage_per_shop": 1},
    }


def run(sc: dict) -> dict:
    roster = solve(parse_scenario(sc), time_limit=5, num_workers=2).as_json()
    assert roster["status"] == "optimal"
    assert_roster_ok(sc, roster)
    return roster


def who(roster: dict) -> dict[str, str]:
    return {row["agent"]: row["shift"] for row in roster["assignments"]}


def test_the_preferred_day_decides_who_works_it_both_ways_round():
    # One shift is needed; the two agents are alike except for the wish.
    for wisher in ("a", "b"):  # the agents in the same order each time: only the wish moves
        agents = [{"id": a, **({"days_wanted": [DAY]} if a == wisher else {})} for a in ("a", "b")]
        roster = run(scenario(agents))
        assert who(roster) == {wisher: "E"}
        # The granted wish lowers the objective below what the same roster costs without it.
        assert roster["objective"] == -WEIGHT_WISH


def test_the_preferred_shift_decides_who_works_early_and_who_late_both_ways_round():
    templates = [{"code": "E", "start": "08:00", "end": "16:00"}, {"code": "L", "start": "15:00", "end": "23:00"}]
    for early, late in (("a", "b"), ("b", "a")):
        wishes = {early: ["E"], late: ["L"]}
        sc = scenario([{"id": a, "prefer_shifts": wishes[a]} for a in ("a", "b")],
                      templates=templates, window=("08:00", "23:00"))
        assert who(run(sc)) == {early: "E", late: "L"}


def test_a_wish_never_adds_a_shift_nobody_needs():
    sc = scenario([{"id": a, "days_wanted": [DAY], "prefer_shifts": ["E"]} for a in ("a", "b", "c")])
    roster = run(sc)
    assert len(roster["assignments"]) == 1  # minimum coverage is one agent; the other two wishes go unmet


def test_a_wish_gives_way_to_a_colleague_who_does_not_want_the_day_only_when_someone_must_work():
    # b wants the day, a would rather be off: b works. With a second agent needed by demand, a works too.
    agents = [{"id": "a", "days_off_wanted": [DAY]}, {"id": "b", "days_wanted": [DAY]}]
    assert who(run(scenario(agents))) == {"b": "E"}
    demand = [{"shop": "pdd-01", "date": DAY, "slot": f"{h:02d}:{m:02d}", "agents": 2}
              for h in range(8, 16) for m in (0, 30)]
    roster = run(scenario(agents, demand=demand))
    assert who(roster) == {"a": "E", "b": "E"}  # demand (weight 100 a half hour) outweighs the unwanted day
    assert roster["shortfall"] == []


def test_coverage_outweighs_a_preferred_shift():
    # a prefers the late shift, but the only shift that covers the window is the early one: a works early.
    templates = [{"code": "E", "start": "08:00", "end": "16:00"}, {"code": "L", "start": "15:00", "end": "23:00"}]
    roster = run(scenario([{"id": "a", "prefer_shifts": ["L"]}], templates=templates))
    assert who(roster) == {"a": "E"}
    assert WEIGHT_WISH < WEIGHT_SHORTFALL


def test_a_day_both_wanted_and_unwanted_is_refused():
    import pytest

    from staffing.rosters.solver import ScenarioError

    with pytest.raises(ScenarioError, match="days_wanted"):
        parse_scenario(scenario([{"id": "a", "days_wanted": [DAY], "days_off_wanted": [DAY]}]))
