"""The row-per-session CSV export of a shop's month (UTF-8 with BOM so spreadsheet programs read Chinese);
the last two columns are the paid orders the session's agent messages converted (contracts §8) and their sales."""

from __future__ import annotations

from collections.abc import Iterator

from agency.exports import csv_line_writer, export_write
from agency.models import User
from clients.merchants.selectors import shops_visible_to
from compliance.quality.masking import mask_buyer
from compliance.quality.metrics import selectors as sel
from compliance.quality.metrics.definitions import SHANGHAI
from compliance.quality.metrics.scores import session_scores
from compliance.quality.sales.selectors import sales_by_session

HEADER = [
    "session_id", "shop", "platform", "buyer", "started_at", "agent", "counted_turns", "answered_within_target",
    "reply_rate", "first_response_seconds", "avg_response_seconds", "five_minute_nonreply", "unserved",
    "hits", "violations", "auto_qa_score", "manual_qa_score", "converted_orders", "attributed_sales",
]
CHUNK = 2000


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def csv_rows(*, user, shop, period) -> Iterator[str]:
    writer = csv_line_writer()
    yield "\ufeff" + writer.writerow(HEADER)
    sessions = sel.shop_sessions(user=user, shop=shop, period=period).order_by("started_at", "pk")
    chunk: list = []
    for session in sessions.iterator(chunk_size=CHUNK):
        chunk.append(session)
        if len(chunk) >= CHUNK:
            yield from _chunk_lines(writer, chunk)
            chunk = []
    if chunk:
        yield from _chunk_lines(writer, chunk)


def _chunk_lines(writer, sessions) -> Iterator[str]:
    scores = session_scores([s.pk for s in sessions])
    sales = sales_by_session([s.pk for s in sessions], sent_between=(
        min(s.started_at for s in sessions), max(s.ended_at for s in sessions)))
    for s in sessions:
        m = getattr(s, "metrics", None)
        score = scores.get(s.pk, {})
        yield writer.writerow(
            [
                s.external_id, s.shop.code, s.shop.platform, mask_buyer(s.buyer),
                s.started_at.astimezone(SHANGHAI).isoformat(),
                (m.agent.code if m and m.agent else "") or "",
                _fmt(m.counted_turns if m else None), _fmt(m.answered_within_target if m else None),
                _fmt(m.reply_rate if m else None, 3), _fmt(m.first_response_seconds if m else None),
                _fmt(m.avg_response_seconds if m else None), _fmt(m.five_minute_nonreply if m else None),
                _fmt(m.unserved if m else None), s.hit_count, s.violation_count,
                _fmt(score.get("auto_qa")), _fmt(score.get("manual_qa")),
                sales.get(s.pk, (0, ""))[0], sales.get(s.pk, (0, ""))[1],
            ]
        )


def shop_sessions_export_run(*, job_id: int, user_id: int, shop_id: int, month: str) -> dict:
    """The worker's half of a big per-session export: the same lines as the streamed one, scoped to the
    user who asked (a user who lost access meanwhile gets nothing), written to a file to download."""
    user = User.objects.get(pk=user_id)
    shop = shops_visible_to(user=user).get(pk=shop_id)
    start = sel.parse_month(month)
    if start is None:
        raise ValueError(f"month {month!r} is not YYYY-MM")
    period = sel.month_period(start)
    total = sel.shop_sessions(user=user, shop=shop, period=period).count()
    return export_write(job_id=job_id, lines=csv_rows(user=user, shop=shop, period=period),
                        filename=f"sessions-{shop.code}-{period.label}.csv", total=total)
