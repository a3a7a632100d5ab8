"""All of a merchant's data in one ZIP of CSV files, written by a job (when a contract ends the merchant may
take everything with them; also any time before). Read through the same scoped selectors as the pages and
masked as the pages mask it (buyers' phone and ID numbers in message text, see `compliance.masking`), so
the export never shows what a page hides. UTF-8 with BOM, one file per table, streamed row by row into the
archive so a big merchant never sits in memory.

Files: shops, contracts, sessions, messages, hits (current hits, as the pages count them), session_metrics.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Job, User
from agency.services import job_finish, job_progress, job_start
from clients.merchants.selectors import shops_visible_to
from clients.sales.models import Contract
from compliance.masking import mask_text
from compliance.quality.metrics.models import SessionMetrics
from compliance.sessions.selectors import hits_visible_to, messages_visible_to, sessions_visible_to

TASK = "quality.merchant_data_export"
CHUNK = 2000


def merchant_data_export_start(*, by: User) -> Job:
    """A merchant user asks for all of their merchant's data: a job whose page offers the ZIP."""
    if not by.is_merchant_user:
        raise PermissionError("only a merchant's own users export the merchant's data")
    return job_start(task=TASK, kind="quality.merchant_export", title=_("导出全部数据"), created_by=by,
                     merchant_id=by.merchant_id, kwargs={"user_id": by.pk}, retryable=True)


def _local(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).isoformat()
    return str(value)


def _tables(user: User) -> list[tuple[str, list[str], Callable[[], Iterator[list[Any]]]]]:
    shops = shops_visible_to(user=user).order_by("code")
    contracts = Contract.objects.filter(merchant__users=user).defer("pdf").order_by("start_date", "pk")
    sessions = sessions_visible_to(user=user).order_by("pk")
    messages = messages_visible_to(user=user).select_related("session").order_by("pk")
    hits = hits_visible_to(user=user).select_related("message", "ruleset").order_by("pk")
    metrics = SessionMetrics.objects.filter(shop__in=shops.values("pk")).select_related("session", "agent").order_by("pk")

    def rows(queryset: Any, make: Callable[[Any], list[Any]]) -> Callable[[], Iterator[list[Any]]]:
        return lambda: (make(obj) for obj in queryset.iterator(chunk_size=CHUNK))

    return [
        ("shops.csv", ["code", "name", "platform"], rows(shops, lambda s: [s.code, s.name, s.platform])),
        ("contracts.csv", ["number", "status", "start_date", "end_date", "seats", "monthly_price",
                           "buyer_data_retention_days"],
         rows(contracts, lambda c: [c.number, c.status, c.start_date, c.end_date, c.seats, c.monthly_price,
                                    c.buyer_data_retention_days])),
        ("sessions.csv", ["shop", "session_id", "buyer", "started_at", "ended_at", "buyer_data_purged_at"],
         rows(sessions, lambda s: [s.shop.code, s.external_id, s.buyer, _local(s.started_at), _local(s.ended_at),
                                   _local(s.buyer_data_purged_at)])),
        ("messages.csv", ["session_id", "message_id", "sender", "agent", "sent_at", "text"],
         rows(messages, lambda m: [m.session.external_id, m.external_id, m.sender, m.agent_code, _local(m.sent_at),
                                   mask_text(m.text)])),
        ("hits.csv", ["message_id", "category", "severity", "rule", "start", "end", "matched", "ruleset_version"],
         rows(hits, lambda h: [h.message.external_id, h.category, h.severity, h.rule, h.start, h.end,
                               mask_text(h.matched), h.ruleset.version])),
        ("session_metrics.csv", ["session_id", "day", "agent", "counted_turns", "answered_within_target",
                                 "reply_rate", "first_response_seconds", "avg_response_seconds",
                                 "five_minute_nonreply", "unserved"],
         rows(metrics, lambda m: [m.session.external_id, m.day, m.agent.code if m.agent else "", m.counted_turns,
                                  m.answered_within_target, _local(m.reply_rate), _local(m.first_response_seconds),
                                  _local(m.avg_response_seconds), int(m.five_minute_nonreply), int(m.unserved)])),
    ]


def _write_csv(archive: zipfile.ZipFile, name: str, header: list[str], rows: Iterable[list[Any]]) -> int:
    count = 0
    with archive.open(name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def merchant_data_export_run(*, job_id: int, user_id: int) -> dict:
    """Write the ZIP under MEDIA_ROOT/exports/ and finish the job with it; progress per table."""
    user = User.objects.get(pk=user_id)
    if not user.is_merchant_user:
        raise PermissionError("only a merchant's own users export the merchant's data")
    folder = Path(settings.MEDIA_ROOT) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.zip"
    partial = folder / f".{name}.part"
    tables = _tables(user)
    counts: dict[str, int] = {}
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, (filename, header, rows) in enumerate(tables):
            job_progress(job_id=job_id, progress=index / len(tables), message=filename)
            counts[filename] = _write_csv(archive, filename, header, rows())
    partial.rename(folder / name)
    stamp = timezone.localtime().strftime("%Y%m%d")
    result = {"file": name, "filename": f"merchant-data-{stamp}.zip", "rows": sum(counts.values()), "tables": counts}
    job_finish(job_id=job_id, result=result, message=_("已导出 %(rows)s 行") % {"rows": result["rows"]})
    return result
