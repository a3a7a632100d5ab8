"""A seam for QA scores: the auto-QA and manual-QA half of issue 6 registers providers here, and the
merchant's quality view, the monthly report and the CSV export show whatever they return.

    register_score_provider(ScoreProvider(
        sessions=lambda session_ids: {sid: {"auto_qa": 92.0, "manual_qa": 88.5}},
        shop=lambda shop_id, start, end: {"auto_qa": 91.2, "manual_qa": 87.0, "reviews": 12},
    ))

Each function must run a fixed number of queries (one `IN` query per call), so pages stay flat.
With no provider registered every score is None and the pages say so. A built-in provider reads the
auto-QA and review models of the QA half (`quality.AutoQAResult.score`, `quality.Review.final_score`)
by label when they are installed, so no import ties the two halves together.
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


def _qa_models():
    from django.apps import apps

    try:
        return apps.get_model("quality", "AutoQAResult"), apps.get_model("quality", "Review")
    except LookupError:
        return None, None


def _as_float(value):
    return None if value is None else float(value)


def _builtin_sessions(session_ids: list[int]) -> dict[int, dict]:
    from django.db.models import Avg

    auto_model, review_model = _qa_models()
    if auto_model is None or not session_ids:
        return {}
    out: dict[int, dict] = {}
    for sid, score in auto_model.objects.filter(session_id__in=session_ids).values_list("session_id", "score"):
        out.setdefault(sid, {})["auto_qa"] = _as_float(score)
    reviews = review_model.objects.filter(session_id__in=session_ids)
    if any(f.name == "calibration" for f in review_model._meta.fields):
        reviews = reviews.filter(calibration__isnull=True)
    for row in reviews.values("session_id").annotate(avg=Avg("final_score")).order_by():
        out.setdefault(row["session_id"], {})["manual_qa"] = _as_float(row["avg"])
    return out


def _builtin_shop(shop_id: int, start: date, end: date) -> dict:
    from django.db.models import Avg

    auto_model, review_model = _qa_models()
    if auto_model is None:
        return {}
    auto = auto_model.objects.filter(shop_id=shop_id, day__gte=start, day__lte=end).aggregate(a=Avg("score"))["a"]
    reviews = review_model.objects.filter(shop_id=shop_id, day__gte=start, day__lte=end)
    if any(f.name == "calibration" for f in review_model._meta.fields):
        reviews = reviews.filter(calibration__isnull=True)
    manual = reviews.aggregate(a=Avg("final_score"))["a"]
    return {"auto_qa": _as_float(auto), "manual_qa": _as_float(manual)}


BUILTIN = ScoreProvider(sessions=_builtin_sessions, shop=_builtin_shop)
_providers.append(BUILTIN)


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
