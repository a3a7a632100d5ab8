"""A straightforward scalar Erlang C, written from domain.md's formulas with nothing shared with
`staffing/forecasting/erlang.py`: the benchmark and the tests compare the vectorised code against it.

It uses the textbook inverse recursion 1/B_k = 1 + (k/A)·1/B_{k-1} and plain Python floats, one interval at
a time, trying N = ⌊A⌋+1, ⌊A⌋+2, … until both the service level and the occupancy cap hold.
"""

from __future__ import annotations

import math

EFFICIENCY = {1: 1.0, 2: 1.7, 3: 2.5, 4: 2.9, 5: 3.5}


def erlang_b_inverse(a: float, n: int) -> float:
    """1/B_n by the recursion; returns B_n."""
    if a == 0:
        return 0.0 if n > 0 else 1.0
    inv = 1.0
    for k in range(1, n + 1):
        inv = 1.0 + (k / a) * inv
    return 1.0 / inv


def staff_one(
    volume: float,
    interval_minutes: float,
    aht_seconds: float,
    answer_seconds: float,
    service_level: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
    concurrency: int = 1,
) -> dict:
    aht = aht_seconds / EFFICIENCY[concurrency]
    a = volume * aht / (interval_minutes * 60)
    n = math.floor(a) + 1
    while True:
        b = erlang_b_inverse(a, n)
        pw = n * b / (n - a * (1 - b))
        sl = 1 - pw * math.exp(-(n - a) * answer_seconds / aht)
        if sl >= service_level and a / n <= max_occupancy:
            break
        n += 1
    asa = pw * aht / (n - a)
    return {
        "raw_agents": n,
        "agents": math.ceil(round(n / (1 - shrinkage), 9)),
        "service_level": sl,
        "occupancy": a / n,
        "waiting_probability": pw,
        "asa_seconds": asa,
    }
