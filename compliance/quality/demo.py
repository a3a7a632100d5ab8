"""Demo data of the quality app (run by `manage.py demo_data` after the compliance demo). Each part has
its own loader; the response-metrics part comes first so later parts see sessions and their metrics."""

from __future__ import annotations

from collections.abc import Callable

from compliance.quality.metric_demo import load_metrics

ORDER = 50


def load(*, password: str, log: Callable[[str], None]) -> None:
    load_metrics(password=password, log=log)
