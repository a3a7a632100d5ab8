"""`adherence`: schedule adherence of rostered shifts against chat logs (contracts §10). Pure computation.

    python manage.py adherence --roster roster.json --sessions sessions.jsonl [--shop CODE] [--grace-minutes 10]

One JSON object per assignment on stdout, in the roster's order. Bad input (the roster's field path, or
every bad session line by number) goes to stderr with exit status 2 and nothing on stdout.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from compliance.adherence.engine import InputError, ShopLog, adherence, parse_roster, parse_session_line

MAX_SHOWN = 50


class Command(BaseCommand):
    help = "Schedule adherence per rostered shift (contracts §10) from a roster JSON and JSON-lines sessions."

    def add_arguments(self, parser):
        parser.add_argument("--roster", required=True, help="roster JSON: slot_minutes, shift_templates, assignments")
        parser.add_argument("--sessions", required=True, help="sessions as JSON lines (contracts §4), '-' for stdin")
        parser.add_argument("--shop", default=None, help="shop code of lines that name none")
        parser.add_argument("--grace-minutes", type=float, default=10.0)

    def handle(self, *args, roster: str, sessions: str, shop: str | None, grace_minutes: float, **options):
        if grace_minutes < 0:
            raise CommandError("--grace-minutes: must be 0 or more minutes", returncode=2)
        try:
            with open(roster, encoding="utf-8-sig") as handle:
                roster_data = json.load(handle)
        except OSError as exc:
            raise CommandError(f"--roster {roster}: {exc.strerror}", returncode=2) from None
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"--roster {roster}: not valid JSON ({exc})", returncode=2) from None
        try:
            slot_minutes, shifts = parse_roster(roster_data)
        except InputError as exc:
            raise CommandError(f"--roster {roster}: {exc}", returncode=2) from None
        log = ShopLog()
        errors: list[str] = []
        try:
            handle = self.stdin_or_open(sessions)
            with handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        line_shop, messages = parse_session_line(line, shop)
                    except InputError as exc:
                        errors.append(f"{sessions}:{number}: {exc}")
                        continue
                    log.add_session(line_shop, messages)
        except OSError as exc:
            raise CommandError(f"--sessions {sessions}: {exc.strerror}", returncode=2) from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"--sessions {sessions}: byte {exc.start}: not UTF-8 text", returncode=2) from None
        if errors:
            shown = errors[:MAX_SHOWN]
            if len(errors) > MAX_SHOWN:
                shown.append(f"… and {len(errors) - MAX_SHOWN} more bad lines")
            raise CommandError("bad input, nothing written:\n" + "\n".join(shown), returncode=2)
        for row in adherence(shifts, log, slot_minutes=slot_minutes, grace_minutes=grace_minutes):
            self.stdout.write(json.dumps(row.as_contract(), ensure_ascii=False))

    def stdin_or_open(self, path: str):
        if path == "-":
            return open(sys.stdin.fileno(), encoding="utf-8-sig", closefd=False)
        return open(path, encoding="utf-8-sig")
