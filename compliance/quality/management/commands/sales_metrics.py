"""`sales_metrics`: sales attribution and KPIs of one shop's sessions and orders (contracts §8). No writes.

    python manage.py sales_metrics --sessions sessions.jsonl --orders orders.csv [--window-hours 24] > sales.json
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from compliance.quality.sales.engine.attribution import AgentMessage, Order, sales_metrics
from compliance.quality.sales.engine.orderfile import FORMATS, guess_format, parse_orders
from compliance.sessions import sessionfile


def _read(path: str, option: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise CommandError(f"{option} {path}: {exc.strerror}", returncode=2) from None


class Command(BaseCommand):
    help = "Attribute one shop's orders to agents and compute the daily sales figures (contracts §8)."

    def add_arguments(self, parser):
        parser.add_argument("--sessions", required=True, help="the shop's sessions, JSON lines (contracts §4)")
        parser.add_argument("--orders", required=True, help="the shop's orders: CSV, XLSX or JSON lines")
        parser.add_argument("--orders-format", choices=FORMATS, help="default: from the file name's extension")
        parser.add_argument("--window-hours", type=float, default=24.0, help="attribution window (default 24)")

    def handle(self, *args, sessions: str, orders: str, orders_format: str | None, window_hours: float, **options):
        if window_hours < 0:
            raise CommandError("--window-hours: must not be negative", returncode=2)
        fmt = orders_format or guess_format(orders) or "csv"
        session_bytes, order_bytes = _read(sessions, "--sessions"), _read(orders, "--orders")
        problems: list[str] = []
        try:
            parsed_sessions = sessionfile.parse_file(session_bytes, sessionfile.guess_format(sessions) or "jsonl")
            problems += [f"{sessions}:{e.line}: {e.field + ': ' if e.field else ''}{e.message}"
                         for e in parsed_sessions.errors]
        except sessionfile.FileFormatError as exc:
            problems.append(f"{sessions}: {exc}")
            parsed_sessions = None
        try:
            parsed_orders = parse_orders(order_bytes, fmt)
            problems += [f"{orders}:{e.line}: {e.field + ': ' if e.field else ''}{e.message}"
                         for e in parsed_orders.errors]
        except sessionfile.FileFormatError as exc:
            problems.append(f"{orders}: {exc}")
            parsed_orders = None
        if problems or parsed_sessions is None or parsed_orders is None:
            for problem in problems[:200]:
                self.stderr.write(problem)
            if len(problems) > 200:
                self.stderr.write(f"… and {len(problems) - 200} more problems")
            raise CommandError(f"{len(problems)} problem(s); nothing computed", returncode=2)
        messages = [
            AgentMessage(buyer=row.buyer, agent=row.agent or None, sent_at=row.sent_at, ref=row.message_id)
            for row in parsed_sessions.rows
            if row.sender == "agent"
        ]
        order_rows = [
            Order(r.order_id, r.buyer, r.created_at, r.paid_at, r.amount, r.refund_amount) for r in parsed_orders.rows
        ]
        self.stdout.write(json.dumps(sales_metrics(messages, order_rows, window_hours), ensure_ascii=False))
