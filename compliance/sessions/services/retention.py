"""Buyers' data kept only as long as allowed (PIPL): after the retention period of the shop's contract, a
session's buyer id is replaced by a pseudonym and its buyers' message text by stars of the same length.

What stays: every session, message and hit row, so counts, response metrics, QA scores and charts are
unchanged; agents' and bots' messages (the agency's own work, which QA and disputes rest on). Hits in
buyers' messages keep their place and category, their matched text starred. The pseudonym is an HMAC of
the shop and the buyer id under SECRET_KEY: the same buyer in one shop keeps one pseudonym, so "distinct
buyers" figures hold, and nobody can turn it back into the id.

`buyer_data_purge` works on one shop and one range of session end times, chunk by chunk;
`buyer_data_retention_run` is the daily beat.

Messages themselves are kept MESSAGE_RETENTION_MONTHS whole months (`messages_retention_run`, also a daily
beat and the `messages_retention` command): older months go whole, on PostgreSQL by dropping the month's
partition.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Min, Q, QuerySet, Value
from django.db.models.functions import Length, Repeat
from django.utils import timezone

from agency.models import User
from agency.services import audit_record
from clients.models import Shop
from clients.sales.selectors import buyer_data_retention_days_for_shop
from compliance.sessions.models import ChatMessage, ChatSession, Hit, Sender
from compliance.sessions.services import partitions

CHUNK = 1000
PSEUDONYM_PREFIX = "anon-"


@dataclass
class PurgeResult:
    sessions: int = 0
    messages: int = 0
    hits: int = 0

    def add(self, other: PurgeResult) -> None:
        self.sessions += other.sessions
        self.messages += other.messages
        self.hits += other.hits

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def buyer_pseudonym(*, shop_id: int, buyer: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{shop_id}\x1f{buyer}".encode(), hashlib.sha256).hexdigest()
    return f"{PSEUDONYM_PREFIX}{digest[:16]}"


def sessions_due(*, shop: Shop, ended_before: datetime, ended_from: datetime | None = None) -> QuerySet[ChatSession]:
    sessions = ChatSession.objects.filter(shop=shop, ended_at__lt=ended_before, buyer_data_purged_at__isnull=True)
    if ended_from is not None:
        sessions = sessions.filter(ended_at__gte=ended_from)
    return sessions


def buyer_data_purge(
    *, shop: Shop, ended_before: datetime, ended_from: datetime | None = None, by: User | None = None
) -> PurgeResult:
    """Pseudonymise the buyers of the shop's sessions that ended in [ended_from, ended_before) and were not
    yet purged; each chunk of sessions in its own transaction, so a long run is resumable and idempotent."""
    total = PurgeResult()
    now = timezone.now()
    while True:
        ids = list(
            sessions_due(shop=shop, ended_before=ended_before, ended_from=ended_from)
            .order_by("pk").values_list("pk", flat=True)[:CHUNK]
        )
        if not ids:
            break
        total.add(_purge_chunk(shop_id=shop.pk, session_ids=ids, now=now))
    if total.sessions:
        audit_record(actor=by, verb="buyer_data.purge", target=shop, merchant_id=shop.merchant_id,
                     data={**total.as_dict(), "ended_before": ended_before.isoformat()})
    return total


@transaction.atomic
def _purge_chunk(*, shop_id: int, session_ids: list[int], now: datetime) -> PurgeResult:
    sessions = list(ChatSession.objects.select_for_update().filter(pk__in=session_ids, buyer_data_purged_at__isnull=True))
    for session in sessions:
        if not session.buyer.startswith(PSEUDONYM_PREFIX):
            session.buyer = buyer_pseudonym(shop_id=shop_id, buyer=session.buyer)
        session.buyer_data_purged_at = now
    ChatSession.objects.bulk_update(sessions, ["buyer", "buyer_data_purged_at"])
    ids = [s.pk for s in sessions]
    buyer_messages = ChatMessage.objects.filter(session_id__in=ids, sender=Sender.BUYER)
    hits = Hit.objects.filter(message__in=buyer_messages).update(matched=Repeat(Value("*"), Length("matched")))
    messages = buyer_messages.update(text=Repeat(Value("*"), Length("text")))
    return PurgeResult(sessions=len(sessions), messages=messages, hits=hits)


def shop_retention(*, shop: Shop) -> tuple[int, object]:
    """(days kept, the contract that says so or None) for one shop."""
    return buyer_data_retention_days_for_shop(shop=shop, default=settings.BUYER_DATA_RETENTION_DAYS)


def buyer_data_retention_run(*, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Beat, daily: every shop's sessions past its retention period are pseudonymised."""
    now = now or timezone.now()
    done: dict[str, dict[str, int]] = {}
    for shop in Shop.objects.filter(sessions__buyer_data_purged_at__isnull=True).distinct().order_by("pk"):
        days, _contract = shop_retention(shop=shop)
        result = buyer_data_purge(shop=shop, ended_before=now - timedelta(days=days))
        if result.sessions:
            done[shop.code] = result.as_dict()
    return done


def buyer_data_view_audit(*, user: User, session: ChatSession, where: str) -> None:
    """Staff looked at a session with its buyer's id in clear (PIPL): one audit line per view, naming the
    page or endpoint. A merchant user reading their own shop's sessions is not audited here."""
    if user.is_authenticated and not user.is_merchant_user:
        audit_record(actor=user, verb="buyer_data.view", target=session, merchant_id=session.shop.merchant_id,
                     data={"where": where, "purged": session.buyer_data_purged_at is not None})


@dataclass
class ShopRetention:
    """What the retention page shows for one shop: what is kept in clear, and until when."""

    shop: Shop
    days: int
    contract_number: str | None
    kept_sessions: int
    purged_sessions: int
    oldest_kept_end: datetime | None

    @property
    def next_purge_at(self) -> datetime | None:
        return self.oldest_kept_end + timedelta(days=self.days) if self.oldest_kept_end else None


def retention_overview() -> list[ShopRetention]:
    """Every shop with sessions: its retention period (and the contract that sets it), how many sessions
    keep their buyer data in clear, how many were pseudonymised, and when the oldest one kept is due."""
    counts = {
        row["shop_id"]: row for row in ChatSession.objects.order_by().values("shop_id").annotate(
            kept=Count("pk", filter=Q(buyer_data_purged_at__isnull=True)),
            purged=Count("pk", filter=Q(buyer_data_purged_at__isnull=False)),
            oldest=Min("ended_at", filter=Q(buyer_data_purged_at__isnull=True)),
        )
    }
    overview = []
    for shop in Shop.objects.filter(pk__in=counts).select_related("merchant").order_by("merchant__name", "code"):
        days, contract = shop_retention(shop=shop)
        row = counts[shop.pk]
        overview.append(ShopRetention(
            shop=shop, days=days, contract_number=getattr(contract, "number", None), kept_sessions=row["kept"],
            purged_sessions=row["purged"], oldest_kept_end=row["oldest"],
        ))
    return overview


def buyer_data_list_audit(*, user: User, sessions: Iterable[ChatSession], where: str) -> None:
    """Staff looked at a list of sessions showing their buyers' ids in clear: one audit line per merchant
    on the page, naming the sessions shown (nothing when the page showed none)."""
    if not user.is_authenticated or user.is_merchant_user:
        return
    by_merchant: dict[int, list[ChatSession]] = {}
    for session in sessions:
        by_merchant.setdefault(session.shop.merchant_id, []).append(session)
    for merchant_id, shown in by_merchant.items():
        audit_record(actor=user, verb="buyer_data.view_list", target=shown[0], merchant_id=merchant_id,
                     data={"where": where, "sessions": [s.pk for s in shown]})


# --- Whole months of messages past the message retention period ---------------------------------------------


@dataclass
class MessageRetentionResult:
    kept_from: str  # the first month kept, "YYYY-MM"
    months_dropped: list[str]
    messages: int  # rows deleted one by one (SQLite, the default partition); a dropped partition is not counted
    hits: int
    sessions: int

    def as_dict(self) -> dict:
        return asdict(self)


def messages_retention_first_kept_month(*, now: datetime | None = None, months: int | None = None) -> date | None:
    """The first month whose messages are kept: this month and the `months` before it are kept whole
    (MESSAGE_RETENTION_MONTHS; 0 keeps everything, None is returned)."""
    months = settings.MESSAGE_RETENTION_MONTHS if months is None else months
    if months <= 0:
        return None
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def messages_retention_run(*, now: datetime | None = None, months: int | None = None) -> MessageRetentionResult | None:
    """Delete every message of the months before the retention period, a month at a time and whole: on
    PostgreSQL each month's partition is dropped (no row-by-row delete, no bloat left to vacuum), elsewhere the
    rows are deleted. Then the hits of those messages (they carry the message's time) and the sessions that
    started before the first kept month, with everything hanging on them (their turns, auto-QA and reviews,
    the few messages they may have in a kept month), so nothing is left pointing at a dropped message.
    Day-level figures (shop-day metrics, sales) stay. Idempotent; None when retention is off."""
    first_kept = messages_retention_first_kept_month(now=now, months=months)
    if first_kept is None:
        return None
    cutoff = timezone.make_aware(datetime(first_kept.year, first_kept.month, 1))
    dropped, deleted = partitions.messages_partitions_drop_before(month=first_kept)
    if not partitions.messages_partitioned():
        deleted += _delete_in_chunks(ChatMessage.objects.filter(sent_at__lt=cutoff))
    # Nothing hangs on a hit, so this is one DELETE (a month's worth once a month), not a scan per chunk.
    hits, _per_model = Hit.objects.filter(sent_at__lt=cutoff).delete()
    sessions = _delete_in_chunks(ChatSession.objects.filter(started_at__lt=cutoff))
    return MessageRetentionResult(
        kept_from=first_kept.strftime("%Y-%m"), months_dropped=[m.strftime("%Y-%m") for m in dropped],
        messages=deleted, hits=hits, sessions=sessions,
    )


def _delete_in_chunks(rows: QuerySet) -> int:
    """Delete `rows` (and what cascades from them) CHUNK primary keys per transaction; returns how many."""
    total = 0
    while True:
        ids = list(rows.order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return total
        with transaction.atomic():
            rows.model.objects.filter(pk__in=ids).delete()
        total += len(ids)
