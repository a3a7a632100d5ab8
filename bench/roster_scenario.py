"""A synthetic but plausible rostering scenario: N agents, D days, S shops, half-hour demand 8:00–23:00.

Demand follows a typical e-commerce chat curve (a morning rise, a lunchtime dip, an evening peak around
20:00–22:00), heavier at weekends, scaled so the agents' weekly hours can roughly but not quite cover it.
Deterministic for a given seed. Used by `bench/bench_roster.py` and the solver's tests.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

PLATFORMS = ["pdd", "taobao", "tmall", "jd", "douyin", "pdd"]


def intraday(minute: int) -> float:
    """Relative chat volume at a minute of the day (peak 1.0 around 21:00)."""
    hour = minute / 60
    morning = math.exp(-((hour - 10.5) ** 2) / 4.0) * 0.7
    evening = math.exp(-((hour - 21.0) ** 2) / 3.0)
    afternoon = math.exp(-((hour - 15.5) ** 2) / 6.0) * 0.6
    return 0.25 + morning + afternoon + evening


def make_scenario(
    *, agents: int = 150, days: int = 28, shops: int = 6, start: date = date(2026, 12, 1), seed: int = 7,
    load: float = 0.6, night_shift: bool = True, leave_and_preferences: bool = True,
) -> dict:
    rng = random.Random(seed)
    wishes = random.Random(seed + 1)  # its own stream: the scenario without them stays the same
    shop_codes = [f"shop-{i + 1:02d}" for i in range(shops)]
    templates = [
        {"code": "E", "start": "08:00", "end": "16:00"},
        {"code": "D", "start": "10:00", "end": "18:00"},
        {"code": "M", "start": "12:00", "end": "20:00"},
        {"code": "L", "start": "15:00", "end": "23:00"},
    ]
    if night_shift:
        templates.append({"code": "N", "start": "18:00", "end": "02:00"})
    # Shops differ in size (0.8–1.2 × the average); their home teams follow that.
    sizes = [0.8 + 0.4 * si / max(1, shops - 1) for si in range(shops)]
    homes = []
    for si, size in enumerate(sizes):
        homes += [shop_codes[si]] * round(agents * size / sum(sizes))
    homes = (homes + shop_codes * agents)[:agents]
    agent_rows = []
    for i in range(agents):
        home = homes[i]
        extra = [c for c in shop_codes if c != home and rng.random() < 0.25][:2]
        unavailable = [(start + timedelta(days=rng.randrange(days))).isoformat() for _ in range(rng.randrange(3))]
        row: dict = {
            "id": f"a{i + 1:03d}", "shops": [home, *extra], "max_hours_per_week": 44,
            "unavailable": sorted(set(unavailable)),
        }
        if leave_and_preferences:
            # Approved leave (a hard rule): one agent in eight is away for 2–5 days in a row.
            if wishes.random() < 0.125:
                first = wishes.randrange(days)
                row["unavailable"] = sorted(set(row["unavailable"]) | {
                    (start + timedelta(days=d)).isoformat() for d in range(first, min(days, first + wishes.randint(2, 5)))})
            # Preferences (soft): a liked and a disliked shift, and a weekday off for half of them.
            codes = [t["code"] for t in templates]
            liked, disliked = wishes.sample(codes, 2)
            row["prefer_shifts"], row["avoid_shifts"] = [liked], [disliked]
            if wishes.random() < 0.5:
                weekday = wishes.randrange(7)
                row["days_off_wanted"] = [(start + timedelta(days=d)).isoformat() for d in range(days)
                                          if (start + timedelta(days=d)).weekday() == weekday]
        agent_rows.append(row)
    # Capacity: agent-slots per day ≈ agents × 5/7 days × 16 slots; spread over shops by the curve.
    slots = list(range(8 * 60, 23 * 60, 30))
    curve = [intraday(m) for m in slots]
    total_curve = sum(curve)
    per_shop_day = agents * (5 / 7) * 16 / shops * load
    demand = []
    for d in range(days):
        day = start + timedelta(days=d)
        weekend = 1.15 if day.weekday() >= 5 else 1.0
        for si, shop in enumerate(shop_codes):
            size = sizes[si] * weekend
            for m, c in zip(slots, curve, strict=True):
                need = max(1, round(per_shop_day * size * c / total_curve))
                demand.append({"shop": shop, "date": day.isoformat(), "slot": f"{m // 60:02d}:{m % 60:02d}",
                               "agents": need})
    return {
        "start_date": start.isoformat(), "days": days, "slot_minutes": 30,
        "service_window": {"start": "08:00", "end": "23:00"},
        "shops": [{"code": c, "platform": PLATFORMS[i % len(PLATFORMS)]} for i, c in enumerate(shop_codes)],
        "shift_templates": templates, "agents": agent_rows, "demand": demand,
        "rules": {"min_rest_hours": 11, "max_consecutive_days": 6, "min_coverage_per_shop": 1},
        "holidays": [],
    }
