"""The roster as a CP-SAT model: hard rules of contracts §3 as constraints, soft goals in the objective.

Decision variables: x[a, d, t, s] = agent a works shift template t starting on day d for shop s. One exists
only where the agent may serve the shop that day and is not unavailable. Hard rules:
- at most one shift a day (and exactly the fixed one on a pinned day);
- rest: for every pair of shifts of one agent whose gap (end of the first to start of the second, in clock
  minutes from the period's first midnight, so across midnight and across week blocks) is shorter than
  the minimum rest, at most one of them;
- at most `max_consecutive_days` working days in every run of `max_consecutive_days + 1` days;
- minutes worked in each 7-day block from the start date (a shift counts in the block of its start day);
- every slot of the service window, every day, every shop: at least `min_coverage` agents on a shift that
  covers the whole slot.
Soft goals, most weight first: demand shortfall, unwanted days and shifts, fairness (the most late shifts,
weekend days and holidays any one agent gets), granted wishes (a shift on a day or of a template the agent
prefers lowers the objective), overstaffing. A wish is worth less than the idle half hours of any shift it
could add, so no shift is rostered only to grant one.

When no roster exists, `explain` finds why: first slots nobody at all could cover, then pinned shifts that
break an agent's rules, and otherwise a relaxation (minimum coverage made soft) that names the slots even
the best roster must leave under-covered.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from staffing.rosters.solver.scenario import MINUTES_PER_DAY, Scenario, hhmm

WEIGHT_SHORTFALL = 100  # per agent-slot missing against demand
WEIGHT_PREFERENCE = 20  # per shift against an agent's wishes (an unwanted day or shift)
WEIGHT_WISH = 3  # taken off per granted wish: a shift on a preferred day, a shift of a preferred template
WEIGHT_FAIRNESS = 10  # per late shift / weekend day / holiday on the busiest agent
WEIGHT_OVERSTAFF = 1  # per agent-slot above what is needed
LATE_ENDS_AT = 22 * 60
PACE = float(os.environ.get("ROSTER_PACE", "1.25"))  # a shift ending at 22:00 or later (or past midnight) is a late shift


@dataclass
class SolveProgress:
    solutions: int
    objective: float
    bound: float
    elapsed: float
    time_limit: float


@dataclass
class RosterResult:
    status: str  # optimal | feasible | infeasible
    assignments: list[dict[str, str]] = field(default_factory=list)
    shortfall: list[dict[str, Any]] = field(default_factory=list)
    objective: float | None = None
    bound: float | None = None
    solve_seconds: float = 0.0
    explanation: str = ""
    first_solution_seconds: float | None = None
    detail: dict[str, Any] = field(default_factory=dict)  # structured explanation: shop/date/slot or agent

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "assignments": self.assignments,
            "shortfall": self.shortfall,
            "objective": self.objective,
            "bound": self.bound,
            "solve_seconds": round(self.solve_seconds, 3),
            "explanation": self.explanation,
        }
        if self.first_solution_seconds is not None:
            data["first_solution_seconds"] = round(self.first_solution_seconds, 3)
        if self.detail:
            data["explanation_detail"] = self.detail
        return data


def default_workers() -> int:
    """CP-SAT's portfolio wants several workers; more than twice the cores only adds contention."""
    return max(2, min(8, 2 * (os.cpu_count() or 1)))


def covered_slots(scenario: Scenario, start: int, end: int) -> list[int]:
    """Slot starts (absolute minutes) that a shift [start, end) covers completely."""
    step = scenario.slot_minutes
    first = -(-start // step) * step
    return list(range(first, end - step + 1, step))


class _Model:
    """Builds the CP-SAT model for a scenario. `relax=True` makes minimum coverage soft (for explanations)."""

    def __init__(self, sc: Scenario, *, relax: bool = False) -> None:
        self.sc = sc
        self.m = cp_model.CpModel()
        self.x: dict[tuple[int, int, int, str], cp_model.IntVar] = {}
        self.slack: dict[tuple[str, int, int], cp_model.IntVar] = {}
        # How every auxiliary variable follows from the x's, so a hint can be complete: (var, kind, terms, need)
        self.defs: list[tuple[Any, str, list[Any], int]] = []
        self._build(relax)

    def _build(self, relax: bool) -> None:
        sc, m = self.sc, self.m
        templates = sc.templates
        fixed = {(f.agent, f.day): f for f in sc.fixed}
        for ai, agent in enumerate(sc.agents):
            for d in range(sc.days):
                pin = fixed.get((agent.id, d))
                if d in agent.unavailable and pin is None:
                    continue
                for ti, tpl in enumerate(templates):
                    for shop in agent.shops:
                        if not agent.may_serve(shop, d):
                            continue
                        if pin is not None and (pin.shift != tpl.code or pin.shop != shop):
                            continue
                        self.x[ai, d, ti, shop] = m.new_bool_var(f"x_{ai}_{d}_{ti}_{shop}")
        by_adt: dict[tuple[int, int, int], list[Any]] = defaultdict(list)
        by_ad: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for (ai, d, ti, _shop), var in self.x.items():
            by_adt[ai, d, ti].append(var)
            by_ad[ai, d].append(var)
        self.by_ad = by_ad

        # Fixed (pinned) days: exactly the pinned shift.
        for f in sc.fixed:
            ai = next(i for i, a in enumerate(sc.agents) if a.id == f.agent)
            vars_ = by_ad.get((ai, f.day), [])
            if vars_:
                m.add(sum(vars_) == 1)
            else:
                m.add_bool_or([])  # cannot be served: the model is infeasible, explain() says why

        works: dict[tuple[int, int], Any] = {}
        for (ai, d), vars_ in by_ad.items():
            w = m.new_bool_var(f"w_{ai}_{d}")
            m.add(sum(vars_) == w)
            works[ai, d] = w
            self.defs.append((w, "sum", vars_, 0))
        self.works = works

        # Rest between shifts, in clock minutes across midnight and across week blocks.
        rest = sc.min_rest_minutes
        longest = max(t.end for t in templates)
        reach = (longest + rest) // MINUTES_PER_DAY + 1
        conflicts: dict[tuple[int, int], list[int]] = {}
        for ti, t1 in enumerate(templates):
            for gap_days in range(1, reach + 1):
                conflicts[ti, gap_days] = [
                    tj for tj, t2 in enumerate(templates) if gap_days * MINUTES_PER_DAY + t2.start - t1.end < rest
                ]
        for (ai, d, ti), first in by_adt.items():
            for gap_days in range(1, reach + 1):
                later = [v for tj in conflicts[ti, gap_days] for v in by_adt.get((ai, d + gap_days, tj), [])]
                if later:
                    m.add(sum(first) + sum(later) <= 1)

        # Consecutive working days.
        k = sc.max_consecutive_days
        for ai in range(len(sc.agents)):
            for d0 in range(sc.days - k):
                run = [works[ai, d] for d in range(d0, d0 + k + 1) if (ai, d) in works]
                if len(run) > k:
                    m.add(sum(run) <= k)

        # Hours in each 7-day block counted from the start date.
        for ai, agent in enumerate(sc.agents):
            for b0 in range(0, sc.days, 7):
                terms = [
                    templates[ti].minutes * var
                    for (aj, d, ti, _s), var in self._agent_vars(ai)
                    if b0 <= d < b0 + 7
                ]
                if terms:
                    m.add(sum(terms) <= agent.max_minutes_per_week)

        # Coverage and demand per shop and slot, through the head count of each (shop, day, shift): a slot's
        # cover is then a sum of a few head counts instead of every agent's variable.
        staffed_terms: dict[tuple[str, int, int], list[Any]] = defaultdict(list)
        for (_ai, d, ti, shop), var in self.x.items():
            staffed_terms[shop, d, ti].append(var)
        cover: dict[tuple[str, int, int], list[Any]] = defaultdict(list)
        per_tpl_slots = [covered_slots(sc, t.start, t.end) for t in templates]
        for (shop, d, ti), vars_ in sorted(staffed_terms.items()):
            head = m.new_int_var(0, len(vars_), f"n_{shop}_{d}_{ti}")
            m.add(head == sum(vars_))
            self.defs.append((head, "sum", vars_, 0))
            base = d * MINUTES_PER_DAY
            for s in per_tpl_slots[ti]:
                absolute = base + s
                cover[shop, absolute // MINUTES_PER_DAY, absolute % MINUTES_PER_DAY].append(head)
        self.cover = cover
        window = sc.window_slots()
        keys: set[tuple[str, int, int]] = {(s, d, mm) for s in sc.shops for d in range(sc.days) for mm in window}
        keys |= set(sc.demand)
        shortfall_terms = []
        over_terms = []
        window_set = set(window)
        self.coverage_keys = [(s, d, mm) for s in sc.shops for d in range(sc.days) for mm in window]
        for key in sorted(keys):
            shop, d, minute = key
            vars_ = cover.get(key, [])
            minimum = sc.min_coverage if minute in window_set else 0
            need = max(sc.demand.get(key, 0), minimum)
            if minimum:
                if relax:
                    slack = m.new_int_var(0, minimum, f"slack_{shop}_{d}_{minute}")
                    self.slack[key] = slack
                    m.add(sum(vars_) + slack >= minimum)
                else:
                    m.add(sum(vars_) >= minimum)
            if relax:
                continue
            if need > minimum:
                short = m.new_int_var(0, need - minimum, f"short_{shop}_{d}_{minute}")
                m.add(sum(vars_) + short >= need)
                shortfall_terms.append(short)
                self.defs.append((short, "short", vars_, need))
            if vars_:
                over = m.new_int_var(0, len(sc.agents), f"over_{shop}_{d}_{minute}")
                m.add(over >= sum(vars_) - need)
                over_terms.append(over)
                self.defs.append((over, "over", vars_, need))
        if relax:
            m.minimize(sum(self.slack.values()))
            return

        # Agent slots outside every counted slot (a night shift's hours nobody asked for) are overstaffing too.
        counted = keys
        idle_terms = []
        for (_ai, d, ti, shop), var in self.x.items():
            base = d * MINUTES_PER_DAY
            idle = sum(
                1
                for s in per_tpl_slots[ti]
                if (shop, (base + s) // MINUTES_PER_DAY, (base + s) % MINUTES_PER_DAY) not in counted
            )
            if idle:
                idle_terms.append((idle, var))

        # Preferences: unwanted days and shifts cost, wished-for ones are rewarded (below coverage and demand,
        # and below the idle half hours of the shift, so a wish never adds a shift nobody needs).
        pref_terms = []
        wish_terms: list[tuple[int, Any]] = []
        for (ai, d, ti, _shop), var in self.x.items():
            agent = sc.agents[ai]
            code = templates[ti].code
            if code in agent.avoid_shifts:
                pref_terms.append(var)
            wishes = (code in agent.prefer_shifts) + (d in agent.days_wanted)
            reward = min(WEIGHT_WISH, (len(per_tpl_slots[ti]) - 1) // 2)
            if wishes and reward > 0:
                wish_terms.append((wishes * reward, var))
        for (ai, d), w in works.items():
            if d in sc.agents[ai].days_off_wanted:
                pref_terms.append(w)

        # Fairness: the busiest agent's late shifts, weekend days and holidays.
        fairness = []
        late_templates = {ti for ti, t in enumerate(templates) if t.end >= LATE_ENDS_AT}
        weekend_days = {d for d in range(sc.days) if sc.day_date(d).weekday() >= 5}
        picks: tuple[tuple[str, Callable[[int, int, int], bool]], ...] = (
            ("late", lambda ai, d, ti: ti in late_templates),
            ("weekend", lambda ai, d, ti: d in weekend_days),
            ("holiday", lambda ai, d, ti: d in sc.holidays),
        )
        for name, pick in picks:
            counts: dict[int, list[Any]] = defaultdict(list)
            for (ai, d, ti, _shop), var in self.x.items():
                if pick(ai, d, ti):
                    counts[ai].append(var)
            if not counts:
                continue
            most = m.new_int_var(0, sc.days, f"most_{name}")
            for vars_ in counts.values():
                m.add(sum(vars_) <= most)
            fairness.append(most)
            self.defs.append((most, "max", list(counts.values()), 0))

        self.objective_terms = (
            [(WEIGHT_SHORTFALL, v) for v in shortfall_terms]
            + [(WEIGHT_PREFERENCE, v) for v in pref_terms]
            + [(WEIGHT_FAIRNESS, v) for v in fairness]
            + [(-reward, v) for reward, v in wish_terms]
            + [(WEIGHT_OVERSTAFF, v) for v in over_terms]
            + [(WEIGHT_OVERSTAFF * idle, v) for idle, v in idle_terms]
        )
        m.minimize(sum(coef * var for coef, var in self.objective_terms))

    def _agent_vars(self, ai: int) -> list[tuple[tuple[int, int, int, str], Any]]:
        if not hasattr(self, "_by_agent"):
            grouped: dict[int, list[tuple[tuple[int, int, int, str], Any]]] = defaultdict(list)
            for key, var in self.x.items():
                grouped[key[0]].append((key, var))
            self._by_agent = grouped
        return self._by_agent.get(ai, [])

    def hint(self, chosen: set[tuple[int, int, int, str]]) -> tuple[bool, int]:
        """Hint a complete solution: the chosen shifts and every auxiliary variable they imply.

        Returns whether it keeps minimum coverage everywhere, and its objective value."""
        values: dict[int, int] = {}
        for key, var in self.x.items():
            value = 1 if key in chosen else 0
            self.m.add_hint(var, value)
            values[var.index] = value

        def total(vars_: list[Any]) -> int:
            return sum(values[v.index] for v in vars_)

        for var, kind, terms, need in self.defs:
            if kind == "sum":
                value = total(terms)
            elif kind == "short":
                value = max(0, need - total(terms))
            elif kind == "over":
                value = max(0, total(terms) - need)
            else:
                value = max(total(group) for group in terms)
            self.m.add_hint(var, value)
            values[var.index] = value
        covered = all(
            sum(values[h.index] for h in self.cover.get(key, [])) >= self.sc.min_coverage
            for key in self.coverage_keys
        )
        objective = sum(coef * values[var.index] for coef, var in self.objective_terms)
        return covered, objective


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, time_limit: float, progress: Callable[[SolveProgress], None] | None) -> None:
        super().__init__()
        self.started = started
        self.time_limit = time_limit
        self.progress = progress
        self.solutions = 0
        self.first_at: float | None = None
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        with self.lock:
            self.solutions += 1
            elapsed = time.perf_counter() - self.started
            if self.first_at is None:
                self.first_at = elapsed
            if self.progress is not None:
                self.progress(
                    SolveProgress(self.solutions, self.objective_value, self.best_objective_bound, elapsed, self.time_limit)
                )


def _solver(time_limit: float, num_workers: int | None, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit)
    solver.parameters.num_workers = num_workers or default_workers()
    solver.parameters.random_seed = seed
    return solver


def solve(
    scenario: Scenario,
    *,
    time_limit: float = 60.0,
    num_workers: int | None = None,
    progress: Callable[[SolveProgress], None] | None = None,
    seed: int = 0,
) -> RosterResult:
    """Solve within `time_limit` seconds; returns the best roster found, or an explained `infeasible`."""
    started = time.perf_counter()
    reason = precheck(scenario)
    if reason is not None:
        text, detail = reason
        return RosterResult("infeasible", explanation=text, detail=detail, solve_seconds=time.perf_counter() - started)

    # A quick roster first: when it keeps every hard rule it is a roster in hand within about a second,
    # and the solver starts from it.
    first = greedy(scenario)
    first_ok = keeps_agent_rules(scenario, first) and keeps_min_coverage(scenario, first)
    first_at = time.perf_counter() - started if first_ok else None
    model = _Model(scenario)
    _covered, first_objective = model.hint(first)
    if first_ok and progress is not None and first_at is not None:
        progress(SolveProgress(0, float(first_objective), 0.0, first_at, time_limit))
    # Leave a little of the budget for reading the answer back (tens of thousands of variables).
    solver = _solver(time_limit - (time.perf_counter() - started) - max(0.5, 0.03 * time_limit), num_workers, seed)
    watcher = _Watcher(started, time_limit, progress)
    status = solver.solve(model.m, watcher)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        chosen = [key for key, var in model.x.items() if solver.boolean_value(var)]
        return RosterResult(
            "optimal" if status == cp_model.OPTIMAL else "feasible",
            assignments=_assignments(scenario, chosen),
            shortfall=shortfall_of(scenario, chosen),
            objective=solver.objective_value,
            bound=solver.best_objective_bound,
            solve_seconds=time.perf_counter() - started,
            first_solution_seconds=first_at if first_at is not None else watcher.first_at,
        )
    if status == cp_model.UNKNOWN and first_ok:
        # The solver ran out of time before even loading the quick roster: that roster keeps every rule.
        return RosterResult(
            "feasible",
            assignments=_assignments(scenario, first),
            shortfall=shortfall_of(scenario, first),
            objective=float(first_objective),
            bound=solver.best_objective_bound,
            solve_seconds=time.perf_counter() - started,
            first_solution_seconds=first_at,
        )

    # No roster: proven impossible, or none found in time. The relaxation either names the slots that
    # cannot be covered or (when time ran out) finds a roster after all.
    proven = status == cp_model.INFEASIBLE
    remaining = max(2.0, time_limit - (time.perf_counter() - started))
    result = explain(scenario, time_limit=remaining if not proven else min(remaining, 30.0), num_workers=num_workers)
    result.solve_seconds = time.perf_counter() - started
    if result.status == "infeasible" and not proven:
        result.explanation = f"在 {time_limit:.0f} 秒内未找到满足全部硬性规则的排班。" + result.explanation
    return result


def greedy(sc: Scenario) -> set[tuple[int, int, int, str]]:
    """A quick roster, day by day, that keeps the per-agent rules; the solver starts from it (a hint).

    Each step puts the shift (shop, template) that covers the most still-needed agent-slots (unmet minimum
    coverage first) on the eligible agent with the most hours left; an agent's hours are released through
    the week so the last days of a block are not left without anyone.
    """
    step = sc.slot_minutes
    per_day = MINUTES_PER_DAY // step
    horizon = (sc.days + 2) * per_day
    shop_index = {s: i for i, s in enumerate(sc.shops)}
    need_min = np.zeros((len(sc.shops), horizon), dtype=np.int64)
    need_dem = np.zeros((len(sc.shops), horizon), dtype=np.int64)
    window = sc.window_slots()
    for d in range(sc.days):
        for si in shop_index.values():
            for minute in window:
                need_min[si, d * per_day + minute // step] = sc.min_coverage
    for (shop, d, minute), need in sc.demand.items():
        need_dem[shop_index[shop], d * per_day + minute // step] = need
    need_dem = np.maximum(need_dem - need_min, 0)
    spans = [(-(-t.start // step), t.end // step) for t in sc.templates]
    late = [t.end >= LATE_ENDS_AT for t in sc.templates]

    fixed = defaultdict(list)
    for f in sc.fixed:
        fixed[f.day].append(f)
    agent_index = {a.id: i for i, a in enumerate(sc.agents)}
    last_end = [-(10**9)] * len(sc.agents)
    run = [0] * len(sc.agents)
    worked_prev = [False] * len(sc.agents)
    block_used = [0] * len(sc.agents)
    late_count = [0] * len(sc.agents)
    chosen: set[tuple[int, int, int, str]] = set()

    pinned_start: dict[tuple[int, int], int] = {}
    pinned_minutes: dict[tuple[int, int], int] = defaultdict(int)
    for f in sc.fixed:
        t = sc.template(f.shift)
        pinned_start[agent_index[f.agent], f.day] = f.day * MINUTES_PER_DAY + t.start
        pinned_minutes[agent_index[f.agent], f.day // 7] += t.minutes

    def take(ai: int, d: int, ti: int, shop: str, *, pinned: bool = False) -> None:
        si = shop_index[shop]
        a, b = spans[ti]
        lo, hi = d * per_day + a, d * per_day + b
        covered_min = need_min[si, lo:hi] > 0
        need_min[si, lo:hi] -= covered_min
        rest = ~covered_min & (need_dem[si, lo:hi] > 0)
        need_dem[si, lo:hi] -= rest
        chosen.add((ai, d, ti, shop))
        t = sc.templates[ti]
        last_end[ai] = d * MINUTES_PER_DAY + t.end
        if not pinned:
            block_used[ai] += t.minutes
        late_count[ai] += late[ti]

    for d in range(sc.days):
        if d % 7 == 0:
            block_used = [pinned_minutes.get((ai, d // 7), 0) for ai in range(len(sc.agents))]
        day_in_block = d % 7
        block_len = min(7, sc.days - (d - day_in_block))
        busy: set[int] = set()
        for f in fixed.get(d, []):
            ai = agent_index[f.agent]
            take(ai, d, next(i for i, t in enumerate(sc.templates) if t.code == f.shift), f.shop, pinned=True)
            busy.add(ai)
        exhausted: set[tuple[int, int]] = set()
        while True:
            best, best_gain = None, 0
            for si in range(len(sc.shops)):
                for ti, (a, b) in enumerate(spans):
                    if (si, ti) in exhausted:
                        continue
                    lo, hi = d * per_day + a, d * per_day + b
                    wanted_min = int(np.count_nonzero(need_min[si, lo:hi]))
                    wanted = int(np.count_nonzero(need_min[si, lo:hi] + need_dem[si, lo:hi]))
                    # Weighted as the objective is: minimum coverage first, then demand, less idle slots.
                    gain = 100_000 * wanted_min + WEIGHT_SHORTFALL * (wanted - wanted_min) - (hi - lo - wanted)
                    if gain > best_gain:
                        best, best_gain = (si, ti), gain
            if best is None:
                break
            si, ti = best
            shop, t = sc.shops[si], sc.templates[ti]
            urgent = best_gain >= 100_000 - per_day
            start_abs = d * MINUTES_PER_DAY + t.start
            pick, pick_key = None, None
            for ai, agent in enumerate(sc.agents):
                if ai in busy or d in agent.unavailable or not agent.may_serve(shop, d):
                    continue
                if start_abs - last_end[ai] < sc.min_rest_minutes:
                    continue
                if worked_prev[ai] and run[ai] >= sc.max_consecutive_days:
                    continue
                if block_used[ai] + t.minutes > agent.max_minutes_per_week:
                    continue
                # Release hours through the block unless a minimum-coverage hole needs filling.
                # (an agent may run at most one shift ahead of an even spread over the block's days).
                pace = agent.max_minutes_per_week * (day_in_block + 1) / block_len
                if not urgent and block_used[ai] > pace:
                    continue
                end_abs = d * MINUTES_PER_DAY + t.end
                if any(
                    (ai, d + k) in pinned_start and pinned_start[ai, d + k] - end_abs < sc.min_rest_minutes
                    for k in (1, 2)
                ):
                    continue
                key = (
                    t.code in agent.avoid_shifts or d in agent.days_off_wanted,
                    -((t.code in agent.prefer_shifts) + (d in agent.days_wanted)),
                    block_used[ai],
                    late_count[ai] if late[ti] else 0,
                    len(agent.shops),
                    run[ai] if worked_prev[ai] else 0,
                )
                if pick_key is None or key < pick_key:
                    pick, pick_key = ai, key
            if pick is None:
                exhausted.add(best)
                continue
            take(pick, d, ti, shop)
            busy.add(pick)
        for ai in range(len(sc.agents)):
            if ai in busy:
                run[ai] = run[ai] + 1 if worked_prev[ai] else 1
                worked_prev[ai] = True
            else:
                run[ai] = 0
                worked_prev[ai] = False
    return chosen


def keeps_min_coverage(sc: Scenario, chosen: Collection[tuple[int, int, int, str]]) -> bool:
    count: dict[tuple[str, int], int] = defaultdict(int)
    for _ai, d, ti, shop in chosen:
        t = sc.templates[ti]
        for s in covered_slots(sc, d * MINUTES_PER_DAY + t.start, d * MINUTES_PER_DAY + t.end):
            count[shop, s] += 1
    return all(
        count.get((shop, d * MINUTES_PER_DAY + m), 0) >= sc.min_coverage
        for shop in sc.shops
        for d in range(sc.days)
        for m in sc.window_slots()
    )


def keeps_agent_rules(sc: Scenario, chosen: Collection[tuple[int, int, int, str]]) -> bool:
    """Whether a set of shifts keeps every per-agent rule (used to trust the quick roster on its own)."""
    by_agent: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for ai, d, ti, shop in chosen:
        by_agent[ai].append((d, ti, shop))
    for ai, shifts in by_agent.items():
        agent = sc.agents[ai]
        shifts.sort()
        days = [d for d, _ti, _shop in shifts]
        if len(set(days)) != len(days):
            return False
        if any(d in agent.unavailable or not agent.may_serve(shop, d) for d, _ti, shop in shifts):
            return False
        for (d1, t1, _), (d2, t2, _) in zip(shifts, shifts[1:], strict=False):
            gap = d2 * MINUTES_PER_DAY + sc.templates[t2].start - (d1 * MINUTES_PER_DAY + sc.templates[t1].end)
            if gap < sc.min_rest_minutes:
                return False
        run = 0
        for i, d in enumerate(days):
            run = run + 1 if i and days[i - 1] == d - 1 else 1
            if run > sc.max_consecutive_days:
                return False
        blocks: dict[int, int] = defaultdict(int)
        for d, ti, _shop in shifts:
            blocks[d // 7] += sc.templates[ti].minutes
        if any(total > agent.max_minutes_per_week for total in blocks.values()):
            return False
    return True


def _assignments(sc: Scenario, chosen: Collection[tuple[int, int, int, str]]) -> list[dict[str, str]]:
    rows = [
        {"agent": sc.agents[ai].id, "date": sc.day_date(d).isoformat(), "shift": sc.templates[ti].code, "shop": shop}
        for ai, d, ti, shop in chosen
    ]
    rows.sort(key=lambda r: (r["date"], r["shop"], r["shift"], r["agent"]))
    return rows


def shortfall_of(sc: Scenario, chosen: Collection[tuple[int, int, int, str]]) -> list[dict[str, Any]]:
    """Demand minus agents on shift, for every listed slot where agents are missing."""
    count: dict[tuple[str, int, int], int] = defaultdict(int)
    for _ai, d, ti, shop in chosen:
        t = sc.templates[ti]
        for s in covered_slots(sc, d * MINUTES_PER_DAY + t.start, d * MINUTES_PER_DAY + t.end):
            count[shop, s // MINUTES_PER_DAY, s % MINUTES_PER_DAY] += 1
    rows = []
    for (shop, d, minute), need in sorted(sc.demand.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])):
        missing = need - count.get((shop, d, minute), 0)
        if missing > 0:
            rows.append({"shop": shop, "date": sc.day_date(d).isoformat(), "slot": hhmm(minute), "missing": missing})
    return rows


def precheck(sc: Scenario) -> tuple[str, dict[str, Any]] | None:
    """Cheap reasons a roster cannot exist: a slot no agent could ever cover, or a pinned shift that breaks a rule."""
    if sc.min_coverage:
        # For each shop, slot: how many distinct agents have some shift that could cover it.
        coverers: dict[tuple[str, int, int], set[str]] = defaultdict(set)
        per_tpl = [(t, covered_slots(sc, t.start, t.end)) for t in sc.templates]
        fixed = {(f.agent, f.day): f for f in sc.fixed}
        window = sc.window_slots()
        wanted = {(d, mm) for d in range(sc.days) for mm in window}
        for agent in sc.agents:
            for d in range(sc.days):
                pin = fixed.get((agent.id, d))
                if d in agent.unavailable and pin is None:
                    continue
                for t, slots in per_tpl:
                    if pin is not None and pin.shift != t.code:
                        continue
                    if t.minutes > agent.max_minutes_per_week:
                        continue
                    for shop in agent.shops:
                        if not agent.may_serve(shop, d) or (pin is not None and pin.shop != shop):
                            continue
                        for s in slots:
                            absolute = d * MINUTES_PER_DAY + s
                            key = (absolute // MINUTES_PER_DAY, absolute % MINUTES_PER_DAY)
                            if key in wanted:
                                coverers[shop, key[0], key[1]].add(agent.id)
        for d in range(sc.days):
            for shop in sc.shops:
                for minute in window:
                    n = len(coverers.get((shop, d, minute), ()))
                    if n < sc.min_coverage:
                        day = sc.day_date(d).isoformat()
                        return (
                            f"店铺 {shop} 在 {day} {hhmm(minute)} 时段无人可排：只有 {n} 名客服能上这个时段"
                            f"（需要至少 {sc.min_coverage} 名；已考虑店铺资格、不可排日期和班次模板）。",
                            {"shop": shop, "date": day, "slot": hhmm(minute), "available": n, "needed": sc.min_coverage},
                        )
    problem = _fixed_conflicts(sc)
    if problem is not None:
        return problem
    return None


def _fixed_conflicts(sc: Scenario) -> tuple[str, dict[str, Any]] | None:
    """A pinned shift that an agent's own rules forbid: no roster can keep it."""
    agents = {a.id: a for a in sc.agents}
    by_agent: dict[str, list[Any]] = defaultdict(list)
    for f in sc.fixed:
        by_agent[f.agent].append(f)
    for agent_id, pins in by_agent.items():
        agent = agents[agent_id]
        pins.sort(key=lambda f: f.day)

        def fail(text: str, day: int, agent_id: str = agent_id) -> tuple[str, dict[str, Any]]:
            date = sc.day_date(day).isoformat()
            return f"客服 {agent_id} 在 {date} 的已发布班次无法保留：{text}", {"agent": agent_id, "date": date}

        seen_days = set()
        for f in pins:
            if f.day in seen_days:
                return fail("同一天有两个已发布班次。", f.day)
            seen_days.add(f.day)
            if f.day in agent.unavailable:
                return fail("这一天不可排班。", f.day)
            if not agent.may_serve(f.shop, f.day):
                return fail(f"没有店铺 {f.shop} 的有效资格。", f.day)
        for a, b in zip(pins, pins[1:], strict=False):
            end = a.day * MINUTES_PER_DAY + sc.template(a.shift).end
            start = b.day * MINUTES_PER_DAY + sc.template(b.shift).start
            if start - end < sc.min_rest_minutes:
                return fail("与前一个班次之间的休息时间不足。", b.day)
        for b0 in range(0, sc.days, 7):
            total = sum(sc.template(f.shift).minutes for f in pins if b0 <= f.day < b0 + 7)
            if total > agent.max_minutes_per_week:
                return fail("这一周的工时已超过上限。", b0)
        run, last = 0, None
        for f in pins:
            run = run + 1 if last is not None and f.day == last + 1 else 1
            last = f.day
            if run > sc.max_consecutive_days:
                return fail("连续工作天数超过上限。", f.day)
    return None


def explain(sc: Scenario, *, time_limit: float, num_workers: int | None = None) -> RosterResult:
    """Solve with minimum coverage made soft: the slots left short are the ones no roster can serve."""
    started = time.perf_counter()
    relaxed = _Model(sc, relax=True)
    solver = _solver(time_limit, num_workers, 0)
    status = solver.solve(relaxed.m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return RosterResult(
            "infeasible",
            explanation="已发布（固定）的班次与客服的规则冲突，无法排班。",
            solve_seconds=time.perf_counter() - started,
        )
    short = [(key, solver.value(var)) for key, var in relaxed.slack.items() if solver.value(var) > 0]
    if not short:
        chosen = [key for key, var in relaxed.x.items() if solver.boolean_value(var)]
        return RosterResult(
            "feasible",
            assignments=_assignments(sc, chosen),
            shortfall=shortfall_of(sc, chosen),
            objective=None,
            bound=None,
            solve_seconds=time.perf_counter() - started,
            explanation="",
        )
    short.sort(key=lambda kv: (kv[0][1], kv[0][0], kv[0][2]))
    (shop, d, minute), missing = short[0]
    day = sc.day_date(d).isoformat()
    others = len(short) - 1
    text = (
        f"店铺 {shop} 在 {day} {hhmm(minute)} 时段无法达到最低 {sc.min_coverage} 人覆盖（缺 {missing} 人）："
        f"能上这个时段的客服受休息时间、连续工作天数或每周工时限制，已排满。"
    )
    if others:
        text += f"另有 {others} 个时段同样无法覆盖。"
    if status != cp_model.OPTIMAL:
        text += "（这是时限内找到的最好结果，可能还有更好的排法。）"
    return RosterResult(
        "infeasible",
        explanation=text,
        detail={
            "shop": shop,
            "date": day,
            "slot": hhmm(minute),
            "missing": missing,
            "slots": [
                {"shop": k[0], "date": sc.day_date(k[1]).isoformat(), "slot": hhmm(k[2]), "missing": v}
                for k, v in short[:50]
            ],
        },
        solve_seconds=time.perf_counter() - started,
    )
