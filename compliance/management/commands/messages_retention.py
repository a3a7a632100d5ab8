"""messages_retention — drop the months of chat messages older than the retention period.

    python manage.py messages_retention [--months N]

Keeps this month and the N whole months before it (default MESSAGE_RETENTION_MONTHS); every older month goes
whole: on PostgreSQL its partition is dropped, elsewhere its rows are deleted; the hits of those messages and
the sessions that started before the first kept month go with them. The daily beat
`compliance.messages_retention` does the same. Prints what it removed; `--months 0` (or a setting of 0)
keeps everything.
"""

from __future__ import annotations

from django.core.management.base import CommandError

from agency.commands import DatabaseCommand


class Command(DatabaseCommand):
    help = "Drop whole months of chat messages older than the retention period (with their sessions and hits)."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, help="whole months kept before this one (default MESSAGE_RETENTION_MONTHS)")

    def handle(self, *args, months: int | None = None, **options):
        from compliance.sessions.services.retention import messages_retention_run

        if months is not None and months < 0:
            raise CommandError("--months: must be 0 (keep everything) or more", returncode=2)
        result = messages_retention_run(months=months)
        if result is None:
            self.stdout.write("retention is off (0 months): nothing removed")
            return
        dropped = ", ".join(result.months_dropped) or "none"
        self.stdout.write(
            f"kept from {result.kept_from}; partitions dropped: {dropped}; rows deleted: {result.messages} messages, "
            f"{result.hits} hits, {result.sessions} sessions"
        )
