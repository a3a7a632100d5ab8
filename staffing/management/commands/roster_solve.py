"""`roster_solve --input scenario.json --output roster.json [--time-limit 60]` (contracts §3).

Reads a scenario, solves it with CP-SAT (no database involved) and writes the roster as JSON. Bad input:
a message on stderr naming the field, exit status 2, and no output file.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand

from staffing.rosters.solver import ScenarioError, parse_scenario, solve


class Command(BaseCommand):
    help = "Build a roster for a scenario (JSON in, JSON out): every hard rule kept, demand shortfall reported."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="scenario JSON file ('-' for standard input)")
        parser.add_argument("--output", required=True, help="roster JSON file to write ('-' for standard output)")
        parser.add_argument("--time-limit", type=float, default=60.0, help="seconds the solver may use (default 60)")
        parser.add_argument("--workers", type=int, default=None, help="CP-SAT search workers (default: by CPU count)")

    def fail(self, message: str) -> None:
        sys.stderr.write(f"roster_solve: {message}\n")
        sys.stderr.flush()
        raise SystemExit(2)

    def handle(self, *args, **options):
        source = options["input"]
        if options["time_limit"] <= 0:
            self.fail("--time-limit: must be a positive number of seconds")
        try:
            raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8-sig")
        except OSError as exc:
            self.fail(f"--input: cannot read {source}: {exc.strerror or exc}")
        except UnicodeDecodeError as exc:
            self.fail(f"--input: {source} is not UTF-8 text ({exc.reason} at byte {exc.start})")
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            self.fail(f"{source}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}")
        try:
            scenario = parse_scenario(data)
        except ScenarioError as exc:
            self.fail(f"{source}: {exc.where}: {exc.message}")

        target = options["output"]
        if target != "-":
            directory = Path(target).resolve().parent
            if not directory.is_dir():
                self.fail(f"--output: directory {directory} does not exist")

        result = solve(scenario, time_limit=options["time_limit"], num_workers=options["workers"])
        text = json.dumps(result.as_json(), ensure_ascii=False, indent=1) + "\n"
        if target == "-":
            self.stdout.write(text, ending="")
            return
        # Write next to the target and rename, so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".roster-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        summary = f"{result.status}: {len(result.assignments)} shifts, shortfall {sum(r['missing'] for r in result.shortfall)} agent-slots, {result.solve_seconds:.1f}s"
        sys.stderr.write(summary + "\n")
