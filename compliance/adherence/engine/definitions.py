"""Schedule adherence of rostered shifts against the chat logs, exactly as contracts §10 defines it.

A shift runs from its start to its end (past midnight when the end is not after the start), in
Asia/Shanghai time, and is cut into `slot_minutes` slots counted from its start (the last one may be
shorter when the shift is not a whole number of slots). For one shift of agent A in shop S:

- a **demand slot** is a slot in which S received a buyer message; an **active** one is a demand slot in
  which A sent an agent message in S; `adherence` = active ÷ demand slots (None without demand);
- `first_activity` / `last_activity`: A's first and last agent message in S during the shift;
- `no_show`: the shift had a demand slot and A sent nothing in S during it;
- `late_minutes`: when a buyer message reached S at or after the start and before A's first activity,
  ⌊max(0, minutes from the start to the first activity − grace)⌋; else 0; None on a no-show;
- `idle_waits` (空挂): buyer turns of S (as contracts §7 defines turns, per session) whose first buyer
  message falls in the shift, answered after more than 300 s or never, during whose wait A sent nothing
  in S. The wait runs from the first buyer message up to the answer (excluded), or to the shift's end.

Every interval is closed at its start and open at its end. Messages are looked up by bisection in
per-shop and per-(shop, agent) sorted lists, so one pass builds the log and each shift costs
O(slots × log n).

The stored adherence (`compliance.adherence.services`) computes the same figures in SQL on PostgreSQL;
tests hold both to the same rows.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
IDLE_WAIT_SECONDS = 300.0

AgentRef = str | int  # a chat log's agent code, or a user id in the stored path
ShopRef = str | int  # a shop code, or a shop id


@dataclass(frozen=True)
class Shift:
    """One rostered shift: who, which shop, the day it starts and its aware start and end."""

    agent: AgentRef
    shop: ShopRef
    day: date
    code: str
    starts_at: datetime
    ends_at: datetime


def shift_bounds(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """Aware start and end of a shift starting on `day` (local); an end not after the start is next day."""
    starts = datetime.combine(day, start, tzinfo=SHANGHAI)
    ends = datetime.combine(day, end, tzinfo=SHANGHAI)
    if end <= start:
        ends = datetime.combine(day + timedelta(days=1), end, tzinfo=SHANGHAI)
    return starts, ends


@dataclass(frozen=True)
class ChatLine:
    """One message of a session, as the adherence needs it."""

    sender: str  # buyer | agent | bot | system
    sent_at: datetime  # aware
    agent: AgentRef | None = None


@dataclass
class ShopLog:
    """Sorted message times of each shop: buyer messages, each agent's messages, and buyer turns."""

    buyer: dict[ShopRef, list[datetime]] = field(default_factory=lambda: defaultdict(list))
    agent: dict[tuple[ShopRef, AgentRef], list[datetime]] = field(default_factory=lambda: defaultdict(list))
    # (first buyer message, answer or None) per turn, sorted by the first buyer message
    turns: dict[ShopRef, list[tuple[datetime, datetime | None]]] = field(default_factory=lambda: defaultdict(list))
    _sorted: bool = False

    def add_session(self, shop: ShopRef, messages: Iterable[ChatLine]) -> None:
        """Add one session's messages (any order: they are put in sending order, ties keep theirs)."""
        ordered = sorted(messages, key=lambda m: m.sent_at)
        n = len(ordered)
        next_agent: list[datetime | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            next_agent[i] = ordered[i].sent_at if ordered[i].sender == "agent" else next_agent[i + 1]
        previous: str | None = None
        for i, message in enumerate(ordered):
            if message.sender == "buyer":
                self.buyer[shop].append(message.sent_at)
                if previous != "buyer":
                    self.turns[shop].append((message.sent_at, next_agent[i + 1]))
            elif message.sender == "agent" and message.agent is not None and message.agent != "":
                self.agent[shop, message.agent].append(message.sent_at)
            previous = message.sender
        self._sorted = False

    def ready(self) -> None:
        if self._sorted:
            return
        for times in self.buyer.values():
            times.sort()
        for times in self.agent.values():
            times.sort()
        for turns in self.turns.values():
            turns.sort(key=lambda t: t[0])
        self._sorted = True


def _any_in(times: Sequence[datetime], start: datetime, end: datetime) -> bool:
    """Whether a sorted list holds a time t with start <= t < end."""
    i = bisect_left(times, start)
    return i < len(times) and times[i] < end


@dataclass(frozen=True)
class ShiftAdherence:
    shift: Shift
    demand_slots: int
    active_demand_slots: int
    first_activity: datetime | None
    last_activity: datetime | None
    late_minutes: int | None
    no_show: bool
    idle_waits: int

    @property
    def adherence(self) -> float | None:
        return None if not self.demand_slots else self.active_demand_slots / self.demand_slots

    def as_contract(self) -> dict[str, Any]:
        """The JSON object of `adherence` (contracts §10), rounded as printed there."""

        def hhmm(moment: datetime | None) -> str | None:
            return None if moment is None else moment.astimezone(SHANGHAI).strftime("%H:%M")

        rate = self.adherence
        return {
            "agent": self.shift.agent,
            "date": self.shift.day.isoformat(),
            "shift": self.shift.code,
            "shop": self.shift.shop,
            "demand_slots": self.demand_slots,
            "active_demand_slots": self.active_demand_slots,
            "adherence": None if rate is None else round(rate, 3),
            "first_activity": hhmm(self.first_activity),
            "last_activity": hhmm(self.last_activity),
            "late_minutes": self.late_minutes,
            "no_show": self.no_show,
            "idle_waits": self.idle_waits,
        }


def shift_adherence(shift: Shift, log: ShopLog, *, slot_minutes: int, grace_minutes: float) -> ShiftAdherence:
    log.ready()
    buyer = log.buyer.get(shift.shop, [])
    mine = log.agent.get((shift.shop, shift.agent), [])
    step = timedelta(minutes=slot_minutes)
    demand = active = 0
    slot_start = shift.starts_at
    while slot_start < shift.ends_at:
        slot_end = min(slot_start + step, shift.ends_at)
        if _any_in(buyer, slot_start, slot_end):
            demand += 1
            if _any_in(mine, slot_start, slot_end):
                active += 1
        slot_start = slot_end
    lo = bisect_left(mine, shift.starts_at)
    hi = bisect_left(mine, shift.ends_at)
    first = mine[lo] if lo < hi else None
    last = mine[hi - 1] if lo < hi else None
    no_show = demand > 0 and first is None
    late: int | None
    if no_show:
        late = None
    elif first is not None and _any_in(buyer, shift.starts_at, first):
        minutes = (first - shift.starts_at).total_seconds() / 60 - grace_minutes
        late = int(max(0.0, minutes) // 1)
    else:
        late = 0
    idle = 0
    turns = log.turns.get(shift.shop, [])
    i = bisect_left(turns, shift.starts_at, key=lambda t: t[0])
    while i < len(turns) and turns[i][0] < shift.ends_at:
        started, answered = turns[i]
        i += 1
        if answered is not None and (answered - started).total_seconds() <= IDLE_WAIT_SECONDS:
            continue
        wait_end = answered if answered is not None else shift.ends_at
        if not _any_in(mine, started, wait_end):
            idle += 1
    return ShiftAdherence(
        shift=shift,
        demand_slots=demand,
        active_demand_slots=active,
        first_activity=first,
        last_activity=last,
        late_minutes=late,
        no_show=no_show,
        idle_waits=idle,
    )


def adherence(
    shifts: Iterable[Shift], log: ShopLog, *, slot_minutes: int = 30, grace_minutes: float = 10
) -> list[ShiftAdherence]:
    """Adherence of each shift, in the given order."""
    if slot_minutes <= 0:
        raise ValueError("slot_minutes must be above 0")
    return [shift_adherence(s, log, slot_minutes=slot_minutes, grace_minutes=grace_minutes) for s in shifts]
