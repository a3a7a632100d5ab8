"""Roster benchmark: 150 agents × 28 days × 6 shops, half-hour demand 8:00–23:00 (plus a night shift).

Prints, in one run: the time to a first roster keeping every hard rule (target < 10 s), the final roster
within 60 s and its gap (demand shortfall), both checked by the independent checker of the tests; and
side by side the staffed hours pyworkforce's MinRequiredResources needs for the same demand with none of
our per-agent rules (run in its own venv, bench/.venv-pyworkforce, as a subprocess; skipped if absent).

    .venv/bin/python bench/bench_roster.py [--time-limit 60] [--workers N]
    # one-time: python3 -m venv bench/.venv-pyworkforce && bench/.venv-pyworkforce/bin/pip install pyworkforce
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.roster_scenario import make_scenario  # noqa: E402
from staffing.rosters.solver import parse_scenario, solve  # noqa: E402
from staffing.rosters.solver.solver import _assignments, greedy, shortfall_of  # noqa: E402
from tests.staffing.roster_checker import roster_violations  # noqa: E402

PW_PYTHON = ROOT / "bench" / ".venv-pyworkforce" / "bin" / "python"


def staffed_hours(scenario: dict, assignments: list[dict]) -> float:
    length = {}
    for t in scenario["shift_templates"]:
        s = int(t["start"][:2]) * 60 + int(t["start"][3:])
        e = int(t["end"][:2]) * 60 + int(t["end"][3:])
        length[t["code"]] = ((e - s) % 1440) / 60
    return sum(length[a["shift"]] for a in assignments)


def pyworkforce_hours(scenario: dict, time_limit: float) -> dict | None:
    if not PW_PYTHON.exists():
        return None
    required: dict[str, list[list[int]]] = {
        s["code"]: [[0] * 48 for _ in range(scenario["days"])] for s in scenario["shops"]
    }
    start = scenario["start_date"]
    from datetime import date

    first = date.fromisoformat(start)
    minimum = scenario["rules"]["min_coverage_per_shop"]
    for shop in required:
        for day in required[shop]:
            for p in range(16, 46):  # 08:00–23:00 needs the minimum too
                day[p] = minimum
    for row in scenario["demand"]:
        d = (date.fromisoformat(row["date"]) - first).days
        p = int(row["slot"][:2]) * 2 + int(row["slot"][3:]) // 30
        required[row["shop"]][d][p] = max(required[row["shop"]][d][p], row["agents"])
    spec = {"templates": scenario["shift_templates"], "shops": required, "time_limit": time_limit}
    started = time.perf_counter()
    out = subprocess.run([str(PW_PYTHON), str(ROOT / "bench" / "pyworkforce_part.py")], input=json.dumps(spec),
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=150)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--shops", type=int, default=6)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--pyworkforce-time", type=float, default=20.0, help="seconds per shop for pyworkforce")
    args = parser.parse_args()

    raw = make_scenario(agents=args.agents, days=args.days, shops=args.shops)
    demand_slots = sum(r["agents"] for r in raw["demand"])
    print(f"scenario: {args.agents} agents × {args.days} days × {args.shops} shops, {len(raw['shift_templates'])} shift "
          f"templates (one past midnight), {len(raw['demand'])} half-hour demand figures, {demand_slots} agent-slots wanted")

    # The first roster on its own (what the solver starts from), checked independently.
    t0 = time.perf_counter()
    sc = parse_scenario(raw)
    chosen = greedy(sc)
    first_seconds = time.perf_counter() - t0
    first = {"status": "feasible", "assignments": _assignments(sc, chosen), "shortfall": shortfall_of(sc, chosen)}
    first_problems = roster_violations(raw, first)

    events = []
    result = solve(parse_scenario(raw), time_limit=args.time_limit, num_workers=args.workers,
                   progress=lambda p: events.append((p.elapsed, p.objective)))
    final = result.as_json()
    final_problems = roster_violations(raw, final)

    gap = sum(r["missing"] for r in final["shortfall"])
    first_gap = sum(r["missing"] for r in first["shortfall"])
    ours_hours = staffed_hours(raw, final["assignments"])
    print()
    print(f"{'':38}{'ours':>14}{'target':>10}")
    print(f"{'first roster keeping every hard rule':38}{(result.first_solution_seconds or float('nan')):>13.2f}s{'< 10 s':>10}")
    print(f"{'  (quick roster alone, incl. parse)':38}{first_seconds:>13.2f}s")
    print(f"{'  its hard-rule violations (checker)':38}{len(first_problems):>14}")
    print(f"{'  its gap (agent-slots short)':38}{first_gap:>14}")
    print(f"{'final roster':38}{result.solve_seconds:>13.2f}s{'≤ 60 s':>10}")
    print(f"{'  status':38}{result.status:>14}")
    print(f"{'  hard-rule violations (checker)':38}{len(final_problems):>14}")
    print(f"{'  gap: agent-slots short of demand':38}{gap:>14}")
    print(f"{'  gap: agent-hours short':38}{gap / 2:>14.1f}")
    print(f"{'  gap: share of demand':38}{gap / max(1, demand_slots):>14.1%}")
    print(f"{'  objective / bound':38}{final['objective']!s:>14} / {final['bound']}")
    print(f"{'  improving solutions':38}{len(events):>14}")
    print(f"{'  staffed hours':38}{ours_hours:>14.1f}")

    pw = pyworkforce_hours(raw, args.pyworkforce_time)
    print()
    if pw is None:
        print("pyworkforce: not installed in bench/.venv-pyworkforce (see the docstring); comparison skipped")
    else:
        print("pyworkforce MinRequiredResources, same demand and shift templates, per shop and day, no per-agent")
        print("rules (anonymous head counts; the night shift cut at 24:00 since its model is per day):")
        print(f"{'  staffed hours to cover ALL demand':38}{pw['hours']:>14.1f}   ({pw['shifts']} shifts, {pw['seconds']:.1f}s, {set(pw['status'].values())})")
        print(f"{'  ours: staffed hours':38}{ours_hours:>14.1f}   + {gap / 2:.1f} agent-hours still short")
        print(f"{'  ours: hours incl. the gap':38}{ours_hours + gap / 2:>14.1f}   ratio to pyworkforce {((ours_hours + gap / 2) / max(1.0, pw['hours'])):.2f}")
        capacity = sum(a["max_hours_per_week"] for a in raw["agents"]) * args.days / 7
        print(f"{'  agents’ contracted capacity (hours)':38}{capacity:>14.1f}")
    if first_problems or final_problems:
        print("\nVIOLATIONS:", (first_problems + final_problems)[:10])
        sys.exit(1)


if __name__ == "__main__":
    main()
