"""Benchmark: Erlang C for every half hour of a year (17 520 intervals), vectorised vs a plain scalar loop.

    .venv/bin/python bench/bench_erlang.py [--concurrency 1] [--repeat 5]

Target: the vectorised run under 1 s, with results equal to the straightforward scalar
implementation of the same formulas (bench/erlang_reference.py). Prints both timings side by side and
every mismatch (there should be none).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.erlang_reference import staff_one
from staffing.forecasting.erlang import staff_intervals


def year_of_volumes(seed: int = 2026) -> np.ndarray:
    """365 days × 48 half hours of chat volume with a daily curve, weekday effect, promotion peaks and noise."""
    rng = np.random.default_rng(seed)
    slots = np.arange(48)
    hour = slots / 2
    intraday = np.where((hour >= 8) & (hour < 23), 1.0 + 0.6 * np.sin((hour - 8) / 15 * math.pi), 0.08)
    day = np.arange(365)
    weekday = np.where(day % 7 >= 5, 1.25, 1.0)
    promo = np.ones(365)
    for peak in (170, 314, 345):  # around 618, Double 11, Double 12
        promo += 3.0 * np.exp(-0.5 * ((day - peak) / 2.5) ** 2)
    base = 60 * np.outer(weekday * promo, intraday)
    return rng.poisson(base).astype(float).ravel()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    volume = year_of_volumes()
    params = dict(interval_minutes=30, aht_seconds=180.0, answer_seconds=30.0, service_level=0.8,
                  max_occupancy=0.85, shrinkage=0.3, concurrency=args.concurrency)

    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        vec = staff_intervals(volume, **params)
        timings.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    scalar = [
        staff_one(v, params["interval_minutes"], params["aht_seconds"], params["answer_seconds"],
                  params["service_level"], params["max_occupancy"], params["shrinkage"], args.concurrency)
        for v in volume
    ]
    scalar_seconds = time.perf_counter() - t0

    mismatches = 0
    worst = 0.0
    for i, ref in enumerate(scalar):
        got = vec.at(i)
        if (got.raw_agents, got.agents) != (ref["raw_agents"], ref["agents"]):
            mismatches += 1
            if mismatches <= 5:
                print(f"  mismatch at interval {i}: vectorised {got.raw_agents}/{got.agents}, "
                      f"scalar {ref['raw_agents']}/{ref['agents']}")
        for key in ("service_level", "occupancy", "waiting_probability", "asa_seconds"):
            worst = max(worst, abs(getattr(got, key) - ref[key]))

    best = min(timings)
    print(f"Erlang C, {len(volume)} half-hour intervals (one year), concurrency {args.concurrency}, "
          f"peak {int(volume.max())} chats/30 min, total raw agent-intervals {int(vec.raw_agents.sum())}")
    print(f"{'implementation':<40}{'seconds':>10}")
    print(f"{'vectorised (staffing.forecasting.erlang)':<40}{best:>10.3f}   (best of {args.repeat}; target < 1 s: "
          f"{'met' if best < 1 else 'NOT met'})")
    print(f"{'scalar reference':<40}{scalar_seconds:>10.3f}   (speed-up ×{scalar_seconds / best:.0f})")
    print(f"agents equal in {len(volume) - mismatches}/{len(volume)} intervals; "
          f"largest difference in SL/occupancy/P(wait)/ASA: {worst:.2e}")
    return 0 if mismatches == 0 and best < 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
