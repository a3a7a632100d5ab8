"""`intraday`: a shop's day as the intraday view sees it now, as JSON (no database writes).

    python manage.py intraday --shop CODE [--date YYYY-MM-DD] [--at HH:MM]

Prints one JSON object: the ratio of actual to forecast sessions so far and why it is what it is, per half
hour the forecast, actual sessions, re-forecast, required and rostered agents and the gap (required −
rostered), and the suggestions (overtime, moves between shops) that concern the shop. `--date` defaults to
today, `--at` to now (the end of a past day). Every shop is re-forecast (moves need them all); only the
chosen shop is printed. Bad input: a message on stderr, exit status 2.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agency.models import User
from clients.models import Shop
from compliance.intraday.services import day_bounds, intraday_compute


class Command(BaseCommand):
    help = "A shop's intraday re-forecast, gaps and suggestions for a day, as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--shop", required=True, help="shop code")
        parser.add_argument("--date", default=None, help="YYYY-MM-DD, default today")
        parser.add_argument("--at", default=None, help="HH:MM of that day taken as now, default now")

    def handle(self, *args, shop: str, date: str | None, at: str | None, **options):
        try:
            the_shop = Shop.objects.get(code=shop)
        except Shop.DoesNotExist:
            raise CommandError(f"--shop {shop}: no such shop", returncode=2) from None
        try:
            day = _parse_date(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {date}: not a date (YYYY-MM-DD)", returncode=2) from None
        lo, hi = day_bounds(day)
        if at:
            try:
                clock = time.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at {at}: not a time of day (HH:MM)", returncode=2) from None
            now = datetime.combine(day, clock, tzinfo=lo.tzinfo)
        else:
            now = min(timezone.now(), hi)
        result = intraday_compute(day=day, now=now)
        one = result.results[the_shop.pk]
        codes = {pk: s.code for pk, s in result.shops.items()}
        mine = [s for s in result.suggestions if the_shop.pk in (s.from_shop, s.to_shop)]
        agents = dict(User.objects.filter(pk__in={s.agent for s in mine}).values_list("pk", "code"))
        out = {
            "shop": the_shop.code, "date": day.isoformat(), "as_of": timezone.localtime(now).isoformat(),
            **one.as_json(),
            "suggestions": [
                {**s.as_json(), "agent": agents.get(s.agent) or s.agent, "from_shop": codes.get(s.from_shop),
                 "to_shop": codes.get(s.to_shop)}
                for s in mine
            ],
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))


def _parse_date(text: str) -> date:
    return date.fromisoformat(text)
