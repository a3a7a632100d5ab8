"""The base of management commands that use the database.

A command run against a database that was never migrated (a fresh checkout, a new DATABASE_URL) would
otherwise end in a traceback about a missing table; it says what to do instead.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, OperationalError, ProgrammingError, connections


def unapplied_migrations(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The migrations not yet applied to the database, as "app.name" (empty when it is up to date)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


class DatabaseCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except (OperationalError, ProgrammingError) as exc:
            try:
                pending = unapplied_migrations()
            except (OperationalError, ProgrammingError):
                raise exc from None
            if pending:
                raise CommandError(
                    f"the database is not migrated ({len(pending)} migrations not applied, first "
                    f"{pending[0]}): run `.venv/bin/python manage.py migrate` first"
                ) from exc
            raise
