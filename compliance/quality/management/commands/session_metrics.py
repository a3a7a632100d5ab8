"""`session_metrics`: response metrics of sessions read from stdin (contracts §7). No database writes.

    python manage.py session_metrics --platform pdd < sessions.jsonl > metrics.jsonl
"""

from __future__ import annotations

import json
import sys
from datetime import datetime

from agency.commands import DatabaseCommand
from clients.models import Platform
from compliance.quality.metrics.definitions import SHANGHAI, Message, session_metrics
from compliance.quality.metrics.sla import sla_function_for_platform

SENDERS = {"buyer", "agent", "bot", "system"}


class InputError(ValueError):
    pass


def parse_session(line: str) -> tuple[str, list[Message]]:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError("expected a JSON object")
    session_id = data.get("session_id")
    if not isinstance(session_id, str | int) or session_id == "":
        raise InputError("session_id is missing")
    raw = data.get("messages")
    if not isinstance(raw, list):
        raise InputError("messages must be a list")
    messages = []
    for index, item in enumerate(raw):
        where = f"messages[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where} must be an object")
        sender = item.get("sender")
        if sender not in SENDERS:
            raise InputError(f"{where}.sender must be one of buyer, agent, bot, system (got {sender!r})")
        value = item.get("sent_at")
        if not isinstance(value, str):
            raise InputError(f"{where}.sent_at is missing")
        try:
            sent_at = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"{where}.sent_at is not an ISO 8601 date-time: {value!r}") from None
        if sent_at.tzinfo is None:  # a naive time is Asia/Shanghai local time
            sent_at = sent_at.replace(tzinfo=SHANGHAI)
        messages.append(Message(sender=sender, sent_at=sent_at, agent=item.get("agent"), ref=item.get("id")))
    return str(session_id), messages


class Command(DatabaseCommand):
    help = "Response metrics per session (contracts §7) for JSON-lines sessions on stdin; writes JSON lines."

    def add_arguments(self, parser):
        parser.add_argument("--platform", required=True, choices=Platform.values)

    def handle(self, *args, platform: str, **options):
        sla_for = sla_function_for_platform(platform)
        out, errors = [], []
        for number, line in enumerate(sys.stdin, start=1):
            if not line.strip():
                continue
            try:
                session_id, messages = parse_session(line)
            except InputError as exc:
                errors.append(f"line {number}: {exc}")
                continue
            out.append(json.dumps(session_metrics(messages, sla_for).as_contract(session_id), ensure_ascii=False))
        if errors:
            for error in errors[:50]:
                self.stderr.write(error)
            if len(errors) > 50:
                self.stderr.write(f"… and {len(errors) - 50} more bad lines")
            sys.exit(2)
        for row in out:
            self.stdout.write(row)
