"""Reads of adherence, each scoped to the caller: today's floor, an agent's month, a shop's month.

- Staff (managers, inspectors) see every shop and agent.
- An agent sees their own figures (a team lead also their team's, as for disputes).
- A merchant user sees their own shops' seats: rostered against active, never agents' names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from agency.access import is_staff_viewer, scope_by_agent_or_team, scope_by_merchant
from agency.models import Role, User
from clients.models import Shop
from compliance.adherence.engine.definitions import IDLE_WAIT_SECONDS
from compliance.adherence.models import ShiftAdherence
from compliance.sessions.models import ChatMessage, ChatSession, Sender
from staffing.models import ShiftAssignment

ACTIVE_MINUTES = 10  # an agent who sent a message in the last 10 minutes counts as active on the floor


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def shops_visible_to(*, user: User) -> QuerySet[Shop]:
    """Shops whose adherence the user may see: staff all, merchants their own, agents none as shops."""
    return scope_by_merchant(Shop.objects.select_related("merchant"), user=user, merchant_path="merchant")


def agents_visible_to(*, user: User) -> QuerySet[User]:
    """Agents whose adherence the user may see: staff all, an agent themself and the team they lead."""
    agents = User.objects.filter(role=Role.AGENT)
    if is_staff_viewer(user):
        return agents
    if user.role == Role.AGENT:
        return agents.filter(Q(pk=user.pk) | Q(team__lead=user))
    return agents.none()


def adherence_visible_to(*, user: User) -> QuerySet[ShiftAdherence]:
    rows = ShiftAdherence.objects.select_related("assignment__template", "shop", "agent")
    if is_staff_viewer(user) or user.role == Role.AGENT:
        return scope_by_agent_or_team(rows, user=user)
    return scope_by_merchant(rows, user=user, merchant_path="shop__merchant")


@dataclass
class Totals:
    shifts: int = 0
    demand_slots: int = 0
    active_demand_slots: int = 0
    late_minutes: int = 0
    late_shifts: int = 0
    no_shows: int = 0
    idle_waits: int = 0
    worked_shifts: int = 0  # shifts with any activity of the agent in the shop

    @property
    def adherence(self) -> float | None:
        return self.active_demand_slots / self.demand_slots if self.demand_slots else None

    def add(self, row: ShiftAdherence) -> None:
        self.shifts += 1
        self.demand_slots += row.demand_slots
        self.active_demand_slots += row.active_demand_slots
        self.late_minutes += row.late_minutes or 0
        self.late_shifts += 1 if row.late_minutes else 0
        self.no_shows += 1 if row.no_show else 0
        self.idle_waits += row.idle_waits
        self.worked_shifts += 1 if row.first_activity is not None else 0


@dataclass
class AgentMonth:
    agent: User
    first: date
    last: date
    rows: list[ShiftAdherence]
    totals: Totals
    off_shift_messages: int
    off_shift_days: list[date] = field(default_factory=list)


def off_shift_activity(*, agent: User, first: date, last: date) -> tuple[int, list[date]]:
    """The agent's messages sent outside every shift of theirs in [first, last] (local days), and the days."""
    tz = timezone.get_current_timezone()
    lo = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    hi = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    covering = ShiftAssignment.objects.filter(
        agent=agent, shop_id=OuterRef("shop_id"), starts_at__lte=OuterRef("sent_at"), ends_at__gt=OuterRef("sent_at")
    )
    outside = (
        ChatMessage.objects.filter(agent=agent, sender=Sender.AGENT, sent_at__gte=lo, sent_at__lt=hi)
        .exclude(Exists(covering))
        .values_list("sent_at", flat=True)
    )
    times = list(outside)
    days = sorted({timezone.localtime(t).date() for t in times})
    return len(times), days


def agent_month(*, agent: User, month: date, viewer: User) -> AgentMonth:
    first, last = month_bounds(month)
    rows = list(
        adherence_visible_to(user=viewer).filter(agent=agent, date__range=(first, last)).order_by("date", "assignment__starts_at")
    )
    totals = Totals()
    for row in rows:
        totals.add(row)
    count, days = off_shift_activity(agent=agent, first=first, last=last)
    return AgentMonth(agent=agent, first=first, last=last, rows=rows, totals=totals, off_shift_messages=count,
                      off_shift_days=days)


@dataclass
class ShopMonth:
    shop: Shop
    first: date
    last: date
    totals: Totals
    by_day: list[tuple[date, Totals]]
    by_agent: list[tuple[User, Totals]]  # empty for merchants: they see seats, not people


def shop_month(*, shop: Shop, month: date, viewer: User) -> ShopMonth:
    first, last = month_bounds(month)
    rows = ShiftAdherence.objects.filter(shop=shop, date__range=(first, last)).select_related("agent")
    totals = Totals()
    days: dict[date, Totals] = defaultdict(Totals)
    agents: dict[int, tuple[User, Totals]] = {}
    for row in rows:
        totals.add(row)
        days[row.date].add(row)
        agents.setdefault(row.agent_id, (row.agent, Totals()))[1].add(row)
    by_agent = sorted(agents.values(), key=lambda pair: (pair[0].code or "", pair[0].pk)) if is_staff_viewer(viewer) else []
    return ShopMonth(shop=shop, first=first, last=last, totals=totals, by_day=sorted(days.items()), by_agent=by_agent)


def month_overview(*, month: date) -> dict[str, list[dict]]:
    """Per shop and per team for the month (staff only): the SQL roll-up of the stored shifts."""
    first, last = month_bounds(month)
    rows = ShiftAdherence.objects.filter(date__range=(first, last))
    figures = {
        "shifts": Count("id"), "demand": Sum("demand_slots"), "active": Sum("active_demand_slots"),
        "late": Sum("late_minutes"), "no_shows": Count("id", filter=Q(no_show=True)), "idle": Sum("idle_waits"),
    }
    shops: list[dict] = [
        dict(row) for row in rows.values("shop_id", "shop__name", "shop__code").annotate(**figures).order_by("shop__code")
    ]
    teams: list[dict] = [
        dict(row)
        for row in rows.values("agent__team_id", "agent__team__name").annotate(**figures).order_by("agent__team__name")
    ]
    for row in shops + teams:
        row["adherence"] = row["active"] / row["demand"] if row["demand"] else None
    return {"shops": shops, "teams": teams}


@dataclass
class FloorAgent:
    agent: User
    shift: ShiftAssignment
    last_message: datetime | None
    active: bool
    idle_while_waiting: bool


@dataclass
class FloorShop:
    shop: Shop
    rostered: int
    active: int
    waiting_buyers: int
    agents: list[FloorAgent]


def floor_now(*, user: User, now: datetime | None = None) -> list[FloorShop]:
    """Who is rostered now in each visible shop, who is active, and who is idle while buyers wait.

    A buyer waits when their session's last message is a buyer message older than 300 s (and less than
    two hours old, so yesterday's abandoned chats do not count). An agent is active with a message in the
    shop in the last ten minutes; rostered, not active and buyers waiting is "idle while buyers wait".
    Agents see only their own line; merchants see counts only.
    """
    now = now or timezone.now()
    shifts = ShiftAssignment.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("agent", "shop", "template")
    if is_staff_viewer(user):
        pass
    elif user.role == Role.AGENT:
        shifts = shifts.filter(agent=user)
    else:
        shifts = scope_by_merchant(shifts, user=user, merchant_path="shop__merchant")
    shifts_list = list(shifts.order_by("shop__code", "agent__code"))
    shop_ids = {s.shop_id for s in shifts_list}
    last_seen: dict[tuple[int, int], datetime] = {}
    for row in (
        ChatMessage.objects.filter(shop_id__in=shop_ids, sender=Sender.AGENT, agent__isnull=False,
                                   sent_at__gt=now - timedelta(hours=2), sent_at__lte=now)
        .values("shop_id", "agent_id")
        .annotate(last=Max("sent_at"))
    ):
        last_seen[row["shop_id"], row["agent_id"]] = row["last"]
    last_sender = ChatMessage.objects.filter(session=OuterRef("pk"), sent_at__lte=now).order_by("-sent_at", "-id")
    waiting: dict[int, int] = defaultdict(int)
    for waiting_row in (
        ChatSession.objects.filter(shop_id__in=shop_ids, ended_at__gt=now - timedelta(hours=2),
                                   started_at__lte=now)
        .annotate(last_sender=Subquery(last_sender.values("sender")[:1]),
                  last_at=Subquery(last_sender.values("sent_at")[:1]))
        .filter(last_sender=Sender.BUYER, last_at__lte=now - timedelta(seconds=IDLE_WAIT_SECONDS))
        .values("shop_id")
        .annotate(n=Count("id"))
    ):
        waiting[waiting_row["shop_id"]] = waiting_row["n"]
    by_shop: dict[int, FloorShop] = {}
    cutoff = now - timedelta(minutes=ACTIVE_MINUTES)
    for shift in shifts_list:
        shop = by_shop.setdefault(shift.shop_id, FloorShop(shop=shift.shop, rostered=0, active=0,
                                                             waiting_buyers=waiting.get(shift.shop_id, 0), agents=[]))
        seen = last_seen.get((shift.shop_id, shift.agent_id))
        active = seen is not None and seen > cutoff
        shop.rostered += 1
        shop.active += 1 if active else 0
        shop.agents.append(FloorAgent(agent=shift.agent, shift=shift, last_message=seen, active=active,
                                      idle_while_waiting=not active and shop.waiting_buyers > 0))
    return list(by_shop.values())
