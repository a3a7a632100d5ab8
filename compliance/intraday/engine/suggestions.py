"""What a manager can do about the gaps still to come today, in the order it is proposed:

1. **Move** an agent certified for both shops from a shop with a surplus to one that is short in the same
   half hours, for the longest run of such half hours within the agent's shift (at least `min_move_minutes`).
   A surplus is what a shop has beyond its required agents and, inside its service window, beyond the
   roster's minimum coverage. Moves cost nothing, so they go first.
2. **Overtime**: extend the shift of an agent whose shift ends just before a short half hour, for as many
   short half hours in a row as the roster's rules allow: at most `max_overtime_minutes`, the agent's hours in
   the roster's week within `max_week_minutes`, and at least `min_rest_minutes` before their next shift.
   The agent's own shop is served first, then other shops they are certified for.

Each shift gets at most one suggestion. Times are minutes from the day's local midnight (a night shift that
began yesterday starts below 0); a shift covers a half hour when the half hour starts inside it (as the
rostered counts are made). Only half hours that start at or after `now_minute` are touched. Greedy and
deterministic: shops by their total shortage (largest first, then id), shifts by start, end and agent.

This is not a re-roster: it changes nothing that is published. A manager accepts each suggestion on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from compliance.intraday.engine.reforecast import SLOT_MINUTES, SLOTS_PER_DAY

OVERTIME = "overtime"
MOVE = "move"


@dataclass(frozen=True)
class AgentShift:
    shift: int
    agent: int
    shop: int
    start_minute: int
    end_minute: int
    week_minutes: int  # minutes rostered for the agent in the roster's 7-day block holding this shift
    max_week_minutes: int
    next_start_minute: int | None  # the agent's next shift, in minutes from this day's midnight
    min_rest_minutes: int
    certified: frozenset[int]  # shops the agent is certified for now


@dataclass(frozen=True)
class ShopNeed:
    shop: int
    required: tuple[int, ...]
    rostered: tuple[int, ...]
    window: frozenset[int]
    min_coverage: int = 1


@dataclass(frozen=True)
class Suggestion:
    kind: str
    shift: int
    agent: int
    from_shop: int
    to_shop: int
    start_minute: int
    end_minute: int
    half_hours: int  # short half hours it covers

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "shift": self.shift, "agent": self.agent, "from_shop": self.from_shop,
                "to_shop": self.to_shop, "start_minute": self.start_minute, "end_minute": self.end_minute,
                "half_hours": self.half_hours}


def _covers(shift: AgentShift, index: int) -> bool:
    return shift.start_minute <= index * SLOT_MINUTES < shift.end_minute


def _longest_run(indices: Sequence[int]) -> tuple[int, int]:
    """(first, length) of the longest run of consecutive indices (the earliest when tied)."""
    best = (0, 0)
    start = prev = None
    for i in indices:
        if start is None or prev is None or i != prev + 1:
            start = i
        prev = i
        length = i - start + 1
        if length > best[1]:
            best = (start, length)
    return best


def suggest(
    *,
    needs: Sequence[ShopNeed],
    shifts: Sequence[AgentShift],
    now_minute: int,
    max_overtime_minutes: int = 120,
    min_move_minutes: int = 60,
) -> list[Suggestion]:
    by_shop = {n.shop: n for n in needs}
    short = {n.shop: [max(0, r - a) for r, a in zip(n.required, n.rostered, strict=True)] for n in needs}
    spare = {
        n.shop: [
            max(0, a - max(r, n.min_coverage if i in n.window else 0))
            for i, (r, a) in enumerate(zip(n.required, n.rostered, strict=True))
        ]
        for n in needs
    }
    first_open = -(-max(0, now_minute) // SLOT_MINUTES)  # the first half hour starting at or after now
    shop_order = sorted(by_shop, key=lambda s: (-sum(short[s][first_open:]), s))
    rank = {s: k for k, s in enumerate(shop_order)}
    ordered = sorted(shifts, key=lambda s: (s.start_minute, s.end_minute, s.agent, s.shift))
    used: set[int] = set()
    out: list[Suggestion] = []

    # 1. moves between shops
    for shift in ordered:
        if shift.shop not in by_shop:
            continue
        for target in sorted(shift.certified - {shift.shop}, key=lambda s: rank.get(s, len(rank))):
            if target not in by_shop:
                continue
            slots = [
                i for i in range(first_open, SLOTS_PER_DAY)
                if _covers(shift, i) and spare[shift.shop][i] > 0 and short[target][i] > 0
            ]
            first, length = _longest_run(slots)
            if length * SLOT_MINUTES < min_move_minutes:
                continue
            for i in range(first, first + length):
                spare[shift.shop][i] -= 1
                short[target][i] -= 1
            out.append(Suggestion(
                MOVE, shift.shift, shift.agent, shift.shop, target, first * SLOT_MINUTES,
                min(shift.end_minute, (first + length) * SLOT_MINUTES), length,
            ))
            used.add(shift.shift)
            break

    # 2. overtime right after a shift ends
    by_end = sorted(
        (s for s in shifts if now_minute <= s.end_minute < SLOTS_PER_DAY * SLOT_MINUTES),
        key=lambda s: (s.end_minute, s.start_minute, s.agent, s.shift),
    )
    own: dict[int, list[AgentShift]] = {}
    helping: dict[int, list[AgentShift]] = {}
    for shift in by_end:
        own.setdefault(shift.shop, []).append(shift)
        for other in shift.certified - {shift.shop}:
            helping.setdefault(other, []).append(shift)
    for shop in shop_order:
        if not any(short[shop][first_open:]):
            continue
        for shift in own.get(shop, []) + helping.get(shop, []):
            if shift.shift in used:
                continue
            first = -(-shift.end_minute // SLOT_MINUTES)
            length = 0
            while first + length < SLOTS_PER_DAY and short[shop][first + length] > 0:
                ends = (first + length + 1) * SLOT_MINUTES
                extra = ends - shift.end_minute
                if extra > max_overtime_minutes or shift.week_minutes + extra > shift.max_week_minutes:
                    break
                if shift.next_start_minute is not None and shift.next_start_minute - ends < shift.min_rest_minutes:
                    break
                length += 1
            if not length:
                continue
            for i in range(first, first + length):
                short[shop][i] -= 1
            out.append(Suggestion(
                OVERTIME, shift.shift, shift.agent, shift.shop, shop, shift.end_minute,
                (first + length) * SLOT_MINUTES, length,
            ))
            used.add(shift.shift)
    return out
