"""compliance_scan — contracts §1: JSON lines in on stdin, one result line per input line out.

    python manage.py compliance_scan --platform pdd [--shop CODE] < in.jsonl > out.jsonl

Every line is validated before anything is written: a bad line is reported on stderr with its line
number (all of them, not just the first) and the command exits with status 2 and no output. Blank
lines are skipped. Works on a freshly migrated database: the shipped rule library is loaded on demand.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import CommandError

from agency.commands import DatabaseCommand
from compliance.engine.library import PLATFORMS

ROLES = ("agent", "buyer", "bot", "system")
CHUNK = 20_000


def parse_lines(raw: bytes) -> tuple[list, list[str], list[str], list[str]]:
    """(ids, texts, roles, errors) from the JSON-lines input."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    fast = _parse_fast(raw)
    if fast is not None:
        return fast
    ids: list = []
    texts: list[str] = []
    roles: list[str] = []
    errors: list[str] = []
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except UnicodeDecodeError:
            errors.append(f"line {number}: not UTF-8 text")
            continue
        except ValueError as exc:
            errors.append(f"line {number}: not valid JSON ({exc.msg} at column {getattr(exc, 'colno', '?')})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"line {number}: expected a JSON object")
            continue
        ident, text, role = obj.get("id"), obj.get("text"), obj.get("role", "agent")
        problems = []
        if not isinstance(ident, str) or not ident:
            problems.append('"id" must be a non-empty string')
        if not isinstance(text, str):
            problems.append('"text" must be a string')
        if role not in ROLES:
            problems.append(f'"role" must be one of {", ".join(ROLES[:2])} (got {role!r})')
        if problems:
            errors.append(f"line {number}: " + "; ".join(problems))
            continue
        ids.append(ident)
        texts.append(text)
        roles.append(role)
    return ids, texts, roles, errors


def _parse_fast(raw: bytes) -> tuple[list, list[str], list[str], list[str]] | None:
    """All lines at once (one C-level JSON parse); None when anything is off, and the line-by-line
    parser then finds and names every bad line."""
    lines = [line for line in raw.split(b"\n") if line.strip()]
    try:
        objects = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, UnicodeDecodeError):
        return None
    if len(objects) != len(lines):
        return None
    ids, texts, roles = [], [], []
    for obj in objects:
        if not isinstance(obj, dict):
            return None
        ident, text, role = obj.get("id"), obj.get("text"), obj.get("role", "agent")
        if not isinstance(ident, str) or not ident or not isinstance(text, str) or role not in ROLES:
            return None
        ids.append(ident)
        texts.append(text)
        roles.append(role)
    return ids, texts, roles, []


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
        out = self.stdout._out if hasattr(self.stdout, "_out") else sys.stdout
        dumps = json.dumps
        for begin in range(0, len(texts), CHUNK):
            results = scanner.scan_many(texts[begin : begin + CHUNK], roles[begin : begin + CHUNK])
            lines = []
            for ident, hits in zip(ids[begin : begin + CHUNK], results, strict=True):
                if hits:
                    lines.append(dumps({"id": ident, "hits": hits}, ensure_ascii=False))
                else:
                    lines.append('{"id": ' + dumps(ident, ensure_ascii=False) + ', "hits": []}')
            lines.append("")
            out.write("\n".join(lines))
        out.flush()
