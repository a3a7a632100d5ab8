"""QA scores for the merchant's quality view, the monthly report and the CSV export: the auto-QA score
(`AutoQAResult.score`) and the inspectors' average (`Review.final_score`, calibration reviews left out).

Each function runs a fixed number of queries (one `IN` query or one aggregate per model), so pages stay
flat. Kept apart from the QA selectors so the metrics pages need nothing else of the QA side; a score
that does not exist yet is None and the pages say so.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Avg

from compliance.quality.qa.models import AutoQAResult, Review


def _as_float(value):
    return None if value is None else float(value)


def session_scores(session_ids: list[int]) -> dict[int, dict]:
    """{session id: {"auto_qa": float | None, "manual_qa": float | None}} for these sessions."""
    out: dict[int, dict] = {sid: {"auto_qa": None, "manual_qa": None} for sid in session_ids}
    if not session_ids:
        return out
    for sid, score in AutoQAResult.objects.filter(session_id__in=session_ids).values_list("session_id", "score"):
        out[sid]["auto_qa"] = _as_float(score)
    reviews = Review.objects.filter(session_id__in=session_ids, calibration__isnull=True)
    for row in reviews.values("session_id").annotate(avg=Avg("final_score")).order_by():
        out[row["session_id"]]["manual_qa"] = _as_float(row["avg"])
    return out


def shop_scores(shop_id: int, start: date, end: date) -> dict:
    """{"auto_qa": …, "manual_qa": …}: the shop's average scores over the days from start to end."""
    auto = AutoQAResult.objects.filter(shop_id=shop_id, day__gte=start, day__lte=end).aggregate(a=Avg("score"))["a"]
    manual = Review.objects.filter(
        shop_id=shop_id, day__gte=start, day__lte=end, calibration__isnull=True
    ).aggregate(a=Avg("final_score"))["a"]
    return {"auto_qa": _as_float(auto), "manual_qa": _as_float(manual)}
