"""load_rules — publish the shipped rule library (`compliance/rules/library/`) where it changed. Idempotent.

Run after deploying a new library; `compliance_scan` and the scanner also load it on a fresh database.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from agency.commands import DatabaseCommand
from compliance.engine.library import LibraryError
from compliance.rules.services import ruleset_load_shipped


class Command(DatabaseCommand):
    help = "Load the shipped rule library into a new published version per platform whose content changed."

    def handle(self, *args, **options):
        try:
            versions = ruleset_load_shipped()
        except LibraryError as exc:
            raise CommandError(f"rule library: {exc}", returncode=2) from exc
        for ruleset in versions:
            self.stdout.write(f"{ruleset.platform}: v{ruleset.version} ({ruleset.rules.count()} rules)")
