"""Leave and roster preferences: an agent requests leave and sets wishes; a manager approves or rejects.

Approved leave is a hard rule for the solver (`roster_scenario` turns it into unavailable days); approving
it also takes the agent off the shifts they had on those days from today on (the coverage gap the page
showed before approval), so the next solve fills them. Preferences are soft goals for the solver.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Role, User
from agency.services import audit_record
from staffing.rosters.models import AgentPreference, Leave, LeaveBalance, ShiftAssignment, ShiftTemplate

MAX_LEAVE_DAYS = 60


@transaction.atomic
def leave_request(*, agent: User, kind: str, first_day: date, last_day: date, reason: str = "") -> Leave:
    """An agent asks for leave; it waits for a manager. Overlapping their own live requests is refused."""
    if agent.role != Role.AGENT:
        raise ValidationError(_("只有客服可以申请请假。"))
    if kind not in Leave.Kind.values:
        raise ValidationError({"kind": _("请假类型不正确。")})
    if last_day < first_day:
        raise ValidationError({"last_day": _("结束日期早于开始日期。")})
    if first_day < timezone.localdate():
        raise ValidationError({"first_day": _("不能为已经过去的日期请假。")})
    if (last_day - first_day).days + 1 > MAX_LEAVE_DAYS:
        raise ValidationError({"last_day": _("一次最多请 %(n)s 天。") % {"n": MAX_LEAVE_DAYS}})
    overlapping = Leave.objects.filter(
        agent=agent, status__in=[Leave.Status.REQUESTED, Leave.Status.APPROVED], first_day__lte=last_day,
        last_day__gte=first_day,
    )
    if overlapping.exists():
        raise ValidationError(_("这些日期已有请假申请。"))
    leave = Leave.objects.create(agent=agent, kind=kind, first_day=first_day, last_day=last_day, reason=reason,
                                 status=Leave.Status.REQUESTED, requested_at=timezone.now())
    audit_record(actor=agent, verb="leave.request", target=leave)
    return leave


@transaction.atomic
def leave_cancel(*, leave: Leave, by: User) -> Leave:
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    if leave.agent_id != by.pk:
        raise ValidationError(_("只能撤回自己的请假申请。"))
    if leave.status != Leave.Status.REQUESTED:
        raise ValidationError(_("只有待审批的申请可以撤回。"))
    leave.status = Leave.Status.CANCELLED
    leave.save(update_fields=["status"])
    audit_record(actor=by, verb="leave.cancel", target=leave)
    return leave


@transaction.atomic
def leave_decide(*, leave: Leave, by: User, approve: bool) -> tuple[Leave, int]:
    """Approve or reject a request. Approving removes the agent's shifts on those days from today on and
    returns how many were removed (the next solve fills them; leave is then a hard rule)."""
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    if leave.status != Leave.Status.REQUESTED:
        raise ValidationError(_("这个申请已经处理过了。"))
    removed = 0
    if approve:
        shifts = ShiftAssignment.objects.filter(
            agent_id=leave.agent_id, date__range=(max(leave.first_day, timezone.localdate()), leave.last_day)
        )
        removed = shifts.count()
        shifts.delete()
    leave.status = Leave.Status.APPROVED if approve else Leave.Status.REJECTED
    leave.decided_by = by
    leave.decided_at = timezone.now()
    leave.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=by, verb="leave.approve" if approve else "leave.reject", target=leave,
                 data={"shifts_removed": removed})
    return leave, removed


@transaction.atomic
def leave_balance_set(*, agent: User, kind: str, year: int, days: Decimal, by: User) -> LeaveBalance:
    if kind not in Leave.Kind.values:
        raise ValidationError({"kind": _("请假类型不正确。")})
    if days < 0:
        raise ValidationError({"days": _("额度不能为负数。")})
    balance, _created = LeaveBalance.objects.update_or_create(agent=agent, kind=kind, year=year,
                                                              defaults={"entitled_days": days})
    audit_record(actor=by, verb="leave.balance", target=balance, data={"days": str(days)})
    return balance


@transaction.atomic
def preference_set(
    *, agent: User, prefer_shifts: list[str], avoid_shifts: list[str], unwanted_weekdays: list[int],
    preferred_weekdays: list[int] | None = None,
) -> AgentPreference:
    preferred_weekdays = preferred_weekdays or []
    codes = set(ShiftTemplate.objects.filter(current=True).values_list("code", flat=True))
    unknown = (set(prefer_shifts) | set(avoid_shifts)) - codes
    if unknown:
        raise ValidationError(_("没有这些班次：%(codes)s") % {"codes": "、".join(sorted(unknown))})
    both = set(prefer_shifts) & set(avoid_shifts)
    if both:
        raise ValidationError(_("同一个班次不能既想上又不想上：%(codes)s") % {"codes": "、".join(sorted(both))})
    if any(not 0 <= d <= 6 for d in [*unwanted_weekdays, *preferred_weekdays]):
        raise ValidationError(_("星期应在周一到周日之间。"))
    both_days = set(unwanted_weekdays) & set(preferred_weekdays)
    if both_days:
        raise ValidationError(_("同一天不能既想上班又想休息。"))
    preference, _created = AgentPreference.objects.update_or_create(agent=agent, defaults={
        "prefer_shifts": sorted(set(prefer_shifts)), "avoid_shifts": sorted(set(avoid_shifts)),
        "unwanted_weekdays": sorted(set(unwanted_weekdays)), "preferred_weekdays": sorted(set(preferred_weekdays)),
    })
    return preference


def leave_days_in_year(leave: Leave, year: int) -> int:
    first = max(leave.first_day, date(year, 1, 1))
    last = min(leave.last_day, date(year, 12, 31))
    return max(0, (last - first).days + 1)


