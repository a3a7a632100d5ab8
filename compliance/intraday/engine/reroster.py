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


def _extensions(
    shift: AgentShift, first_open: int, shortage: Sequence[int], max_extension_minutes: int,
) -> list[tuple[int, list[int]]]:
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
        # an extension ending on a half hour nothing is short in is beaten by the one before it
        if shortage[first + length - 1] > 0:
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
            # a block longer than the minimum that starts or ends on a half hour nothing is short in is beaten by
            # the same block trimmed (the same cover, fewer hours, the rules still kept): left out of the model
            if length > min_slots and not (shortage[first] > 0 and shortage[first + length - 1] > 0):
                continue
            if any(shortage[i] > 0 for i in range(first, first + length)):
                out.append((first, length))
    return out


@dataclass(frozen=True)
class ShopToReroster:
    """One shop for `reroster_all`: required − rostered per half hour (`shortage`; 0 or below where nothing is
    short), its published shifts still running or to come, and the agents off today who may be called in."""

    shop: int
    shortage: Sequence[int]
    shifts: Sequence[AgentShift]
    off_agents: Sequence[OffAgent]


@dataclass
class _ShopModel:
    short: list[int]
    remaining: list[cp_model.IntVar]
    options: list[tuple[cp_model.IntVar, Change]]
    called: list[tuple[cp_model.IntVar, list[int], int, int]]  # (how many, the group's agents, first, length)


def reroster(
    *,
    shortage: Sequence[int],
    shifts: Sequence[AgentShift],
    off_agents: Sequence[OffAgent],
    now_minute: int,
    **limits: float,
) -> Reroster | None:
    """The re-roster of one shop's rest of day (see `reroster_all`). None when no change closes any of the gap."""
    one = ShopToReroster(shop=0, shortage=shortage, shifts=shifts, off_agents=off_agents)
    return reroster_all([one], now_minute=now_minute, **limits).get(0)  # type: ignore[arg-type]


def _add_shop(
    model: cp_model.CpModel, shop: ShopToReroster, *, first_open: int, max_extension_minutes: int, min_slots: int,
    max_slots: int, changed: list[cp_model.IntVar], added: list[cp_model.LinearExprT],
) -> _ShopModel | None:
    short = [max(0, int(v)) if i >= first_open else 0 for i, v in enumerate(shop.shortage)]
    if not sum(short):
        return None
    tag = f"s{shop.shop}"
    covering: dict[int, list[cp_model.IntVar]] = {i: [] for i in range(SLOTS_PER_DAY) if short[i]}
    options: list[tuple[cp_model.IntVar, Change]] = []
    for shift in sorted(shop.shifts, key=lambda s: (s.end_minute, s.agent, s.shift)):
        choices = []
        for ends, slots in _extensions(shift, first_open, short, max_extension_minutes):
            chosen = model.new_bool_var(f"{tag}x{shift.shift}_{ends}")
            choices.append(chosen)
            options.append((chosen, Change(EXTEND, shift.agent, shift.shift, shift.end_minute, ends)))
            added.append(len(slots) * chosen)
            for i in slots:
                if short[i]:
                    covering[i].append(chosen)
        if choices:
            model.add_at_most_one(choices)
            changed.extend(choices)
    # agents off today with the same hours and rest limits are interchangeable: one integer per group and block
    groups: dict[tuple[int, int, int | None, int | None, int], list[int]] = {}
    for agent in sorted(shop.off_agents, key=lambda a: a.agent):
        key = (agent.week_minutes, agent.max_week_minutes, agent.previous_end_minute, agent.next_start_minute,
               agent.min_rest_minutes)
        groups.setdefault(key, []).append(agent.agent)
    called = []
    for n, (key, members) in enumerate(groups.items()):
        counts = []
        for first, length in _call_ins(OffAgent(members[0], *key), first_open, short, min_slots, max_slots):
            many = model.new_int_var(0, min(len(members), max(short[first:first + length])), f"{tag}y{n}_{first}_{length}")
            counts.append(many)
            called.append((many, members, first, length))
            added.append(length * many)
            for i in range(first, first + length):
                if short[i]:
                    covering[i].append(many)
        if counts:
            model.add(sum(counts) <= len(members))
            changed.extend(counts)
    if not options and not called:
        return None
    remaining = []
    for i, here in covering.items():
        left = model.new_int_var(0, short[i], f"{tag}gap{i}")
        model.add(left + sum(here) >= short[i])
        remaining.append(left)
    return _ShopModel(short=short, remaining=remaining, options=options, called=called)


def reroster_all(
    shops: Sequence[ShopToReroster],
    *,
    now_minute: int,
    max_extension_minutes: int = 120,
    min_call_in_minutes: int = 120,
    max_call_in_minutes: int = 240,
    time_limit_seconds: float = 0.5,
) -> dict[int, Reroster]:
    """The re-roster of every shop given, by shop, for those where some change closes some of the gap. One
    small model per shop (one model for all shops took the solver longer than the sum of its parts)."""
    for shop in shops:
        if len(shop.shortage) != SLOTS_PER_DAY:
            raise ValueError(f"shortage: {len(shop.shortage)} values for {SLOTS_PER_DAY} half hours")
    first_open = _first_open(now_minute)
    min_slots = -(-min_call_in_minutes // SLOT_MINUTES)
    max_slots = max(min_slots, max_call_in_minutes // SLOT_MINUTES)
    out = {}
    for shop in shops:
        model = cp_model.CpModel()
        changed: list[cp_model.IntVar] = []
        added: list[cp_model.LinearExprT] = []  # added half hours, as linear terms
        one = _add_shop(model, shop, first_open=first_open, max_extension_minutes=max_extension_minutes,
                        min_slots=min_slots, max_slots=max_slots, changed=changed, added=added)
        if one is None:
            continue
        # weights that make the sum lexicographic: a half hour of gap outweighs every change and added hour
        most_changes = len(shop.shifts) + len(shop.off_agents)
        max_added = most_changes * max(max_slots, -(-max_extension_minutes // SLOT_MINUTES) + 1) + 1
        w_change = max_added + 1
        w_gap = w_change * (most_changes + 1)
        model.minimize(cp_model.LinearExpr.sum([w_gap * cp_model.LinearExpr.sum(one.remaining),
                                                w_change * cp_model.LinearExpr.sum(changed), *added]))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = time_limit_seconds
        solver.parameters.cp_model_presolve = False  # a third of the time on these small models, the same answers
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        picked = [change for chosen, change in one.options if solver.value(chosen)]
        free = {id(members): list(members) for _m, members, _f, _l in one.called}
        for many, members, first, length in one.called:
            for _k in range(solver.value(many)):
                picked.append(Change(CALL_IN, free[id(members)].pop(0), None, first * SLOT_MINUTES,
                                     (first + length) * SLOT_MINUTES))
        gap_before = sum(one.short)
        gap_after = sum(solver.value(v) for v in one.remaining)
        if picked and gap_after < gap_before:
            out[shop.shop] = Reroster(
                changes=tuple(sorted(picked, key=lambda c: (c.start_minute, c.kind, c.agent))),
                gap_before=gap_before, gap_after=gap_after, optimal=status == cp_model.OPTIMAL,
            )
    return out
