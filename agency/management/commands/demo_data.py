"""Load the demo data of every app (contracts §6). Idempotent; refused when DEBUG is off."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from agency.commands import DatabaseCommand
from agency.features import feature_modules


def demo_loaders() -> list:
    """Every feature's `demo` module that has a `load`, in ascending `ORDER`."""
    loaders = [module for module in feature_modules("demo") if hasattr(module, "load")]
    return sorted(loaders, key=lambda m: getattr(m, "ORDER", 100))


class Command(DatabaseCommand):
    help = "Create demo merchants, shops, users and history. Safe to run again."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "demo_data is refused when DEBUG is off: it creates users with a known password."
            )
        password = settings.DEMO_PASSWORD
        for module in demo_loaders():
            with transaction.atomic():
                module.load(password=password, log=lambda line: self.stdout.write(line))
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in as manager / {password}"))
