"""Rostering with OR-tools CP-SAT. Plain Python, no Django: see `scenario` (input) and `solver` (model)."""

from staffing.rosters.solver.scenario import Scenario, ScenarioError, parse_scenario
from staffing.rosters.solver.solver import RosterResult, SolveProgress, solve

__all__ = ["RosterResult", "Scenario", "ScenarioError", "SolveProgress", "parse_scenario", "solve"]
