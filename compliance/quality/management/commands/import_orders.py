"""`import_orders FILE --shop CODE [--format csv|xlsx|jsonl]` (contracts §8): a shop's order export.

A file with any bad row imports nothing: every problem is printed on stderr as `FILE:LINE: field: why`,
exit status 2. Importing again updates orders whose state changed (paid, refunded) and adds no duplicate.
The sales figures are refreshed before the command returns (`--no-refresh` leaves it to the scheduled run).
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from agency.commands import DatabaseCommand
from clients.models import Shop
from compliance.quality.sales.engine.orderfile import FORMATS, guess_format
from compliance.quality.sales.services.attribution import sales_refresh
from compliance.quality.sales.services.importing import OrderImportError, orders_import_file


class Command(DatabaseCommand):
    help = "Import one shop's orders from CSV, XLSX or JSON lines (all or nothing per file)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--shop", required=True, help="shop code")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file name's extension")
        parser.add_argument("--no-refresh", action="store_true", help="leave attribution to the scheduled run")

    def handle(self, *args, file: str, shop: str, format: str | None, no_refresh: bool, **options):
        fmt = format or guess_format(file)
        if fmt is None:
            raise CommandError(f"{file}: cannot tell the format from the name; pass --format csv|xlsx|jsonl", returncode=2)
        shop_obj = Shop.objects.filter(code=shop).first()
        if shop_obj is None:
            raise CommandError(f"--shop {shop}: no shop with that code", returncode=2)
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}", returncode=2) from None
        try:
            result = orders_import_file(shop=shop_obj, data=data, fmt=fmt, refresh=False)
        except OrderImportError as exc:
            for error in exc.errors:
                where = f"{file}:{error.line}" if error.line else file
                field = f" {error.field}:" if error.field else ""
                self.stderr.write(f"{where}:{field} {error.message}")
            raise CommandError(f"{file}: {len(exc.errors)} problem(s); nothing was imported", returncode=2) from None
        payload = result.as_dict()
        if not no_refresh:
            payload["refreshed"] = sales_refresh().as_dict()
        self.stdout.write(json.dumps(payload, ensure_ascii=False))
