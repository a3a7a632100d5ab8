"""Impact preview of a draft rule-set version: what publishing it would add or remove on the last N days.

The preview runs as a background job (`ruleset_impact_queue` → `compliance.rules.tasks.ruleset_impact_run` →
`ruleset_impact`) over every agent and bot message of the platform in the window, never a sample: the
window is walked in chunks by message id (keyset pagination), each chunk scanned with the draft's and
the active version's scanners, so memory stays bounded however long the window is. The job's result is
plain JSON (`ImpactTally.as_dict` plus the window and versions): counts per rule and a few example
messages each, masked (`compliance.masking`) and cut to the text around the hit, with the hit's offsets
into that excerpt.

Only one preview per draft runs at a time: asking again while one is queued or running returns that job.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone

from agency.models import Job, User
from agency.services import job_start
from clients.models import Shop
from compliance.masking import mask_text
from compliance.rules.models import RuleSet
from compliance.rules.selectors import IMPACT_JOB_KIND, ruleset_impact_jobs
from compliance.rules.services import RuleSetError, active_ruleset, ruleset_digest, scanner_for_ruleset
from compliance.sessions.models import ChatMessage, Sender

CHUNK_SIZE = 2000
EXAMPLES = 5
EXCERPT_CONTEXT = 60  # characters kept on each side of a hit in an example
MAX_DAYS = 180
# A preview still unfinished this long after it was queued is taken as lost (its worker and the broker's
# re-delivery both gone); asking again then starts a new one instead of waiting on it for ever.
ABANDONED_AFTER = timedelta(hours=2)

Progress = Callable[[int, int], None]


def excerpt(text: str, start: int, end: int, context: int = EXCERPT_CONTEXT) -> tuple[str, int, int]:
    """The text around [start, end) with at most `context` characters each side ("…" where cut), and the
    hit's offsets into it."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    prefix = "…" if left > 0 else ""
    suffix = "…" if right < len(text) else ""
    shift = len(prefix) - left
    return prefix + text[left:right] + suffix, start + shift, end + shift


class ImpactTally:
    """Per-rule counts of hits the draft adds and removes, with up to `examples` messages each.

    Fed chunk by chunk (`add`); holds only counters and examples, never the messages themselves."""

    def __init__(self, examples: int = EXAMPLES):
        self.examples = examples
        self.messages = 0
        self.added: Counter = Counter()
        self.removed: Counter = Counter()
        self.samples: dict[tuple[str, str], list[dict]] = {}
        self.rule_meta: dict[str, tuple[str, str]] = {}

    def add(self, rows: Iterable[tuple], new_hits: list[list[dict]], old_hits: list[list[dict]]) -> None:
        """rows: (message id, text, session id, message external id), in the order the hits were found."""
        for (msg_id, text, session_id, external_id), new, old in zip(rows, new_hits, old_hits, strict=True):
            self.messages += 1
            if not new and not old:
                continue
            new_by_key = {(h["rule"], h["start"], h["end"]): h for h in new}
            old_by_key = {(h["rule"], h["start"], h["end"]): h for h in old}
            masked = None
            for kind, hits, other, counter in (
                ("added", new_by_key, old_by_key, self.added), ("removed", old_by_key, new_by_key, self.removed),
            ):
                for key in sorted(hits.keys() - other.keys()):
                    rule_id, start, end = key
                    hit = hits[key]
                    counter[rule_id] += 1
                    self.rule_meta.setdefault(rule_id, (hit["category"], hit["severity"]))
                    bucket = self.samples.setdefault((kind, rule_id), [])
                    if len(bucket) >= self.examples:
                        continue
                    if masked is None:
                        masked = mask_text(text)  # same length: the offsets still fit
                    shown, s, e = excerpt(masked, start, end)
                    bucket.append({
                        "message_id": msg_id, "session_id": session_id, "external_id": external_id,
                        "text": shown, "start": s, "end": e, "matched": shown[s:e],
                        "rule": rule_id, "category": hit["category"], "severity": hit["severity"],
                    })

    def as_dict(self) -> dict[str, Any]:
        rules = []
        for rule_id in sorted(set(self.added) | set(self.removed)):
            category, severity = self.rule_meta[rule_id]
            rules.append({
                "rule": rule_id, "category": category, "severity": severity,
                "added": self.added[rule_id], "removed": self.removed[rule_id],
                "added_examples": self.samples.get(("added", rule_id), []),
                "removed_examples": self.samples.get(("removed", rule_id), []),
            })
        return {
            "messages": self.messages,
            "added": sum(self.added.values()),
            "removed": sum(self.removed.values()),
            "rules": rules,
        }


def _window_messages(*, platform: str, since: datetime, until: datetime):
    shop_ids = list(Shop.objects.filter(platform=platform).values_list("pk", flat=True))
    return ChatMessage.objects.filter(
        shop_id__in=shop_ids, sent_at__gte=since, sent_at__lt=until, sender__in=(Sender.AGENT, Sender.BOT),
    )


def ruleset_impact(
    *, draft: RuleSet, days: int = 30, until: datetime | None = None, examples: int = EXAMPLES,
    chunk_size: int = CHUNK_SIZE, progress: Progress | None = None,
) -> dict[str, Any]:
    """Compare `draft` with the platform's active version over every agent and bot message sent in the
    `days` days before `until` (default now). Returns JSON-ready data (no model instances)."""
    until = until or timezone.now()
    since = until - timedelta(days=days)
    base = active_ruleset(platform=draft.platform)
    digest = ruleset_digest(ruleset=draft)
    new_scanner = scanner_for_ruleset(ruleset=draft)
    old_scanner = scanner_for_ruleset(ruleset=base) if base is not None else None
    window = _window_messages(platform=draft.platform, since=since, until=until)
    bounds = window.aggregate(total=Count("id"), first=Min("id"), last=Max("id"))
    total = bounds["total"]
    tally = ImpactTally(examples=examples)
    if total:
        window = window.filter(id__lte=bounds["last"])
        last_id = bounds["first"] - 1
        while True:
            rows = list(
                window.filter(id__gt=last_id).order_by("id")
                .values_list("id", "text", "session_id", "external_id")[:chunk_size]
            )
            if not rows:
                break
            texts = [r[1] for r in rows]
            new_hits = new_scanner.scan_many(texts)
            old_hits = old_scanner.scan_many(texts) if old_scanner is not None else [[] for _ in texts]
            tally.add(rows, new_hits, old_hits)
            last_id = rows[-1][0]
            if progress:
                progress(tally.messages, total)
    return {
        "draft": draft.pk,
        "draft_version": draft.version,
        "draft_digest": digest,
        "platform": draft.platform,
        "base": base.pk if base else None,
        "base_version": base.version if base else None,
        "days": days,
        "since": since.isoformat(),
        "until": until.isoformat(),
        **tally.as_dict(),
    }


def impact_page_url(*, draft_id: int, job_id: int) -> str:
    return reverse("compliance:ruleset-impact", args=[draft_id]) + f"?job={job_id}"


@transaction.atomic
def ruleset_impact_queue(*, draft: RuleSet, days: int, by: User | None) -> tuple[Job, bool]:
    """Queue the impact preview of a draft over the last `days` days as a Job. -> (job, started)

    While a preview of the same draft is queued or running, that job is returned (`started` False)
    instead of queueing a second one. The window ends when the preview is asked for, so a re-delivered
    task computes the same window."""
    draft = RuleSet.objects.select_for_update().get(pk=draft.pk)  # one request at a time per draft
    if draft.status != RuleSet.Status.DRAFT:
        raise RuleSetError("只能预览草稿版本")
    if not 1 <= days <= MAX_DAYS:
        raise RuleSetError(f"天数须在 1 到 {MAX_DAYS} 之间")
    running = ruleset_impact_jobs(draft_id=draft.pk).filter(
        status__in=(Job.Status.QUEUED, Job.Status.RUNNING), created_at__gte=timezone.now() - ABANDONED_AFTER,
    ).first()
    if running is not None:
        return running, False
    until = timezone.now()
    job = job_start(
        task="compliance.ruleset_impact", kind=IMPACT_JOB_KIND,
        title=f"影响预览 {draft.platform} v{draft.version} · 最近 {days} 天", created_by=by,
        kwargs={"draft_id": draft.pk, "days": days, "until": until.isoformat()},
    )
    job.result = {"draft": draft.pk, "days": days, "until": until.isoformat()}
    job.save(update_fields=["result"])
    return job, True
