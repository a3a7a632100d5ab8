"""Reads of leave: who sees which requests, balances per agent, and the coverage gap a request opens."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from agency.access import is_staff_viewer, scope_by_agent
from agency.models import User
from clients.models import Shop
from staffing.forecasting.selectors import required_agents
from staffing.leave.services import leave_days_in_year
from staffing.rosters.models import Leave, LeaveBalance, ShiftAssignment


def leaves_visible_to(*, user: User) -> QuerySet[Leave]:
    """Staff see every request; an agent their own; merchants none."""
    return scope_by_agent(Leave.objects.select_related("agent", "decided_by"), user=user)


@dataclass
class Balance:
    kind: str
    label: str
    entitled: Decimal | None
    used: int
    pending: int

    @property
    def left(self) -> Decimal | None:
        return None if self.entitled is None else self.entitled - self.used


def balances(*, agent: User, year: int) -> list[Balance]:
    """Per kind of leave: the year's entitlement (None when none is set), approved days and requested days."""
    entitled = {b.kind: b.entitled_days for b in LeaveBalance.objects.filter(agent=agent, year=year)}
    used: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for leave in Leave.objects.filter(agent=agent, first_day__lte=date(year, 12, 31), last_day__gte=date(year, 1, 1),
                                      status__in=[Leave.Status.APPROVED, Leave.Status.REQUESTED]):
        target = used if leave.status == Leave.Status.APPROVED else pending
        target[leave.kind] += leave_days_in_year(leave, year)
    return [Balance(kind, str(label), entitled.get(kind), used[kind], pending[kind]) for kind, label in Leave.Kind.choices]


@dataclass
class GapDay:
    shop: Shop
    day: date
    agent_shift: ShiftAssignment | None  # the shift the agent would leave
    short_slots: int  # half hours where rostered (without the agent) < required
    worst: int  # the largest shortfall in one half hour
    required_peak: int
    rostered_peak: int


def leave_coverage_gap(*, leave: Leave) -> list[GapDay]:
    """For each day of the leave and each shop the agent serves: Erlang demand against the agents rostered
    without them, per half hour (the gap approving the leave would open or widen)."""
    first = max(leave.first_day, timezone.localdate())
    last = leave.last_day
    if last < first:
        return []
    shops = list(Shop.objects.filter(
        Q(assignments__agent_id=leave.agent_id, assignments__since__lte=last)
        & (Q(assignments__until__isnull=True) | Q(assignments__until__gte=first))
    ).distinct().order_by("code"))
    shops_ids = {s.pk for s in shops}
    own = {(s.shop_id, s.date): s for s in ShiftAssignment.objects.filter(
        agent_id=leave.agent_id, date__range=(first, last)).select_related("template", "shop")}
    shops_ids |= {shop_id for shop_id, _day in own}
    shops = list(Shop.objects.filter(pk__in=shops_ids).order_by("code"))
    days = (last - first).days + 1
    tz = timezone.get_current_timezone()
    on_shift: dict[tuple[int, date, str], int] = defaultdict(int)
    step = timedelta(minutes=30)
    for shift in ShiftAssignment.objects.filter(shop_id__in=shops_ids, date__range=(first - timedelta(days=1), last)).exclude(
        agent_id=leave.agent_id
    ):
        t = timezone.localtime(shift.starts_at, tz)
        end = timezone.localtime(shift.ends_at, tz)
        if t.minute % 30:
            t += timedelta(minutes=30 - t.minute % 30)
        while t + step <= end:
            on_shift[shift.shop_id, t.date(), t.strftime("%H:%M")] += 1
            t += step
    result = []
    for shop in shops:
        need = required_agents(shop=shop, start=first, days=days)
        by_day: dict[date, list[tuple[int, int]]] = defaultdict(list)
        for (day, slot), required in need.items():
            by_day[day].append((required, on_shift.get((shop.pk, day, slot), 0)))
        for offset in range(days):
            day = first + timedelta(days=offset)
            pairs = by_day.get(day, [])
            short = [r - s for r, s in pairs if r > s]
            result.append(GapDay(
                shop=shop, day=day, agent_shift=own.get((shop.pk, day)), short_slots=len(short),
                worst=max(short, default=0), required_peak=max((r for r, _s in pairs), default=0),
                rostered_peak=max((s for _r, s in pairs), default=0),
            ))
    return result


def pending_requests(*, user: User) -> QuerySet[Leave]:
    if not is_staff_viewer(user):
        return Leave.objects.none()
    return Leave.objects.filter(status=Leave.Status.REQUESTED).select_related("agent").order_by("first_day", "pk")


