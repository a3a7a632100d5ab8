"""The input of `manage.py compliance_scan` (contracts §1): JSON lines of {"id", "text", "role"}, every bad
line named by its number. No Django import."""

from __future__ import annotations

import json
from typing import cast

ROLES = ("agent", "buyer", "bot", "system")


def parse_lines(raw: bytes) -> tuple[list[str], list[str], list[str], list[str]]:
    """(ids, texts, roles, errors) from the JSON-lines input."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    fast = _parse_fast(raw)
    if fast is not None:
        return fast
    ids: list[str] = []
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
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            errors.append(f"line {number}: not valid JSON ({reason} at column {getattr(exc, 'colno', '?')})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"line {number}: expected a JSON object")
            continue
        ident, text, role = obj.get("id"), obj.get("text"), obj.get("role", "agent")
        problems: list[str] = []
        if not isinstance(ident, str) or not ident:
            problems.append('"id" must be a non-empty string')
        if not isinstance(text, str):
            problems.append('"text" must be a string')
        if role not in ROLES:
            problems.append(f'"role" must be one of {", ".join(ROLES[:2])} (got {role!r})')
        if problems:
            errors.append(f"line {number}: " + "; ".join(problems))
            continue
        ids.append(cast(str, ident))
        texts.append(cast(str, text))
        roles.append(role)
    return ids, texts, roles, errors


def _parse_fast(raw: bytes) -> tuple[list[str], list[str], list[str], list[str]] | None:
    """All lines at once (one C-level JSON parse); None when anything is off, and the line-by-line
    parser then finds and names every bad line."""
    lines = [line for line in raw.split(b"\n") if line.strip()]
    try:
        objects = json.loads(b"[" + b",".join(lines) + b"]")
    except (ValueError, UnicodeDecodeError):
        return None
    if len(objects) != len(lines):
        return None
    ids: list[str] = []
    texts: list[str] = []
    roles: list[str] = []
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
