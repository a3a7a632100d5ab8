"""Scanning stored messages with the rule library and keeping their hits.

The unit of work is a chunk of messages of one shop, scanned with that shop's current rule-set version
(`compliance.rules.services.scanner_for`). In ONE transaction per chunk the hits that version found before in
those messages are deleted, the new hits are written and the messages are marked as scanned by that
version. Hence:
- idempotent: running a scan twice leaves the same hits;
- retry-safe: a worker that dies mid-scan leaves whole chunks done or untouched, and the next run (the
  task is re-delivered, acks_late) continues with what is still unscanned;
- concurrent-safe: a chunk's messages are locked (FOR UPDATE SKIP LOCKED) while it is scanned;
- history-preserving: hits found by older versions stay stored; a message's *current* hits are those of
  the version in `ChatMessage.scanned_ruleset` (`compliance.sessions.selectors.current_hits`).

Custom rules (a merchant's own) are scanned together with the platform version and their hits stored
under it. After one is saved, `shops_rescan_custom_rules` re-scans a window of the affected shops with
each message's OWN version (plus the custom rules as they are now), replacing that version's hits of
those messages: the platform rules of a version are fixed, so only what the custom rules contribute can
change, and no message moves to a newer version (that stays the explicit re-scan after publishing).

System messages are marked scanned with no hits (the platform wrote them, not the agent); bot messages
are scanned as the shop's (agent) words; buyer messages are scanned with role "buyer".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import Min, QuerySet
from django.utils import timezone

from agency.models import User
from agency.services import job_start, task_queue
from clients.models import Shop
from compliance.rules.models import CustomRule, RuleSet
from compliance.sessions.models import ChatMessage, Hit, Sender
from compliance.sessions.services.partitions import ANALYZE_AFTER_ROWS, messages_partitions_analyze_stale

CHUNK_SIZE = 1000
# A shop's backlog is shared by this many scan tasks at most (each takes chunks until none is left): N
# workers on N machines then work through one large import together.
FAN_OUT_PER_SHOP = 8


class Scanner(Protocol):
    def scan_many(self, texts: list[str], roles: list[str]) -> list[list[dict]]: ...


ScannerFactory = Callable[..., tuple[RuleSet, Scanner]]
Progress = Callable[[int, int], None]


def default_scanner_factory(*, platform: str, shop: Shop | None) -> tuple[RuleSet, Scanner]:
    """The rule library's scanner for a version (built by `compliance.rules.services`, cached per process there)."""
    from compliance.rules.services import scanner_for

    return scanner_for(platform=platform, shop=shop)


def default_version_scanner_factory(*, ruleset: RuleSet, shop: Shop) -> Scanner:
    """A given version plus the shop's current custom rules (for re-scans that keep each message's version)."""
    from compliance.rules.services import scanner_for_version

    return scanner_for_version(ruleset=ruleset, shop=shop)


class MessageToScan(NamedTuple):
    """The columns of a message that a scan reads (and copies into its hits)."""

    id: int
    text: str
    sender: str
    sent_at: datetime
    shop_id: int
    agent_code: str


SCAN_COLUMNS = MessageToScan._fields


def hit_for(*, message: MessageToScan | ChatMessage, ruleset: RuleSet, hit: dict) -> Hit:
    """A hit of `message` found by `ruleset`, carrying the message's shop, time, agent code and sender."""
    return Hit(
        message_id=message.id, ruleset=ruleset, rule=str(hit["rule"])[:64], category=hit["category"],
        severity=hit["severity"], start=int(hit["start"]), end=int(hit["end"]),
        matched=str(hit.get("matched") or "")[:200], suggestion=(hit.get("suggestion") or "")[:300],
        shop_id=message.shop_id, sent_at=message.sent_at, agent_code=message.agent_code,
        from_buyer=message.sender == Sender.BUYER, current=True,
    )


def _hit_rows(message: MessageToScan, ruleset: RuleSet, hits: Iterable[dict]) -> list[Hit]:
    rows: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        key = (str(hit["rule"])[:64], int(hit["start"]))
        if key in seen:
            continue
        seen.add(key)
        rows.append(hit_for(message=message, ruleset=ruleset, hit=hit))
    return rows


def messages_scan_chunk(*, ruleset: RuleSet, scanner: Scanner, messages: list[MessageToScan]) -> int:
    """Scan messages of one shop with one version; their hits of that version replace the ones it found
    before and become the current ones (hits of other versions stay stored, no longer current). -> hits"""
    to_scan = [m for m in messages if m.sender != Sender.SYSTEM]
    texts = [m.text for m in to_scan]
    roles = ["buyer" if m.sender == Sender.BUYER else "agent" for m in to_scan]
    results = scanner.scan_many(texts, roles) if texts else []
    rows: list[Hit] = []
    for message, hits in zip(to_scan, results, strict=True):
        rows.extend(_hit_rows(message, ruleset, hits))
    ids = [m.id for m in messages]
    with transaction.atomic():
        Hit.objects.filter(message_id__in=ids, ruleset=ruleset).delete()
        Hit.objects.filter(message_id__in=ids, current=True).update(current=False)
        Hit.objects.bulk_create(rows, batch_size=1000)
        ChatMessage.objects.filter(id__in=ids).update(scanned_ruleset=ruleset, scanned_at=timezone.now())
    return len(rows)


def _pending(shop: Shop, ruleset: RuleSet, *, since: datetime | None, until: datetime | None, rescan: bool) -> QuerySet:
    messages = _window(ChatMessage.objects.filter(shop=shop), since, until)
    if rescan:
        return messages.exclude(scanned_ruleset=ruleset)
    return messages.filter(scanned_ruleset__isnull=True)


def _window(messages: QuerySet, since: datetime | None, until: datetime | None) -> QuerySet:
    if since is not None:
        messages = messages.filter(sent_at__gte=since)
    if until is not None:
        messages = messages.filter(sent_at__lt=until)
    return messages


def _scan_in_chunks(
    messages: QuerySet, *, ruleset: RuleSet, scanner: Scanner, chunk_size: int, progress: Progress | None,
    done_before: int, total: int,
) -> tuple[int, int]:
    """Scan `messages` chunk by chunk in id order with `scanner`, storing hits under `ruleset`; returns
    (messages scanned, hits). The chunk's rows stay locked until its hits are written: two workers
    scanning the same shop (two imports in a row, a re-delivered task) split the work instead of colliding."""
    scanned = hits = 0
    last_id = _start_before(messages)
    while True:
        with transaction.atomic():
            batch = [
                MessageToScan(*row) for row in
                messages.filter(id__gt=last_id).order_by("id").select_for_update(skip_locked=True)
                .values_list(*SCAN_COLUMNS)[:chunk_size]
            ]
            if not batch:
                break
            hits += messages_scan_chunk(ruleset=ruleset, scanner=scanner, messages=batch)
        scanned += len(batch)
        last_id = batch[-1].id
        if progress:
            progress(done_before + scanned, total)
    return scanned, hits


def _start_before(messages: QuerySet) -> int:
    """The id just below the first of `messages`: chunks are walked by id from there. Starting at 0 would
    make the first chunk's query walk the ids of every older message (of every shop) before the window."""
    first = messages.aggregate(first=Min("id"))["first"]
    return 0 if first is None else first - 1


def shop_scan(
    *, shop: Shop, since: datetime | None = None, until: datetime | None = None, rescan: bool = False,
    chunk_size: int = CHUNK_SIZE, progress: Progress | None = None, scanner_factory: ScannerFactory | None = None,
    done_before: int = 0, total: int | None = None,
) -> dict[str, Any]:
    """Scan one shop's unscanned messages (and with `rescan`, those in the window that the shop's current
    version has not scanned yet). Returns counts."""
    ruleset, scanner = (scanner_factory or default_scanner_factory)(platform=shop.platform, shop=shop)
    pending = _pending(shop, ruleset, since=since, until=until, rescan=rescan)
    if total is None:
        total = pending.count()
    if total >= ANALYZE_AFTER_ROWS:
        # A large import's rows are not in the planner's statistics yet: without them the chunk query
        # sorts the whole backlog for every chunk instead of reading the index in order.
        messages_partitions_analyze_stale()
    scanned, hits = _scan_in_chunks(
        pending, ruleset=ruleset, scanner=scanner, chunk_size=chunk_size, progress=progress,
        done_before=done_before, total=total,
    )
    return {"shop": shop.code, "ruleset": ruleset.pk, "version": ruleset.version, "messages": scanned, "hits": hits}


def shops_scan(
    *, shops: Iterable[Shop], since: datetime | None = None, until: datetime | None = None, rescan: bool = False,
    chunk_size: int = CHUNK_SIZE, progress: Progress | None = None, scanner_factory: ScannerFactory | None = None,
) -> dict[str, Any]:
    """Scan several shops one after the other; progress counts messages over all of them."""
    shops = list(shops)
    factory = scanner_factory or default_scanner_factory
    plans = []
    total = 0
    for shop in shops:
        ruleset, _scanner = factory(platform=shop.platform, shop=shop)
        count = _pending(shop, ruleset, since=since, until=until, rescan=rescan).count()
        plans.append((shop, count))
        total += count
    done = 0
    per_shop = []
    for shop, count in plans:
        if not count:
            continue
        summary = shop_scan(
            shop=shop, since=since, until=until, rescan=rescan, chunk_size=chunk_size, progress=progress,
            scanner_factory=factory, done_before=done, total=total,
        )
        done += summary["messages"]
        per_shop.append(summary)
    return {
        "messages": sum(s["messages"] for s in per_shop),
        "hits": sum(s["hits"] for s in per_shop),
        "shops": per_shop,
    }


def shops_rescan_custom_rules(
    *, shops: Iterable[Shop], since: datetime, until: datetime | None = None, chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None, scanner_factory: ScannerFactory | None = None,
    version_scanner_factory: Callable[..., Scanner] | None = None,
) -> dict[str, Any]:
    """Re-scan every message of `shops` in the window after a custom rule changed (idempotent).

    A message scanned before is scanned again with the version that scanned it (`scanned_ruleset`) plus
    the shop's custom rules as they are now, and that version's hits of the message are replaced: hits of
    an edited or deactivated custom rule go, a new rule's hits come, the platform rules' results stay those
    of that version. Messages never scanned are scanned with the shop's current version, as any scan does.
    """
    shops = list(shops)
    factory = scanner_factory or default_scanner_factory
    version_factory = version_scanner_factory or default_version_scanner_factory
    in_window = _window(ChatMessage.objects.filter(shop__in=shops), since, until)
    total = in_window.count()
    done = hits = 0
    per_shop = []
    for shop in shops:
        messages = _window(ChatMessage.objects.filter(shop=shop), since, until)
        version_ids = sorted(
            set(messages.order_by().values_list("scanned_ruleset_id", flat=True).distinct()),
            key=lambda pk: (pk is None, pk or 0),
        )
        shop_messages = shop_hits = 0
        for version_id in version_ids:
            if version_id is None:
                ruleset, scanner = factory(platform=shop.platform, shop=shop)
                group = messages.filter(scanned_ruleset__isnull=True)
            else:
                ruleset = RuleSet.objects.get(pk=version_id)
                scanner = version_factory(ruleset=ruleset, shop=shop)
                group = messages.filter(scanned_ruleset=ruleset)
            scanned, found = _scan_in_chunks(
                group, ruleset=ruleset, scanner=scanner, chunk_size=chunk_size, progress=progress,
                done_before=done + shop_messages, total=total,
            )
            shop_messages += scanned
            shop_hits += found
        done += shop_messages
        hits += shop_hits
        if shop_messages:
            per_shop.append({"shop": shop.code, "messages": shop_messages, "hits": shop_hits})
    return {"messages": done, "hits": hits, "shops": per_shop}


def rescan_queue(
    *, platform: str | None = None, shop: Shop | None = None, since: datetime, until: datetime | None = None,
    by: User | None = None,
) -> int:
    """Queue a re-scan of a window (e.g. after publishing a rule set) as a Job; returns the job id.

    The task starts after the caller's transaction commits, so it sees the newly published version."""
    label = shop.code if shop else (platform or "*")
    title = f"重新扫描 {label} · {since:%Y-%m-%d} 起"
    job = job_start(
        task="compliance.rescan_window", kind="compliance.rescan", title=title, created_by=by,
        merchant_id=shop.merchant_id if shop else None,
        kwargs={
            "platform": platform, "shop_id": shop.pk if shop else None,
            "since": since.isoformat(), "until": until.isoformat() if until else None,
        },
        retryable=True,  # a scan replaces its own hits: running it again stores the same hits
    )
    return job.pk


def rescan_after_custom_rule(
    *, rule: CustomRule, shop_ids: list[int], by: User | None = None, rescan_days: int = 0,
) -> int | None:
    """Custom-rule hook (`compliance.rules.services.register_custom_rule_hook`): queue a re-scan of the last
    `rescan_days` days of the shops the rule covered or covers, as a Job. Returns the job id, if any.

    Called inside the save's transaction: the job row is written with the rule, the task is queued once
    both are committed (so it scans with the saved rule)."""
    if not rescan_days or not shop_ids:
        return None
    since = timezone.now() - timedelta(days=rescan_days)
    job = job_start(
        task="compliance.rescan_custom_rules", kind="compliance.rescan",
        title=f"重新扫描 {rule.rule_id} · {timezone.localtime(since):%Y-%m-%d} 起", created_by=by,
        merchant_id=rule.merchant_id, kwargs={"shop_ids": list(shop_ids), "since": since.isoformat()},
        retryable=True,
    )
    return job.pk


def rescan_after_publish(*, ruleset: RuleSet, by: User | None = None, rescan_days: int = 0) -> int | None:
    """Publish hook (`compliance.rules.services.register_publish_hook`): re-scan the platform's last
    `rescan_days` days with the newly published version, as a Job. Returns the job id, if any."""
    if not rescan_days:
        return None
    since = timezone.now() - timedelta(days=rescan_days)
    return rescan_queue(platform=ruleset.platform, since=since, by=by)


def chunk_size() -> int:
    """Messages per chunk: one transaction, one lock set, one progress step (setting `SCAN_CHUNK_SIZE`)."""
    return int(getattr(settings, "SCAN_CHUNK_SIZE", CHUNK_SIZE))


def shops_scan_fan_out(*, shops: Iterable[Shop], per_shop: int = FAN_OUT_PER_SHOP) -> int:
    """Queue scan tasks for the unscanned messages of `shops`, several per shop when its backlog spans
    several chunks; every task takes chunks (locked with SKIP LOCKED) until the shop has none left, so the
    workers share the backlog and each message is scanned once. Returns the number of tasks queued."""
    queued = 0
    size = chunk_size()
    for shop in shops:
        ruleset, _scanner = default_scanner_factory(platform=shop.platform, shop=shop)
        pending = _pending(shop, ruleset, since=None, until=None, rescan=False).count()
        tasks = min(per_shop, -(-pending // size))
        for _ in range(tasks):
            task_queue(name="compliance.scan_new_messages", kwargs={"shop_id": shop.pk})
        queued += tasks
    return queued
