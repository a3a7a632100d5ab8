"""`statement_compute`: one contract's monthly statement from a JSON scenario (contracts §9). No writes.

    python manage.py statement_compute --input scenario.json > statement.json
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError

from clients.statements.engine import ScenarioError, statement_compute


class Command(BaseCommand):
    help = "Compute a contract's monthly statement (对账单) from a scenario file (contracts §9)."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="scenario JSON file, or - for stdin")

    def handle(self, *args, input: str, **options):
        try:
            if input == "-":
                text = sys.stdin.read()
            else:
                with open(input, encoding="utf-8-sig") as handle:
                    text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--input {input}: {getattr(exc, 'strerror', None) or exc}", returncode=2) from None
        try:
            # Decimal keeps money exact: 0.1 in the file is one tenth, not a binary fraction.
            scenario = json.loads(text, parse_float=Decimal)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--input {input}: not valid JSON ({exc.msg} at line {exc.lineno})", returncode=2) from None
        try:
            result = statement_compute(scenario)
        except ScenarioError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(exc.errors)} problem(s) in the scenario", returncode=2) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False))
