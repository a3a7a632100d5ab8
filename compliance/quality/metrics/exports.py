"""The row-per-session CSV export of a shop's month (UTF-8 with BOM so spreadsheet programs read Chinese), in
the language of whoever asked for it; the last two columns are the paid orders the session's agent messages converted (contracts §8) and their sales."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from agency.exports import csv_line_writer, export_write
from agency.models import User
from clients.merchants.selectors import shops_visible_to
from compliance.quality.masking import mask_buyer
from compliance.quality.metrics import selectors as sel
from compliance.quality.metrics.definitions import SHANGHAI
from compliance.quality.metrics.scores import session_scores
from compliance.quality.sales.selectors import sales_by_session

# The columns, for a person reading the file in a spreadsheet: in the reader's language, with names (shop,
# platform, agent) rather than codes, and local times. The merchant's data export (`merchant_export.py`) is
# the machine-readable one, with codes and ISO times.
COLUMNS = [
    gettext_lazy("会话编号"), pgettext_lazy("导出列", "店铺"), gettext_lazy("平台"), gettext_lazy("买家"),
    gettext_lazy("开始时间（北京时间）"), pgettext_lazy("导出列", "客服"), gettext_lazy("计入轮次"),
    gettext_lazy("时限内回复轮次"), gettext_lazy("回复率"), gettext_lazy("首次响应（秒）"), gettext_lazy("平均响应（秒）"),
    gettext_lazy("5分钟未回复"), gettext_lazy("未接待"), gettext_lazy("合规命中数"), gettext_lazy("违规数"),
    gettext_lazy("自动质检分"), gettext_lazy("人工质检分"), gettext_lazy("促成订单数"), gettext_lazy("归因销售额"),
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


def csv_rows(*, user, shop, period, language: str) -> Iterator[str]:
    """The lines of the file in `language` (a streamed response is read after the view returns, so the
    language is fixed here, not taken from whatever is active then)."""
    writer = csv_line_writer()
    with translation.override(language):
        yield "\ufeff" + writer.writerow([str(column) for column in COLUMNS])
    sessions = sel.shop_sessions(user=user, shop=shop, period=period).order_by("started_at", "pk")
    chunk: list = []
    for session in sessions.iterator(chunk_size=CHUNK):
        chunk.append(session)
        if len(chunk) >= CHUNK:
            with translation.override(language):
                yield from _chunk_lines(writer, chunk)
            chunk = []
    if chunk:
        with translation.override(language):
            yield from _chunk_lines(writer, chunk)


def _yes_no(value) -> str:
    return "" if value is None else str(_("是") if value else _("否"))


def _chunk_lines(writer, sessions) -> Iterator[str]:
    scores = session_scores([s.pk for s in sessions])
    sales = sales_by_session([s.pk for s in sessions], sent_between=(
        min(s.started_at for s in sessions), max(s.ended_at for s in sessions)))
    for s in sessions:
        m = getattr(s, "metrics", None)
        score = scores.get(s.pk, {})
        yield writer.writerow(
            [
                s.external_id, s.shop.name, s.shop.get_platform_display(), mask_buyer(s.buyer),
                f"{s.started_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M:%S}",
                str(m.agent) if m and m.agent else "",
                _fmt(m.counted_turns if m else None), _fmt(m.answered_within_target if m else None),
                _fmt(m.reply_rate if m else None, 3), _fmt(m.first_response_seconds if m else None),
                _fmt(m.avg_response_seconds if m else None), _yes_no(m.five_minute_nonreply if m else None),
                _yes_no(m.unserved if m else None), s.hit_count, s.violation_count,
                _fmt(score.get("auto_qa")), _fmt(score.get("manual_qa")),
                sales.get(s.pk, (0, ""))[0], sales.get(s.pk, (0, ""))[1],
            ]
        )


def shop_sessions_export_run(*, job_id: int, user_id: int, shop_id: int, month: str,
                             language: str = "zh-hans") -> dict:
    """The worker's half of a big per-session export: the same lines as the streamed one, scoped to the
    user who asked (a user who lost access meanwhile gets nothing), written to a file to download."""
    user = User.objects.get(pk=user_id)
    shop = shops_visible_to(user=user).get(pk=shop_id)
    start = sel.parse_month(month)
    if start is None:
        raise ValueError(f"month {month!r} is not YYYY-MM")
    period = sel.month_period(start)
    total = sel.shop_sessions(user=user, shop=shop, period=period).count()
    return export_write(job_id=job_id, lines=csv_rows(user=user, shop=shop, period=period, language=language),
                        filename=f"sessions-{shop.code}-{period.label}.csv", total=total)
