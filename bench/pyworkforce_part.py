"""Run inside bench/.venv-pyworkforce only: pyworkforce's MinRequiredResources on the same demand.

Reads {"templates": [...], "shops": {shop: [[day0 48 half-hours], ...]}, "time_limit": s} on stdin and prints
{"shifts": n, "hours": h, "status": {...}} — the fewest shifts that cover every half hour's demand, per shop
and day, with none of our per-agent rules (no names, rest, consecutive days, weekly hours, one shop each).
"""

import json
import sys

from pyworkforce.scheduling import MinRequiredResources


def main() -> None:
    spec = json.load(sys.stdin)
    periods = 48
    coverage, lengths = {}, {}
    for t in spec["templates"]:
        start = int(t["start"][:2]) * 2 + int(t["start"][3:]) // 30
        end = int(t["end"][:2]) * 2 + int(t["end"][3:]) // 30
        if end <= start:
            end = periods  # a per-day model cannot carry a shift past midnight: cut it at 24:00
        coverage[t["code"]] = [1 if start <= p < end else 0 for p in range(periods)]
        lengths[t["code"]] = (end - start) / 2
    shifts, hours, statuses = 0, 0.0, {}
    for shop, required in spec["shops"].items():
        model = MinRequiredResources(
            num_days=len(required), periods=periods, shifts_coverage=coverage, required_resources=required,
            max_period_concurrency=500, max_shift_concurrency=500, max_search_time=spec["time_limit"],
            num_search_workers=2,
        )
        solution = model.solve()
        statuses[shop] = solution["status"]
        for row in solution["resources_shifts"]:
            shifts += row["resources"]
            hours += row["resources"] * lengths[row["shift"]]
    print(json.dumps({"shifts": shifts, "hours": hours, "status": statuses}))


if __name__ == "__main__":
    main()
