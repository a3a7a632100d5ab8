"""`import_sessions FILE --shop CODE [--format jsonl|csv|xlsx]` (contracts §4).

A file with any bad row imports nothing: every problem is printed on stderr as `FILE:LINE: field: why`
and the exit status is 2. Importing the same file again adds nothing. New messages are scanned after
the import: queued as a Celery task by default, inline with `--scan-now`, not at all with `--no-scan`.
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from agency.commands import DatabaseCommand
from clients.models import Shop
from compliance.sessions.services.importing import SessionImportError, sessions_import_file
from compliance.sessions.services.scanning import shops_scan
from compliance.sessions.sessionfile import FORMATS, guess_format


class Command(DatabaseCommand):
    help = "Import chat sessions for one shop from JSON lines, CSV or XLSX (all or nothing per file)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--shop", required=True, help="shop code")
        parser.add_argument("--format", choices=FORMATS, help="default: from the file name's extension")
        scan = parser.add_mutually_exclusive_group()
        scan.add_argument("--scan-now", action="store_true", help="scan the new messages before returning")
        scan.add_argument("--no-scan", action="store_true", help="leave the new messages unscanned")

    def handle(self, *args, file: str, shop: str, format: str | None, scan_now: bool, no_scan: bool, **options):
        fmt = format or guess_format(file)
        if fmt is None:
            raise CommandError(f"{file}: cannot tell the format from the name; pass --format jsonl|csv|xlsx", returncode=2)
        shop_obj = Shop.objects.filter(code=shop).first()
        if shop_obj is None:
            raise CommandError(f"--shop {shop}: no shop with that code", returncode=2)
        try:
            with open(file, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror}", returncode=2) from None
        try:
            result = sessions_import_file(shop=shop_obj, data=data, fmt=fmt, scan=not (no_scan or scan_now))
        except SessionImportError as exc:
            for error in exc.errors:
                where = f"{file}:{error.line}" if error.line else file
                field = f" {error.field}:" if error.field else ""
                self.stderr.write(f"{where}:{field} {error.message}")
            raise CommandError(f"{file}: {len(exc.errors)} problem(s); nothing was imported", returncode=2) from None
        payload = result.as_dict()
        if scan_now and result.messages_created:
            summary = shops_scan(shops=[shop_obj])
            payload["scanned"] = {"messages": summary["messages"], "hits": summary["hits"]}
        self.stdout.write(json.dumps(payload, ensure_ascii=False))
