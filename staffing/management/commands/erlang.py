"""`manage.py erlang`: agents needed for one interval's chat volume (contracts §2). Prints one JSON object."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from staffing.forecasting.erlang import EFFICIENCY, ErlangInputError, staff_interval


class Command(BaseCommand):
    help = (
        "Erlang C staffing for one interval: prints raw_agents, agents (after shrinkage), service_level, "
        "occupancy, waiting_probability and asa_seconds as JSON. Concurrency c divides the handling time by "
        f"an efficiency factor ({', '.join(f'{c}: {e}' for c, e in EFFICIENCY.items())})."
    )

    def add_arguments(self, parser):
        parser.add_argument("--volume", type=float, required=True, help="consultations arriving in the interval")
        parser.add_argument("--interval-minutes", type=float, required=True, help="length of the interval")
        parser.add_argument("--aht-seconds", type=float, required=True, help="average handling time of one chat")
        parser.add_argument("--answer-seconds", type=float, required=True, help="service-level answer target T")
        parser.add_argument("--service-level", type=float, required=True, help="share to answer within T, e.g. 0.8")
        parser.add_argument("--max-occupancy", type=float, default=1.0, help="occupancy cap (default 1)")
        parser.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off the floor (default 0)")
        parser.add_argument("--concurrency", type=int, default=1, help="parallel chats per agent, 1–5 (default 1)")

    def handle(self, *args, **options):
        try:
            result = staff_interval(
                volume=options["volume"],
                interval_minutes=options["interval_minutes"],
                aht_seconds=options["aht_seconds"],
                answer_seconds=options["answer_seconds"],
                service_level=options["service_level"],
                max_occupancy=options["max_occupancy"],
                shrinkage=options["shrinkage"],
                concurrency=options["concurrency"],
            )
        except ErlangInputError as exc:
            option = "--" + exc.field.replace("_", "-")
            raise CommandError(f"{option}: {exc.message}", returncode=2) from None
        self.stdout.write(json.dumps(result.as_contract_json(), ensure_ascii=False))
