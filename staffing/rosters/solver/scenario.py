"""The rostering problem as plain data, and the parser that turns the scenario JSON (contracts §3) into it.

No Django here: the same objects are built by the `roster_solve` command from a file and by
`staffing.rosters.services` from the database. Times are clock minutes in local time (Asia/Shanghai has no
daylight saving time, so clock arithmetic across midnight is exact). Day `d` is `start_date + d`; an
"absolute minute" is `d * 1440 + minute of day`.

Beyond the contract's fields the parser accepts a few optional extensions:
- top level `holidays`: dates that count as holidays for the fairness goal;
- top level `fixed`: assignments that must stay as they are (published, pinned days), same shape as output;
- agent `shop_windows`: `{"shop": ["from", "until"]}` limits the dates an agent may serve a shop (inclusive;
  either end may be null), e.g. from the certification's validity;
- agent `prefer_shifts` / `avoid_shifts` (shift codes), `days_wanted` and `days_off_wanted` (dates): soft
  preferences (a granted wish lowers the objective, an unwanted day or shift raises it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

MINUTES_PER_DAY = 1440


class ScenarioError(ValueError):
    """Bad input; `where` names the field (a JSON path such as `agents[3].shops[0]`)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True)
class ShiftTemplate:
    code: str
    start: int  # minute of the day it starts
    end: int  # minute it ends, counted from the start day's midnight (> start; > 1440 when past midnight)

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Agent:
    id: str
    shops: tuple[str, ...]
    max_minutes_per_week: int
    unavailable: frozenset[int]  # day indexes
    shop_days: dict[str, tuple[int, int]] = field(default_factory=dict)  # shop -> (first day, last day) inclusive
    prefer_shifts: frozenset[str] = frozenset()
    avoid_shifts: frozenset[str] = frozenset()
    days_off_wanted: frozenset[int] = frozenset()
    days_wanted: frozenset[int] = frozenset()

    def may_serve(self, shop: str, day: int) -> bool:
        if shop not in self.shops:
            return False
        first, last = self.shop_days.get(shop, (0, 1 << 30))
        return first <= day <= last


@dataclass(frozen=True)
class Fixed:
    agent: str
    day: int
    shift: str
    shop: str


@dataclass
class Scenario:
    start_date: date
    days: int
    slot_minutes: int
    window_start: int
    window_end: int
    shops: list[str]
    platforms: dict[str, str]
    templates: list[ShiftTemplate]
    agents: list[Agent]
    demand: dict[tuple[str, int, int], int]  # (shop, day, minute of day) -> agents wanted
    min_rest_minutes: int
    max_consecutive_days: int
    min_coverage: int
    holidays: frozenset[int] = frozenset()
    fixed: list[Fixed] = field(default_factory=list)

    def day_date(self, day: int) -> date:
        return self.start_date + timedelta(days=day)

    def window_slots(self) -> list[int]:
        return list(range(self.window_start, self.window_end, self.slot_minutes))

    def template(self, code: str) -> ShiftTemplate:
        return next(t for t in self.templates if t.code == code)


def hhmm(minute: int) -> str:
    minute %= MINUTES_PER_DAY
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _parse_time(value: Any, where: str, *, allow_24: bool = False) -> int:
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise ScenarioError(where, f"expected a time as \"HH:MM\", got {value!r}")
    try:
        hours, minutes = int(value[:2]), int(value[3:])
    except ValueError:
        raise ScenarioError(where, f"expected a time as \"HH:MM\", got {value!r}") from None
    if allow_24 and hours == 24 and minutes == 0:
        return MINUTES_PER_DAY
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ScenarioError(where, f"{value!r} is not a time of day")
    return hours * 60 + minutes


def _parse_date(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise ScenarioError(where, f"expected a date as \"YYYY-MM-DD\", got {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(where, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _int(value: Any, where: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScenarioError(where, f"expected a whole number, got {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ScenarioError(where, f"must be {bound}, got {value}")
    return value


def _number(value: Any, where: str, *, minimum: float = 0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(where, f"expected a number, got {value!r}")
    if value < minimum:
        raise ScenarioError(where, f"must be at least {minimum}, got {value}")
    return float(value)


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(where, f"expected a list, got {type(value).__name__}")
    return value


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(where, f"expected a non-empty string, got {value!r}")
    return value


def parse_scenario(data: Any) -> Scenario:
    """Validate a scenario dict (contracts §3) and build a Scenario; raise ScenarioError naming the field."""
    if not isinstance(data, dict):
        raise ScenarioError("(top level)", "expected a JSON object")
    for key in ("start_date", "days", "shops", "shift_templates", "agents"):
        if key not in data:
            raise ScenarioError(key, "is required")
    start = _parse_date(data["start_date"], "start_date")
    days = _int(data["days"], "days", minimum=1, maximum=366)
    slot = _int(data.get("slot_minutes", 30), "slot_minutes", minimum=1, maximum=MINUTES_PER_DAY)
    if MINUTES_PER_DAY % slot:
        raise ScenarioError("slot_minutes", f"must divide a day (1440 minutes) evenly, got {slot}")
    window = data.get("service_window", {"start": "08:00", "end": "23:00"})
    if not isinstance(window, dict):
        raise ScenarioError("service_window", "expected an object with start and end")
    window_start = _parse_time(window.get("start"), "service_window.start")
    window_end = _parse_time(window.get("end"), "service_window.end", allow_24=True)
    if window_end <= window_start:
        raise ScenarioError("service_window.end", "must be later than service_window.start on the same day")
    for name, value in (("start", window_start), ("end", window_end)):
        if value % slot:
            raise ScenarioError(f"service_window.{name}", f"must fall on a {slot}-minute slot boundary")

    def day_of(value: Any, where: str, *, inside: bool) -> int | None:
        d = (_parse_date(value, where) - start).days
        if 0 <= d < days:
            return d
        if inside:
            raise ScenarioError(where, f"{value} is outside the period {start} + {days} days")
        return None

    def day_inside(value: Any, where: str) -> int:
        """The day index of a date that must lie inside the period (else a ScenarioError)."""
        d = day_of(value, where, inside=True)
        assert d is not None  # inside=True raises rather than answer None
        return d

    shops: list[str] = []
    platforms: dict[str, str] = {}
    for i, shop in enumerate(_list(data["shops"], "shops")):
        where = f"shops[{i}]"
        if not isinstance(shop, dict):
            raise ScenarioError(where, "expected an object with code and platform")
        code = _str(shop.get("code"), f"{where}.code")
        if code in platforms:
            raise ScenarioError(f"{where}.code", f"shop {code!r} is listed twice")
        shops.append(code)
        platforms[code] = str(shop.get("platform", ""))
    if not shops:
        raise ScenarioError("shops", "lists no shop")

    templates: list[ShiftTemplate] = []
    for i, tpl in enumerate(_list(data["shift_templates"], "shift_templates")):
        where = f"shift_templates[{i}]"
        if not isinstance(tpl, dict):
            raise ScenarioError(where, "expected an object with code, start and end")
        code = _str(tpl.get("code"), f"{where}.code")
        if any(t.code == code for t in templates):
            raise ScenarioError(f"{where}.code", f"shift {code!r} is listed twice")
        t_start = _parse_time(tpl.get("start"), f"{where}.start")
        t_end = _parse_time(tpl.get("end"), f"{where}.end", allow_24=True)
        if t_end == t_start:
            raise ScenarioError(f"{where}.end", "a shift cannot end when it starts")
        if t_end < t_start:
            t_end += MINUTES_PER_DAY  # ends after midnight
        templates.append(ShiftTemplate(code, t_start, t_end))
    if not templates:
        raise ScenarioError("shift_templates", "lists no shift template")
    template_codes = {t.code for t in templates}

    agents: list[Agent] = []
    seen_agents: set[str] = set()
    for i, agent in enumerate(_list(data["agents"], "agents")):
        where = f"agents[{i}]"
        if not isinstance(agent, dict):
            raise ScenarioError(where, "expected an object with id and shops")
        agent_id = _str(agent.get("id"), f"{where}.id")
        if agent_id in seen_agents:
            raise ScenarioError(f"{where}.id", f"agent {agent_id!r} is listed twice")
        seen_agents.add(agent_id)
        agent_shops = []
        for j, code in enumerate(_list(agent.get("shops", []), f"{where}.shops")):
            if code not in platforms:
                raise ScenarioError(f"{where}.shops[{j}]", f"unknown shop {code!r}")
            if code not in agent_shops:
                agent_shops.append(code)
        hours = _number(agent.get("max_hours_per_week", 44), f"{where}.max_hours_per_week")
        unavailable = set()
        for j, value in enumerate(_list(agent.get("unavailable", []), f"{where}.unavailable")):
            d = day_of(value, f"{where}.unavailable[{j}]", inside=False)
            if d is not None:
                unavailable.add(d)
        shop_days: dict[str, tuple[int, int]] = {}
        windows = agent.get("shop_windows", {})
        if not isinstance(windows, dict):
            raise ScenarioError(f"{where}.shop_windows", "expected an object {shop: [from, until]}")
        for code, span in windows.items():
            w = f"{where}.shop_windows.{code}"
            if code not in agent_shops:
                raise ScenarioError(w, f"shop {code!r} is not among the agent's shops")
            if not isinstance(span, list) or len(span) != 2:
                raise ScenarioError(w, "expected [from, until] (dates or null)")
            first = 0 if span[0] is None else (_parse_date(span[0], f"{w}[0]") - start).days
            last = days - 1 if span[1] is None else (_parse_date(span[1], f"{w}[1]") - start).days
            shop_days[code] = (first, last)
        for key in ("prefer_shifts", "avoid_shifts"):
            for j, code in enumerate(_list(agent.get(key, []), f"{where}.{key}")):
                if code not in template_codes:
                    raise ScenarioError(f"{where}.{key}[{j}]", f"unknown shift {code!r}")
        wanted = set()
        for j, value in enumerate(_list(agent.get("days_off_wanted", []), f"{where}.days_off_wanted")):
            d = day_of(value, f"{where}.days_off_wanted[{j}]", inside=False)
            if d is not None:
                wanted.add(d)
        work_wanted = set()
        for j, value in enumerate(_list(agent.get("days_wanted", []), f"{where}.days_wanted")):
            d = day_of(value, f"{where}.days_wanted[{j}]", inside=False)
            if d is not None:
                work_wanted.add(d)
        if work_wanted & wanted:
            raise ScenarioError(f"{where}.days_wanted", "a day cannot be both wanted and unwanted")
        agents.append(
            Agent(
                id=agent_id,
                shops=tuple(agent_shops),
                max_minutes_per_week=int(round(hours * 60)),
                unavailable=frozenset(unavailable),
                shop_days=shop_days,
                prefer_shifts=frozenset(agent.get("prefer_shifts", [])),
                avoid_shifts=frozenset(agent.get("avoid_shifts", [])),
                days_off_wanted=frozenset(wanted),
                days_wanted=frozenset(work_wanted),
            )
        )

    demand: dict[tuple[str, int, int], int] = {}
    for i, row in enumerate(_list(data.get("demand", []), "demand")):
        where = f"demand[{i}]"
        if not isinstance(row, dict):
            raise ScenarioError(where, "expected an object with shop, date, slot and agents")
        shop = row.get("shop")
        if shop not in platforms:
            raise ScenarioError(f"{where}.shop", f"unknown shop {shop!r}")
        d = day_inside(row.get("date"), f"{where}.date")
        minute = _parse_time(row.get("slot"), f"{where}.slot")
        if minute % slot:
            raise ScenarioError(f"{where}.slot", f"{row.get('slot')} is not on a {slot}-minute slot boundary")
        need = _int(row.get("agents"), f"{where}.agents")
        demand_key = (str(shop), d, minute)
        if demand_key in demand:
            raise ScenarioError(where, f"a second figure for {shop} {row.get('date')} {row.get('slot')}")
        demand[demand_key] = need

    rules = data.get("rules", {})
    if not isinstance(rules, dict):
        raise ScenarioError("rules", "expected an object")
    min_rest = _number(rules.get("min_rest_hours", 11), "rules.min_rest_hours")
    max_consecutive = _int(rules.get("max_consecutive_days", 6), "rules.max_consecutive_days", minimum=1)
    min_coverage = _int(rules.get("min_coverage_per_shop", 1), "rules.min_coverage_per_shop")

    holidays = set()
    for j, value in enumerate(_list(data.get("holidays", []), "holidays")):
        d = day_of(value, f"holidays[{j}]", inside=False)
        if d is not None:
            holidays.add(d)

    agent_ids = {a.id for a in agents}
    fixed: list[Fixed] = []
    for i, row in enumerate(_list(data.get("fixed", []), "fixed")):
        where = f"fixed[{i}]"
        if not isinstance(row, dict):
            raise ScenarioError(where, "expected an object with agent, date, shift and shop")
        if row.get("agent") not in agent_ids:
            raise ScenarioError(f"{where}.agent", f"unknown agent {row.get('agent')!r}")
        if row.get("shift") not in template_codes:
            raise ScenarioError(f"{where}.shift", f"unknown shift {row.get('shift')!r}")
        if row.get("shop") not in platforms:
            raise ScenarioError(f"{where}.shop", f"unknown shop {row.get('shop')!r}")
        d = day_inside(row.get("date"), f"{where}.date")
        fixed.append(Fixed(row["agent"], d, row["shift"], row["shop"]))

    return Scenario(
        start_date=start,
        days=days,
        slot_minutes=slot,
        window_start=window_start,
        window_end=window_end,
        shops=shops,
        platforms=platforms,
        templates=templates,
        agents=agents,
        demand=demand,
        min_rest_minutes=int(round(min_rest * 60)),
        max_consecutive_days=max_consecutive,
        min_coverage=min_coverage,
        holidays=frozenset(holidays),
        fixed=fixed,
    )
