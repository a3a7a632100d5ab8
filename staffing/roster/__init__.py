"""Rostering with OR-tools CP-SAT. Plain Python, no Django: see `scenario` (input) and `solver` (model)."""

from staffing.roster.scenario import Scenario, ScenarioError, parse_scenario
from staffing.roster.solver import RosterResult, SolveProgress, solve

__all__ = ["RosterResult", "Scenario", "ScenarioError", "SolveProgress", "parse_scenario", "solve"]
