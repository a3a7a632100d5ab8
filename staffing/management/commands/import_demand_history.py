"""`manage.py import_demand_history FILE --shop CODE`: consultations per half hour for forecasts.

CSV with the columns `start,volume` (ISO date-time; without an offset it is Asia/Shanghai). A file with any
bad line imports nothing; every bad line is reported on stderr and the exit status is 2.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from agency.commands import DatabaseCommand
from clients.models import Shop
from staffing.errors import StaffingInputError
from staffing.forecasting.services import demand_history_import_csv


class Command(DatabaseCommand):
    help = "Import a shop's consultation history (CSV: start,volume) for forecasting."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--shop", required=True, help="shop code")

    def handle(self, *args, file: Path, shop: str, **options):
        try:
            target = Shop.objects.get(code=shop)
        except Shop.DoesNotExist:
            raise CommandError(f"--shop: no shop with the code {shop!r}", returncode=2) from None
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}", returncode=2) from None
        try:
            count = demand_history_import_csv(shop=target, data=data)
        except (StaffingInputError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: {exc}", returncode=2) from None
        self.stdout.write(f"{count} half-hour slots stored for {target.code}")
