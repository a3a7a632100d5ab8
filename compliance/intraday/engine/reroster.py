"""A minimal-change re-roster of the rest of one shop's day (CP-SAT), proposed beside the overtime and moves.

Over the half hours still to come (those starting at or after `now_minute`) it may:

1. **extend** the end of a published shift of the shop by whole half hours (the shift then covers each half
   hour that starts before its new end), at most `max_extension_minutes`, keeping the agent's hours in the
   roster's week within `max_week_minutes` and at least `min_rest_minutes` before their next shift;
2. **call in** an agent who is off today and certified for the shop, for one block of whole half hours of at
   least `min_call_in_minutes` and at most `max_call_in_minutes` inside the day, within the agent's week hours
   and with the rest rule kept after their previous shift and before their next one.

Lexicographic objective, made one weighted sum: first the remaining gap (short agent half hours summed over the
half hours to come), then the number of changed shifts (an extension or a call-in counts one), then the added
agent half hours. A shift not extended and an agent not called in stay as published. The model is small (a
few hundred booleans for a shop); it is solved on one worker with a time limit, so the answer is the same on
every run; `optimal` says whether the solver proved it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from compliance.intraday.engine.reforecast import SLOT_MINUTES, SLOTS_PER_DAY
from compliance.intraday.engine.suggestions import AgentShift

EXTEND = "extend"
CALL_IN = "call_in"


@dataclass(frozen=True)
class OffAgent:
    """An agent certified for the shop with no shift today."""

    agent: int
    week_minutes: int  # minutes rostered in the roster's 7-day block holding today
    max_week_minutes: int
    previous_end_minute: int | None  # the end of their last shift before today, in minutes from today's midnight
    next_start_minute: int | None  # the start of their next shift after today
    min_rest_minutes: int


@dataclass(frozen=True)
class Change:
    kind: str
    agent: int
    shift: int | None  # the extended shift; None for a call-in
    start_minute: int  # a call-in's start; an extension's old end
    end_minute: int  # the new end

    @property
    def added_minutes(self) -> int:
        return self.end_minute - self.start_minute

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "agent": self.agent, "shift": self.shift, "start_minute": self.start_minute,
                "end_minute": self.end_minute}


@dataclass(frozen=True)
class Reroster:
    changes: tuple[Change, ...]
    gap_before: int  # short agent half hours to come, as published
    gap_after: int
    optimal: bool

    @property
    def closed(self) -> int:
        return self.gap_before - self.gap_after


def _first_open(now_minute: int) -> int:
    return -(-max(0, now_minute) // SLOT_MINUTES)


def _extensions(shift: AgentShift, first_open: int, max_extension_minutes: int) -> list[tuple[int, list[int]]]:
    """(new end, half hours it adds) for each allowed extension of `shift`."""
    first = -(-shift.end_minute // SLOT_MINUTES)
    if first < first_open:  # the shift ends before the rest of the day: it would not be "today's rest"
        return []
    out = []
    for length in range(1, SLOTS_PER_DAY - first + 1):
        ends = (first + length) * SLOT_MINUTES
        extra = ends - shift.end_minute
        if extra > max_extension_minutes or shift.week_minutes + extra > shift.max_week_minutes:
            break
        if shift.next_start_minute is not None and shift.next_start_minute - ends < shift.min_rest_minutes:
            break
        out.append((ends, list(range(first, first + length))))
    return out


def _call_ins(agent: OffAgent, first_open: int, shortage: Sequence[int], min_slots: int, max_slots: int) -> list[tuple[int, int]]:
    """(first half hour, length) of each allowed call-in block that covers at least one short half hour."""
    out = []
    for first in range(first_open, SLOTS_PER_DAY):
        start = first * SLOT_MINUTES
        if agent.previous_end_minute is not None and start - agent.previous_end_minute < agent.min_rest_minutes:
            continue
        for length in range(min_slots, max_slots + 1):
            if first + length > SLOTS_PER_DAY:
                break
            ends = (first + length) * SLOT_MINUTES
            if agent.week_minutes + length * SLOT_MINUTES > agent.max_week_minutes:
                break
            if agent.next_start_minute is not None and agent.next_start_minute - ends < agent.min_rest_minutes:
                break
            if any(shortage[i] > 0 for i in range(first, first + length)):
                out.append((first, length))
    return out


def reroster(
    *,
    shortage: Sequence[int],
    shifts: Sequence[AgentShift],
    off_agents: Sequence[OffAgent],
    now_minute: int,
    max_extension_minutes: int = 120,
    min_call_in_minutes: int = 120,
    max_call_in_minutes: int = 240,
    time_limit_seconds: float = 1.0,
) -> Reroster | None:
    """The re-roster of one shop's rest of day. `shortage` is required − rostered per half hour (negative or 0
    where nothing is short); `shifts` are the shop's published shifts still running or to come; `off_agents`
    those who may be called in. None when no change closes any of the gap."""
    if len(shortage) != SLOTS_PER_DAY:
        raise ValueError(f"shortage: {len(shortage)} values for {SLOTS_PER_DAY} half hours")
    first_open = _first_open(now_minute)
    short = [max(0, int(v)) if i >= first_open else 0 for i, v in enumerate(shortage)]
    gap_before = sum(short)
    if not gap_before:
        return None
    min_slots = -(-min_call_in_minutes // SLOT_MINUTES)
    max_slots = max(min_slots, max_call_in_minutes // SLOT_MINUTES)

    model = cp_model.CpModel()
    covering: dict[int, list[cp_model.IntVar]] = {i: [] for i in range(SLOTS_PER_DAY) if short[i]}
    options: list[tuple[cp_model.IntVar, Change, int]] = []  # (chosen, change, added half hours)
    changed: list[cp_model.IntVar] = []
    for shift in sorted(shifts, key=lambda s: (s.end_minute, s.agent, s.shift)):
        choices = []
        for ends, slots in _extensions(shift, first_open, max_extension_minutes):
            if not any(short[i] for i in slots):
                continue
            chosen = model.new_bool_var(f"x{shift.shift}_{ends}")
            choices.append(chosen)
            options.append((chosen, Change(EXTEND, shift.agent, shift.shift, shift.end_minute, ends), len(slots)))
            for i in slots:
                if short[i]:
                    covering[i].append(chosen)
        if choices:
            model.add_at_most_one(choices)
            changed.extend(choices)
    for agent in sorted(off_agents, key=lambda a: a.agent):
        choices = []
        for first, length in _call_ins(agent, first_open, short, min_slots, max_slots):
            chosen = model.new_bool_var(f"y{agent.agent}_{first}_{length}")
            choices.append(chosen)
            change = Change(CALL_IN, agent.agent, None, first * SLOT_MINUTES, (first + length) * SLOT_MINUTES)
            options.append((chosen, change, length))
            for i in range(first, first + length):
                if short[i]:
                    covering[i].append(chosen)
        if choices:
            model.add_at_most_one(choices)
            changed.extend(choices)
    if not options:
        return None

    remaining = []
    for i, chosen_here in covering.items():
        left = model.new_int_var(0, short[i], f"gap{i}")
        model.add(left + sum(chosen_here) >= short[i])
        remaining.append(left)
    # weights that make the sum lexicographic: one half hour of gap outweighs every change and every added hour
    max_added = sum(added for _c, _ch, added in options) or 1
    w_change = max_added + 1
    w_gap = w_change * (len(changed) + 1)
    model.minimize(
        w_gap * sum(remaining) + w_change * sum(changed) + sum(added * chosen for chosen, _ch, added in options)
    )
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = time_limit_seconds
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    picked = tuple(
        sorted((change for chosen, change, _a in options if solver.value(chosen)),
               key=lambda c: (c.start_minute, c.kind, c.agent))
    )
    gap_after = sum(solver.value(v) for v in remaining)
    if not picked or gap_after >= gap_before:
        return None
    return Reroster(changes=picked, gap_before=gap_before, gap_after=gap_after, optimal=status == cp_model.OPTIMAL)
