"""A seam for QA scores: the auto-QA and manual-QA half of issue 6 registers providers here, and the
merchant's quality view, the monthly report and the CSV export show whatever they return.

    register_score_provider(ScoreProvider(
        sessions=lambda session_ids: {sid: {"auto_qa": 92.0, "manual_qa": 88.5}},
        shop=lambda shop_id, start, end: {"auto_qa": 91.2, "manual_qa": 87.0, "reviews": 12},
    ))

Each function must run a fixed number of queries (one `IN` query per call), so pages stay flat.
With no provider registered every score is None and the pages say so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ScoreProvider:
    sessions: Callable[[list[int]], dict[int, dict]]
    shop: Callable[[int, date, date], dict]


_providers: list[ScoreProvider] = []


def register_score_provider(provider: ScoreProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def session_scores(session_ids: list[int]) -> dict[int, dict]:
    """{session id: {"auto_qa": float | None, "manual_qa": float | None}} for these sessions."""
    merged: dict[int, dict] = {sid: {"auto_qa": None, "manual_qa": None} for sid in session_ids}
    for provider in _providers:
        for sid, values in provider.sessions(list(session_ids)).items():
            merged.setdefault(sid, {}).update({k: v for k, v in values.items() if v is not None})
    return merged


def shop_scores(shop_id: int, start: date, end: date) -> dict:
    merged: dict = {"auto_qa": None, "manual_qa": None}
    for provider in _providers:
        merged.update({k: v for k, v in provider.shop(shop_id, start, end).items() if v is not None})
    return merged
