"""Demo intraday figures: today's re-forecast for every shop from the demo sessions and published roster, so the
page has content before beat's first run. Idempotent (a run replaces the proposals). After the sessions (40)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from compliance.intraday.services import intraday_refresh

ORDER = 45


def load(*, password: str, log: Callable[[str], None]) -> None:
    shops = intraday_refresh(day=timezone.localdate())
    log(f"compliance: intraday re-forecast of today for {shops} shops")
