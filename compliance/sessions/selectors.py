"""Reads of chat sessions, messages and hits, always scoped to what the caller may see.

Staff (managers, inspectors) see every merchant; a merchant user sees only their own shops' sessions,
messages and hits; agents see none of these lists (their own QA results are the quality app's).

A message's *current* hits are those found by the version that scanned it last
(`ChatMessage.scanned_ruleset`); hits of older versions stay stored but are not counted twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from agency.access import scope_by_merchant
from agency.models import Role, User
from clients.models import Shop
from compliance.masking import MASKABLE, mask_text
from compliance.rules.models import Category
from compliance.sessions.models import ChatMessage, ChatSession, Hit
from compliance.sessions.sessionfile import SHANGHAI


def shops_with_sessions_visible_to(*, user: User) -> QuerySet[Shop]:
    return scope_by_merchant(Shop.objects.all(), user=user, merchant_path="merchant").order_by("code")


def sessions_visible_to(*, user: User) -> QuerySet[ChatSession]:
    return scope_by_merchant(ChatSession.objects.select_related("shop"), user=user, merchant_path="shop__merchant")


def messages_visible_to(*, user: User) -> QuerySet[ChatMessage]:
    return scope_by_merchant(ChatMessage.objects.all(), user=user, merchant_path="shop__merchant")


def current_hits() -> QuerySet[Hit]:
    """Every message's current hits (found by the version that scanned it last), unscoped."""
    return Hit.objects.filter(current=True)


def hits_visible_to(*, user: User) -> QuerySet[Hit]:
    return scope_by_merchant(current_hits(), user=user, merchant_path="shop__merchant")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=SHANGHAI)


SEARCH_WINDOW_DAYS = 30


@dataclass
class SessionFilter:
    shop: str = ""
    agent: str = ""
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    with_hits: bool = False
    # A text search without dates reads only the sessions of the last `search_days` days (the page sets it and
    # says so; a date range searches that range). None: no window.
    search_days: int | None = None

    def search_window(self, *, today: date) -> tuple[date, date] | None:
        """The dates a text search reads when no dates were given (shown on the page), else None."""
        if not self.q or self.date_from or self.date_to or not self.search_days:
            return None
        return today - timedelta(days=self.search_days - 1), today


def session_list(*, user: User, filters: SessionFilter | None = None, limit: int | None = None) -> QuerySet[ChatSession]:
    """Visible sessions, newest first, with message and current-hit counts, filtered. `limit`: a text search
    may stop after the newest `limit` matching sessions (the page counts only that far, `search_cap`)."""
    f = filters or SessionFilter()
    sessions = sessions_visible_to(user=user)
    if f.shop:
        sessions = sessions.filter(shop__code=f.shop)
    if f.date_from:
        sessions = sessions.filter(started_at__gte=_day_start(f.date_from))
    if f.date_to:
        sessions = sessions.filter(started_at__lt=_day_start(f.date_to + timedelta(days=1)))
    # A session's messages lie between its start and its end: saying so lets PostgreSQL read one month's
    # partition per session instead of every month's.
    in_session = {"session": OuterRef("pk"), "sent_at__gte": OuterRef("started_at"), "sent_at__lte": OuterRef("ended_at")}
    if f.agent:
        sessions = sessions.filter(Exists(ChatMessage.objects.filter(**in_session, agent_code=f.agent)))
    if f.with_hits:  # before the search, so that a search stopping after `limit` sessions counts only these
        sessions = sessions.filter(Exists(current_hits().filter(**{f"message__{k}": v for k, v in in_session.items()})))
    if f.q:
        shop_ids = list(shops_with_sessions_visible_to(user=user).values_list("pk", flat=True))
        sessions = _search(sessions, f, shop_ids=shop_ids, limit=limit)
    message_count = (
        ChatMessage.objects.filter(**in_session).order_by().values("session").annotate(c=Count("*")).values("c")
    )
    hit_count = (
        current_hits().filter(**{f"message__{k}": v for k, v in in_session.items()}).order_by().values("message__session")
        .annotate(c=Count("*")).values("c")
    )
    sessions = sessions.annotate(
        message_count=Coalesce(Subquery(message_count, output_field=IntegerField()), 0),
        hit_count=Coalesce(Subquery(hit_count, output_field=IntegerField()), 0),
    )
    return sessions.order_by("-started_at", "-pk")


MASKED_SEARCH_CANDIDATES = 5000


def _search(
    sessions: QuerySet[ChatSession], f: SessionFilter, *, shop_ids: list[int], limit: int | None = None
) -> QuerySet[ChatSession]:
    """A query naming a session or a buyer exactly finds that session or that buyer's sessions, at any date
    (index probes). Otherwise the messages' text is searched, in the search window when no dates were
    given. The two are not OR-ed in one statement: an OR around the text match stops PostgreSQL from reading
    it as a semi-join, and it then collected every matching message of the year before showing 50 sessions."""
    # The visible shops named as a list: each side of the OR is then an index probe per shop (the (shop,
    # session id) and (shop, buyer) indexes) instead of a read of every session.
    named = sessions.filter(Q(external_id=f.q) | Q(buyer=f.q), shop_id__in=shop_ids)
    if named.exists():
        return named
    window = f.search_window(today=timezone.localdate())
    first: date | None = f.date_from
    last: date = f.date_to or timezone.localdate()
    if window is not None:
        sessions = sessions.filter(started_at__gte=_day_start(window[0]))
        first, last = window
    if first is None:
        return sessions.filter(_text_matches(sessions, f.q))
    if limit is None or any(ch == "*" or ch in MASKABLE for ch in f.q):
        return sessions.filter(_text_matches(sessions, f.q, since=_day_start(first)))
    return sessions.filter(pk__in=_newest_matches(sessions, f.q, first=first, last=last, limit=limit))


def _newest_matches(sessions: QuerySet[ChatSession], q: str, *, first: date, last: date, limit: int) -> list[int]:
    """The newest `limit` sessions between the days `first` and `last` with a message containing `q`,
    searched newest first in stretches of 1, 2, 4, 8… days, stopping as soon as `limit` are found. A common
    phrase fills the page from the last day alone; a rarer one reads a few stretches (each through the
    trigram index, or the stretch's messages for a phrase under three characters) instead of every match of
    the range at once."""
    found: list[int] = []
    end = last + timedelta(days=1)
    days = 1
    while end > first and len(found) < limit:
        start = first if (end - first).days <= days else end - timedelta(days=days)
        stretch = sessions.filter(started_at__gte=_day_start(start), started_at__lt=_day_start(end))
        found += stretch.filter(_text_matches(stretch, q, since=_day_start(start))).order_by(
            "-started_at", "-pk").values_list("pk", flat=True)[: limit - len(found)]
        end, days = start, days * 2
    return found


def _text_matches(sessions: QuerySet[ChatSession], q: str, *, since: datetime | None = None) -> Q:
    """Sessions with a message whose text *as pages show it* (masked, `compliance.masking`) contains `q`, so a
    search never confirms what a page hides: `13800138000` finds nothing where pages show `138****8000`,
    and `138****8000` finds it.

    Masking only ever replaces digit-like characters with `*`, one for one. A query with neither is found
    in the masked text exactly where it is found in the stored text, so the database searches alone. A
    query with either is searched in the database with each `*` as any one character, and the candidates
    (at most MASKED_SEARCH_CANDIDATES messages, oldest sessions' messages first) are masked and checked."""
    # A session's messages lie between its start and end: bounding them so lets PostgreSQL read only the
    # partition of that month for each session it checks, and `since` skips older months at planning time.
    messages = ChatMessage.objects.all()
    if since is not None:
        messages = messages.filter(sent_at__gte=since)
    if not any(ch == "*" or ch in MASKABLE for ch in q):
        return Q(Exists(messages.filter(
            session=OuterRef("pk"), sent_at__gte=OuterRef("started_at"), sent_at__lte=OuterRef("ended_at"),
            text__contains=q,
        )))
    pattern = "".join("." if ch == "*" else re.escape(ch) for ch in q)
    candidates = (
        messages.filter(session__in=sessions.values("pk"), text__regex=pattern)
        .order_by("session_id", "pk").values_list("session_id", "text")[:MASKED_SEARCH_CANDIDATES]
    )
    found = {session_id for session_id, text in candidates if q in mask_text(text)}
    return Q(pk__in=found)


def session_messages(*, session: ChatSession) -> list[ChatMessage]:
    """A session's messages in order, each with `.current_hits` (list) prefetched in 2 queries."""
    messages = list(session.messages.select_related("agent").order_by("sent_at", "pk"))
    by_message: dict[int, list[Hit]] = {m.pk: [] for m in messages}
    if messages:
        for hit in current_hits().filter(message__session=session).order_by("message_id", "start", "end"):
            by_message[hit.message_id].append(hit)
    for message in messages:
        message.current_hits = by_message[message.pk]
    return messages


@dataclass
class ViolationFilter:
    shop: str = ""
    agent: str = ""
    category: str = ""
    severity: str = ""
    date_from: date | None = None
    date_to: date | None = None


def violation_list(*, user: User, filters: ViolationFilter | None = None) -> QuerySet[Hit]:
    """Visible current hits in agents' (and bots') messages, newest first, filtered."""
    f = filters or ViolationFilter()
    hits = hits_visible_to(user=user).filter(from_buyer=False)
    if f.shop:
        hits = hits.filter(shop__code=f.shop)
    if f.agent:
        hits = hits.filter(agent_code=f.agent)
    if f.category:
        hits = hits.filter(category=f.category)
    if f.severity:
        hits = hits.filter(severity=f.severity)
    if f.date_from:
        hits = hits.filter(sent_at__gte=_day_start(f.date_from))
    if f.date_to:
        hits = hits.filter(sent_at__lt=_day_start(f.date_to + timedelta(days=1)))
    # The page's hits are chosen on the hits alone (their own shop, time and flags) and their messages
    # fetched after, by id: joining the messages before the sort would read every message of the range.
    messages = ChatMessage.objects.select_related("session", "agent")
    return hits.select_related("shop", "ruleset").prefetch_related(Prefetch("message", queryset=messages)).order_by(
        "-sent_at", "-message_id", "start"
    )


def agent_codes_visible_to(*, user: User) -> list[str]:
    """Agent codes for the filter boxes: all agents for staff; agents seen in the merchant's sessions."""
    if user.is_authenticated and user.role == Role.MERCHANT:
        shop_ids = list(shops_with_sessions_visible_to(user=user).values_list("pk", flat=True))
        return _agent_codes_in_shops(shop_ids)
    codes = User.objects.filter(role=Role.AGENT, code__isnull=False).order_by("code").values_list("code", flat=True)
    return list(cast("QuerySet[User, str]", codes))  # code__isnull=False: no None among them


def _agent_codes_in_shops(shop_ids: list[int]) -> list[str]:
    """The agent codes that wrote in these shops. On PostgreSQL a skip scan of `message_shop_agent`: one
    index probe per code found (a DISTINCT would read every message of a year)."""
    if not shop_ids:
        return []
    if connection.vendor != "postgresql":
        codes = ChatMessage.objects.filter(shop_id__in=shop_ids).exclude(agent_code="").order_by()
        return sorted(set(codes.values_list("agent_code", flat=True).distinct()))
    table = ChatMessage._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"""
            WITH RECURSIVE codes AS (
                SELECT s.shop_id, (SELECT min(agent_code) FROM {table} m
                                    WHERE m.shop_id = s.shop_id AND m.agent_code <> '') AS code
                  FROM unnest(%s::bigint[]) AS s (shop_id)
                UNION ALL
                SELECT c.shop_id, (SELECT min(agent_code) FROM {table} m
                                    WHERE m.shop_id = c.shop_id AND m.agent_code <> '' AND m.agent_code > c.code)
                  FROM codes c WHERE c.code IS NOT NULL
            )
            SELECT DISTINCT code FROM codes WHERE code IS NOT NULL ORDER BY code
            """,
            [shop_ids],
        )
        return [row[0] for row in cur.fetchall()]


def violation_counts(*, user: User, days: int = 7) -> list[dict]:
    """Current hits in agents' messages over the last `days` days, per category (one query)."""
    since = datetime.now(tz=SHANGHAI) - timedelta(days=days)
    rows = (
        hits_visible_to(user=user).filter(from_buyer=False, sent_at__gte=since)
        .values("category").annotate(n=Count("id")).order_by("-n")
    )
    labels = dict(Category.choices)  # the choices of Hit.category
    return [{"category": r["category"], "label": labels.get(r["category"], r["category"]), "n": r["n"]} for r in rows]

