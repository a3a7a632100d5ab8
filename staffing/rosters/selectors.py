"""Reads about rosters, scoped to who is asking.

Managers and inspectors see every roster. A merchant user sees a roster only through their own shops
(its coverage for those shops, never another merchant's shop or agents' other work). An agent sees only
their own shifts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, QuerySet

from agency.access import is_staff_viewer, scope_by_merchant
from agency.models import Role, User
from clients.models import Shop
from staffing.forecasting.selectors import required_agents
from staffing.rosters.models import Roster, RosterRules, ShiftAssignment, ShiftTemplate, SwapRequest


def rosters_visible_to(*, user: User) -> QuerySet[Roster]:
    """Staff: every roster; a merchant user: the rosters covering one of their shops; anyone else: none."""
    qs = scope_by_merchant(Roster.objects.all(), user=user, merchant_path="shops__merchant")
    return qs if is_staff_viewer(user) else qs.distinct()


def roster_shops_visible_to(*, user: User, roster: Roster) -> QuerySet[Shop]:
    return scope_by_merchant(roster.shops.all(), user=user).order_by("code")


def shifts_visible_to(*, user: User) -> QuerySet[ShiftAssignment]:
    """Staff: all; merchant users: shifts on their shops; agents: their own."""
    qs = ShiftAssignment.objects.select_related("shop", "template", "agent", "roster")
    return scope_by_merchant(qs, user=user, merchant_path="shop__merchant", agent_path="agent")


def my_shifts(*, user: User, first: date, last: date) -> QuerySet[ShiftAssignment]:
    """An agent's own shifts in [first, last], published days only (drafts are not theirs to see yet)."""
    return (
        ShiftAssignment.objects.filter(agent=user, date__range=(first, last), pinned=True)
        .select_related("shop", "template", "roster")
        .order_by("date", "starts_at")
    )


def swaps_visible_to(*, user: User) -> QuerySet[SwapRequest]:
    qs = SwapRequest.objects.select_related(
        "assignment__shop", "assignment__template", "requester", "taker", "decided_by", "counterpart__shop",
        "counterpart__template",
    )
    if is_staff_viewer(user):
        return qs
    if user.is_authenticated and user.role == Role.AGENT:
        return qs.filter(Q(requester=user) | Q(taker=user))
    return qs.none()


def swaps_to_answer(*, user: User) -> QuerySet[SwapRequest]:
    """Swaps colleagues propose to this agent, waiting for their answer."""
    return swaps_visible_to(user=user).filter(taker=user, status=SwapRequest.Status.PROPOSED)


def templates_current() -> QuerySet[ShiftTemplate]:
    """The current version of every shift template (switched-off ones included)."""
    return ShiftTemplate.objects.filter(current=True).order_by("start", "code")


def rules_versions() -> QuerySet[RosterRules]:
    """Every version of the default rules, newest first, with its templates and how many rosters use it."""
    return (
        RosterRules.objects.select_related("created_by")
        .prefetch_related("templates")
        .annotate(roster_count=Count("rosters"))
        .order_by("-number")
    )


@dataclass
class CoverageCell:
    required: int
    scheduled: int

    @property
    def gap(self) -> int:
        return max(0, self.required - self.scheduled)


def roster_demand_map(*, roster: Roster, shop: Shop) -> dict[tuple[date, str], int]:
    """What the roster was solved against for a shop: its entered demand, else the forecast."""
    rows = roster.demand.filter(shop=shop)
    demand = {(r.date, r.slot.strftime("%H:%M")): r.agents for r in rows}
    if demand:
        return demand
    return required_agents(shop=shop, start=roster.start_date, days=roster.days)


def coverage_grid(*, roster: Roster, shop: Shop) -> tuple[list[str], list[date], dict[tuple[str, date], CoverageCell]]:
    """Half hours of the service window × days: agents required (at least the minimum) and on shift."""
    step = timedelta(minutes=30)
    slots: list[str] = []
    moment = datetime.combine(roster.start_date, roster.window_start)
    close = datetime.combine(roster.start_date, roster.window_end)
    while moment < close:
        slots.append(moment.strftime("%H:%M"))
        moment += step
    days = roster.dates
    demand = roster_demand_map(roster=roster, shop=shop)
    on_shift: dict[tuple[str, date], int] = defaultdict(int)
    shifts = ShiftAssignment.objects.filter(roster=roster, shop=shop).select_related("template")
    for shift in shifts:
        start = datetime.combine(shift.date, shift.template.start)
        end = start + timedelta(minutes=shift.template.minutes)
        t = start
        # Count every whole half hour the shift covers, on whichever day it falls.
        if t.minute % 30:
            t += timedelta(minutes=30 - t.minute % 30)
        while t + step <= end:
            on_shift[t.strftime("%H:%M"), t.date()] += 1
            t += step
    grid = {
        (slot, day): CoverageCell(max(demand.get((day, slot), 0), roster.min_coverage), on_shift.get((slot, day), 0))
        for slot in slots
        for day in days
    }
    return slots, days, grid


def roster_grid(*, roster: Roster, shifts: QuerySet[ShiftAssignment]) -> tuple[list[User], list[date], dict]:
    """Agents × days: the shift each agent works each day (for the per-agent and per-shop grids)."""
    cells: dict[tuple[int, date], ShiftAssignment] = {}
    agents: dict[int, User] = {}
    for shift in shifts:
        cells[shift.agent_id, shift.date] = shift
        agents[shift.agent_id] = shift.agent
    ordered = sorted(agents.values(), key=lambda u: (u.code or "", u.username))
    return ordered, roster.dates, cells


def shop_published_gaps(*, shop: Shop, first: date, days: int, window: tuple[str, str] = ("08:00", "23:00")) -> list[tuple[date, str]]:
    """Half hours of the window in [first, first + days) when no published (pinned) shift covers the shop."""
    step = timedelta(minutes=30)
    covered: set[tuple[date, str]] = set()
    shifts = ShiftAssignment.objects.filter(
        shop=shop, pinned=True, date__range=(first - timedelta(days=1), first + timedelta(days=days - 1))
    ).select_related("template")
    for shift in shifts:
        t = datetime.combine(shift.date, shift.template.start)
        end = t + timedelta(minutes=shift.template.minutes)
        if t.minute % 30:
            t += timedelta(minutes=30 - t.minute % 30)
        while t + step <= end:
            covered.add((t.date(), t.strftime("%H:%M")))
            t += step
    gaps = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        t = datetime.combine(day, datetime.strptime(window[0], "%H:%M").time())
        close = datetime.combine(day, datetime.strptime(window[1], "%H:%M").time())
        while t < close:
            if (day, t.strftime("%H:%M")) not in covered:
                gaps.append((day, t.strftime("%H:%M")))
            t += step
    return gaps
