"""compliance_scan — contracts §1: JSON lines in on stdin, one result line per input line out.

    python manage.py compliance_scan --platform pdd [--shop CODE] < in.jsonl > out.jsonl

Every line is validated before anything is written: a bad line is reported on stderr with its line
number (all of them, not just the first) and the command exits with status 2 and no output. Blank
lines are skipped. Works on a freshly migrated database: the shipped rule library is loaded on demand.
"""

from __future__ import annotations

import json
import sys
from typing import TextIO, cast

from django.core.management.base import CommandError

from agency.commands import DatabaseCommand
from compliance.engine.library import PLATFORMS
from compliance.precheck.jsonlines import parse_lines

CHUNK = 20_000


class Command(DatabaseCommand):
    help = "Scan chat messages (JSON lines on stdin) against a platform's rules; results as JSON lines on stdout."

    def add_arguments(self, parser):
        parser.add_argument("--platform", required=True, choices=PLATFORMS)
        parser.add_argument("--shop", help="shop code: also apply the shop's and its merchant's own rules")

    def handle(self, *args, platform: str, shop: str | None = None, **options):
        from clients.models import Shop
        from compliance.rules.services import scanner_for

        shop_obj = None
        if shop:
            shop_obj = Shop.objects.filter(code=shop).first()
            if shop_obj is None:
                raise CommandError(f"--shop: no shop with code {shop!r}", returncode=2)
            if shop_obj.platform != platform:
                raise CommandError(
                    f"--shop: shop {shop!r} is on platform {shop_obj.platform!r}, not {platform!r}", returncode=2
                )
        ids, texts, roles, errors = parse_lines(sys.stdin.buffer.read())
        if errors:
            shown = errors[:200]
            more = f"\n… and {len(errors) - len(shown)} more bad lines" if len(errors) > len(shown) else ""
            raise CommandError("bad input, nothing written:\n" + "\n".join(shown) + more, returncode=2)
        _ruleset, scanner = scanner_for(platform=platform, shop=shop_obj)
        # OutputWrapper keeps the stream it wraps in `_out`, an attribute django-stubs do not declare.
        out = cast(TextIO, self.stdout._out) if hasattr(self.stdout, "_out") else sys.stdout
        dumps = json.dumps
        for begin in range(0, len(texts), CHUNK):
            results = scanner.scan_many(texts[begin : begin + CHUNK], roles[begin : begin + CHUNK])
            lines = []
            for ident, hits in zip(ids[begin : begin + CHUNK], results, strict=True):
                if hits:
                    for hit in hits:
                        hit.pop("confidence", None)  # contracts §1: the hit's shape is fixed
                    lines.append(dumps({"id": ident, "hits": hits}, ensure_ascii=False))
                else:
                    lines.append('{"id": ' + dumps(ident, ensure_ascii=False) + ', "hits": []}')
            lines.append("")
            out.write("\n".join(lines))
        out.flush()
