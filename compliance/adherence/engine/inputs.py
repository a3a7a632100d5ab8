"""Reading the `adherence` command's inputs (contracts §10): the roster JSON and §4 session lines.

Each problem is an `InputError` naming where it is (a field path in the roster, a line's field for
sessions); the command reports them and writes nothing.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from typing import Any

from compliance.adherence.engine.definitions import SHANGHAI, ChatLine, Shift, shift_bounds

SENDERS = ("buyer", "agent", "bot", "system")
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class InputError(ValueError):
    """A bad input, with the place it was found (`where`) and why."""

    def __init__(self, where: str, why: str) -> None:
        super().__init__(f"{where}: {why}" if where else why)
        self.where = where
        self.why = why


def _clock(value: Any, where: str) -> time:
    if not isinstance(value, str) or not _HHMM.match(value.strip()):
        raise InputError(where, f"expected a time of day HH:MM, got {value!r}")
    hour, minute = value.strip().split(":")
    return time(int(hour), int(minute))


def parse_roster(data: Any) -> tuple[int, list[Shift]]:
    """`{"slot_minutes", "shift_templates", "assignments"}` → (slot minutes, shifts in input order)."""
    if not isinstance(data, dict):
        raise InputError("", "the roster must be a JSON object")
    slot_minutes = data.get("slot_minutes", 30)
    if isinstance(slot_minutes, bool) or not isinstance(slot_minutes, int) or not 1 <= slot_minutes <= 1440:
        raise InputError("slot_minutes", f"expected a whole number of minutes from 1 to 1440, got {slot_minutes!r}")
    templates = data.get("shift_templates")
    if not isinstance(templates, list) or not templates:
        raise InputError("shift_templates", "expected a non-empty list")
    bounds: dict[str, tuple[time, time]] = {}
    for i, template in enumerate(templates):
        where = f"shift_templates[{i}]"
        if not isinstance(template, dict):
            raise InputError(where, "expected an object")
        code = template.get("code")
        if not isinstance(code, str) or not code:
            raise InputError(f"{where}.code", "missing")
        if code in bounds:
            raise InputError(f"{where}.code", f"shift {code!r} is listed twice")
        start = _clock(template.get("start"), f"{where}.start")
        end = _clock(template.get("end"), f"{where}.end")
        if start == end:
            raise InputError(f"{where}.end", "a shift cannot start and end at the same time")
        bounds[code] = (start, end)
    assignments = data.get("assignments")
    if not isinstance(assignments, list):
        raise InputError("assignments", "expected a list")
    shifts: list[Shift] = []
    for i, row in enumerate(assignments):
        where = f"assignments[{i}]"
        if not isinstance(row, dict):
            raise InputError(where, "expected an object")
        agent = row.get("agent")
        if not isinstance(agent, str) or not agent:
            raise InputError(f"{where}.agent", "missing")
        shop = row.get("shop")
        if not isinstance(shop, str) or not shop:
            raise InputError(f"{where}.shop", "missing")
        code = row.get("shift")
        if not isinstance(code, str) or code not in bounds:
            raise InputError(f"{where}.shift", f"unknown shift {code!r}")
        day_text = row.get("date")
        try:
            day = date.fromisoformat(day_text) if isinstance(day_text, str) else None
        except ValueError:
            day = None
        if day is None:
            raise InputError(f"{where}.date", f"expected a date YYYY-MM-DD, got {day_text!r}")
        starts, ends = shift_bounds(day, *bounds[code])
        shifts.append(Shift(agent=agent, shop=shop, day=day, code=code, starts_at=starts, ends_at=ends))
    return slot_minutes, shifts


def _moment(value: Any, where: str) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise InputError(where, "missing")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(where, f"not an ISO 8601 date-time: {value!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=SHANGHAI)


def parse_session_line(line: str, default_shop: str | None) -> tuple[str, list[ChatLine]]:
    """One §4 session line → (its shop, its messages). The line's own `"shop"` wins over `default_shop`."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError("", f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise InputError("", "expected a JSON object")
    shop = data.get("shop", default_shop)
    if shop is None:
        raise InputError("shop", "the line names no shop and no --shop was given")
    if not isinstance(shop, str) or not shop:
        raise InputError("shop", f"expected a shop code, got {shop!r}")
    raw = data.get("messages")
    if not isinstance(raw, list) or not raw:
        raise InputError("messages", "expected a non-empty list")
    lines: list[ChatLine] = []
    for i, item in enumerate(raw):
        where = f"messages[{i}]"
        if not isinstance(item, dict):
            raise InputError(where, "expected an object")
        sender = item.get("sender")
        if sender not in SENDERS:
            raise InputError(f"{where}.sender", f"must be one of buyer, agent, bot, system (got {sender!r})")
        agent = item.get("agent")
        if agent is not None and not isinstance(agent, str):
            raise InputError(f"{where}.agent", f"expected an agent code, got {agent!r}")
        lines.append(ChatLine(sender=str(sender), sent_at=_moment(item.get("sent_at"), f"{where}.sent_at"), agent=agent or None))
    return shop, lines
