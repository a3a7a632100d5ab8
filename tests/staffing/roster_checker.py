"""An independent check of a roster against its scenario (contracts §3).

Written apart from the solver on purpose: it shares no code with `staffing.rosters.solver`, reads the scenario
JSON itself and works in real datetimes (a shift ending at "02:00" ends on the next calendar day), so a
mistake in the solver's minute arithmetic cannot hide behind the same mistake here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta


def _clock(text: str) -> time:
    if text == "24:00":
        return time(0, 0)
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def shift_interval(scenario: dict, day: date, shift_code: str) -> tuple[datetime, datetime]:
    template = next(t for t in scenario["shift_templates"] if t["code"] == shift_code)
    start = datetime.combine(day, _clock(template["start"]))
    end = datetime.combine(day, _clock(template["end"]))
    if end <= start:
        end += timedelta(days=1)
    return start, end


def roster_violations(scenario: dict, roster: dict) -> list[str]:
    """Every hard rule the roster breaks, in words; an empty list means the roster keeps them all."""
    problems: list[str] = []
    if roster.get("status") == "infeasible":
        if roster.get("assignments"):
            problems.append("an infeasible roster lists assignments")
        if not roster.get("explanation"):
            problems.append("an infeasible roster has no explanation")
        return problems
    if roster.get("status") not in ("optimal", "feasible"):
        return [f"unknown status {roster.get('status')!r}"]

    first_day = date.fromisoformat(scenario["start_date"])
    n_days = scenario["days"]
    last_day = first_day + timedelta(days=n_days - 1)
    rules = scenario.get("rules", {})
    min_rest = timedelta(hours=rules.get("min_rest_hours", 11))
    max_run = rules.get("max_consecutive_days", 6)
    min_cover = rules.get("min_coverage_per_shop", 1)
    slot = timedelta(minutes=scenario.get("slot_minutes", 30))
    window = scenario.get("service_window", {"start": "08:00", "end": "23:00"})
    agents = {a["id"]: a for a in scenario["agents"]}
    shops = {s["code"] for s in scenario["shops"]}
    codes = {t["code"] for t in scenario["shift_templates"]}

    shifts_of: dict[str, list[tuple[datetime, datetime, date, str]]] = defaultdict(list)
    all_shifts: list[tuple[str, datetime, datetime]] = []
    for row in roster.get("assignments", []):
        who, shop, code = row.get("agent"), row.get("shop"), row.get("shift")
        where = f"{who} {row.get('date')} {code} {shop}"
        if who not in agents:
            problems.append(f"{where}: unknown agent")
            continue
        if shop not in shops or code not in codes:
            problems.append(f"{where}: unknown shop or shift")
            continue
        day = date.fromisoformat(row["date"])
        if not first_day <= day <= last_day:
            problems.append(f"{where}: outside the period")
        agent = agents[who]
        if shop not in agent.get("shops", []):
            problems.append(f"{where}: the agent may not serve this shop")
        span = agent.get("shop_windows", {}).get(shop)
        if span:
            if span[0] and day < date.fromisoformat(span[0]):
                problems.append(f"{where}: before the agent may serve this shop")
            if span[1] and day > date.fromisoformat(span[1]):
                problems.append(f"{where}: after the agent may serve this shop")
        if row["date"] in agent.get("unavailable", []):
            problems.append(f"{where}: the agent is unavailable that day")
        start, end = shift_interval(scenario, day, code)
        shifts_of[who].append((start, end, day, code))
        all_shifts.append((shop, start, end))

    for who, shifts in shifts_of.items():
        agent = agents[who]
        per_day = Counter(day for _s, _e, day, _c in shifts)
        for day, n in per_day.items():
            if n > 1:
                problems.append(f"{who}: {n} shifts on {day}")
        shifts.sort()
        for (_s1, e1, d1, c1), (s2, _e2, d2, c2) in zip(shifts, shifts[1:], strict=False):
            if s2 - e1 < min_rest:
                problems.append(f"{who}: only {s2 - e1} rest between {d1} {c1} and {d2} {c2}")
        worked = sorted(per_day)
        run = 1
        for a, b in zip(worked, worked[1:], strict=False):
            run = run + 1 if (b - a).days == 1 else 1
            if run > max_run:
                problems.append(f"{who}: {run} working days in a row up to {b}")
        hours: dict[int, float] = defaultdict(float)
        for start, end, day, _c in shifts:
            hours[(day - first_day).days // 7] += (end - start).total_seconds() / 3600
        for block, total in hours.items():
            if total > agent.get("max_hours_per_week", 44) + 1e-9:
                problems.append(f"{who}: {total:g} hours in week block {block + 1}")

    for row in scenario.get("fixed", []):
        if not any(
            a["agent"] == row["agent"] and a["date"] == row["date"] and a["shift"] == row["shift"] and a["shop"] == row["shop"]
            for a in roster.get("assignments", [])
        ):
            problems.append(f"pinned shift missing: {row}")

    by_shop_day: dict[tuple[str, date], list[tuple[datetime, datetime]]] = defaultdict(list)
    for shop, start, end in all_shifts:
        by_shop_day[shop, start.date()].append((start, end))

    def on_duty(shop: str, slot_start: datetime) -> int:
        # A shift starts on the slot's day or at most a day before it (no template lasts more than 24 h).
        day = slot_start.date()
        candidates = by_shop_day.get((shop, day), []) + by_shop_day.get((shop, day - timedelta(days=1)), [])
        return sum(1 for start, end in candidates if start <= slot_start and slot_start + slot <= end)

    for offset in range(n_days):
        day = first_day + timedelta(days=offset)
        moment = datetime.combine(day, _clock(window["start"]))
        close = datetime.combine(day, _clock(window["end"]))
        if close <= moment:
            close += timedelta(days=1)
        while moment < close:
            for shop in shops:
                n = on_duty(shop, moment)
                if n < min_cover:
                    problems.append(f"{shop} {moment:%Y-%m-%d %H:%M}: {n} agents, fewer than {min_cover}")
            moment += slot

    expected = []
    for row in scenario.get("demand", []):
        moment = datetime.combine(date.fromisoformat(row["date"]), _clock(row["slot"]))
        missing = row["agents"] - on_duty(row["shop"], moment)
        if missing > 0:
            expected.append((row["shop"], row["date"], row["slot"], missing))
    reported = [(r["shop"], r["date"], r["slot"], r["missing"]) for r in roster.get("shortfall", [])]
    if sorted(expected) != sorted(reported):
        problems.append(f"shortfall reported {sorted(reported)[:5]}… differs from the real one {sorted(expected)[:5]}…")
    return problems


def assert_roster_ok(scenario: dict, roster: dict) -> None:
    problems = roster_violations(scenario, roster)
    assert not problems, "roster breaks hard rules:\n" + "\n".join(problems[:30])
