"""The violations export: current hits as CSV rows (UTF-8 with BOM so Excel reads the Chinese), the
message text masked (`compliance.masking`), produced row by row so a long export streams."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from agency.exports import csv_line_writer, export_write
from agency.models import User
from compliance.masking import mask_text
from compliance.sessions.models import Hit
from compliance.sessions.selectors import ViolationFilter, violation_list

EXPORT_COLUMNS = [
    "sent_at", "shop", "session", "message_id", "agent", "category", "severity", "rule", "matched",
    "suggestion", "text", "ruleset_version",
]


def _export_rows(hits) -> Iterator[list]:
    yield EXPORT_COLUMNS
    for hit in hits.iterator(chunk_size=2000):
        message = hit.message
        text = mask_text(message.text)
        yield [
            timezone.localtime(hit.sent_at).isoformat(), hit.shop.code, message.session.external_id,
            message.external_id, message.agent_code, hit.category, hit.severity, hit.rule,
            text[hit.start:hit.end] if hit.end <= len(text) else mask_text(hit.matched),
            hit.suggestion, text, hit.ruleset.version,
        ]


def violations_csv(hits: QuerySet[Hit]) -> Iterator[str]:
    """The CSV text of `hits`, one line at a time, after a BOM."""
    writer = csv_line_writer()
    yield "\ufeff"
    for row in _export_rows(hits):
        yield writer.writerow(row)


def violations_export_run(*, job_id: int, user_id: int, filters: dict) -> dict:
    """The worker's half of a big violations export: the same lines as the streamed one, scoped to the user
    who asked, written to a file to download from the job's page."""
    user = User.objects.get(pk=user_id)
    wanted = ViolationFilter(**{
        **filters, **{k: date.fromisoformat(filters[k]) if filters.get(k) else None for k in ("date_from", "date_to")},
    })
    hits = violation_list(user=user, filters=wanted)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_write(job_id=job_id, lines=violations_csv(hits), filename=f"violations-{stamp}.csv",
                        total=hits.count())
