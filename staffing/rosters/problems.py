"""Why a roster could not be made, said to a manager in their language, with shop and agent names.

The solver (pure) explains an infeasible roster in data (`explanation_detail`, kept as
`Roster.solve_detail`): the shop, date and slot that cannot be covered, or the agent whose published
shift cannot be kept. Here those codes become names, and the reasons the solver only saw as "unavailable"
are told apart: agents booked in another roster for that day, agents on leave, agents not certified or not
assigned. Each problem comes with what would fix it. Rendered at request time, so it reads in the
viewer's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Role, User
from staffing.rosters.models import Leave, Roster, ShiftAssignment
from staffing.rosters.services import eligible_windows
from staffing.training.models import ShopAssignment


@dataclass
class RosterProblem:
    headline: str
    blockers: list[str] = field(default_factory=list)
    fixes: list[str] = field(default_factory=list)


def _name(user: User) -> str:
    return user.get_full_name() or user.username


def _agent_by_key(key: str) -> User | None:
    if key.startswith("user-") and key[5:].isdigit():
        return User.objects.filter(pk=int(key[5:])).first()
    return User.objects.filter(code=key).first()


def _slot_problem(roster: Roster, detail: dict) -> RosterProblem:
    shops = {s.code: s for s in roster.shops.all()}
    shop = shops.get(detail.get("shop", ""))
    shop_name = shop.name if shop else detail.get("shop", "?")
    try:
        day = date.fromisoformat(detail.get("date", ""))
    except ValueError:
        day = roster.start_date
    slot = detail.get("slot", "")
    needed = detail.get("needed", roster.min_coverage)
    if "available" in detail:
        headline = _(
            "%(shop)s 在 %(date)s %(slot)s 排不到最少 %(needed)s 名客服：这个时段只有 %(available)s 名客服可排。"
        ) % {"shop": shop_name, "date": day.isoformat(), "slot": slot, "needed": needed, "available": detail["available"]}
    else:
        headline = _(
            "%(shop)s 在 %(date)s %(slot)s 排不到最少 %(needed)s 名客服（缺 %(missing)s 名）：能上这个时段的客服受休息时间、"
            "连续工作天数或每周工时限制。"
        ) % {"shop": shop_name, "date": day.isoformat(), "slot": slot, "needed": needed, "missing": detail.get("missing", 1)}
        more = len(detail.get("slots", [])) - 1
        if more > 0:
            headline += " " + _("另有 %(n)s 个时段同样排不满。") % {"n": more}
    problem = RosterProblem(headline=headline)
    if shop is None:
        return problem
    eligible = {agent_id for agent_id, shops_ in eligible_windows(shops=[shop], first=day, last=day).items()
                if shop.pk in shops_}
    assigned = set(
        ShopAssignment.objects.filter(shop=shop, since__lte=day).filter(Q(until__isnull=True) | Q(until__gte=day))
        .values_list("agent_id", flat=True)
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=eligible | assigned, role=Role.AGENT, is_active=True)}
    booked = (
        ShiftAssignment.objects.filter(agent_id__in=eligible, date__in=[day, day - timedelta(days=1)])
        .exclude(roster=roster).select_related("roster", "shop", "agent").order_by("agent__username")
    )
    booked_ids = set()
    morning = datetime.combine(day, roster.window_start, tzinfo=timezone.get_current_timezone())
    for shift in booked:
        values = {
            "agent": _name(shift.agent), "roster": shift.roster.name, "shop": shift.shop.name,
            "date": shift.date.isoformat(), "start": f"{timezone.localtime(shift.starts_at):%H:%M}",
            "end": f"{timezone.localtime(shift.ends_at):%H:%M}",
        }
        if shift.date == day:
            booked_ids.add(shift.agent_id)
            problem.blockers.append(
                _("%(agent)s 这天已排在另一张排班表「%(roster)s」（%(shop)s，%(start)s–%(end)s）。") % values
            )
        elif morning - shift.ends_at < timedelta(hours=roster.min_rest_hours):
            booked_ids.add(shift.agent_id)
            problem.blockers.append(
                _("%(agent)s 前一天在另一张排班表「%(roster)s」（%(shop)s）的班次到 %(end)s 才结束，休息时间不够。") % values
            )
    for leave in Leave.objects.filter(agent_id__in=eligible, status=Leave.Status.APPROVED, first_day__lte=day, last_day__gte=day).select_related("agent"):
        problem.blockers.append(_("%(agent)s 这天请假（%(first)s 至 %(last)s）。") % {
            "agent": _name(leave.agent), "first": leave.first_day.isoformat(), "last": leave.last_day.isoformat(),
        })
    uncertified = sorted(_name(users[pk]) for pk in assigned - eligible if pk in users)
    if uncertified:
        problem.blockers.append(_("分配到%(shop)s但这天没有有效上岗认证：%(agents)s。") % {
            "shop": shop.name, "agents": "、".join(uncertified),
        })
    if booked_ids:
        problem.fixes.append(_("从另一张排班表中释放上面这些客服，或把两张排班表的店铺放在一张排班表里一起求解。"))
    if uncertified:
        problem.fixes.append(_("让这些客服通过%(shop)s的上岗考试，取得认证。") % {"shop": shop.name})
    problem.fixes.append(_("为%(shop)s分配并认证更多客服（现在这天可排 %(n)s 名）。") % {"shop": shop.name, "n": len(eligible - booked_ids)})
    if roster.min_coverage > 1:
        problem.fixes.append(_("把每店最低在岗人数从 %(n)s 降低。") % {"n": roster.min_coverage})
    problem.fixes.append(_("缩短服务时间（现在 %(start)s–%(end)s），或增加一个覆盖 %(slot)s 的班次模板。") % {
        "start": f"{roster.window_start:%H:%M}", "end": f"{roster.window_end:%H:%M}", "slot": slot,
    })
    return problem


def roster_problem(*, roster: Roster) -> RosterProblem | None:
    """What blocks the roster's last solve, or None when it produced a roster."""
    if roster.solve_status == "failed":
        return RosterProblem(
            headline=_("求解过程出错，没有生成排班：%(error)s") % {"error": roster.explanation or "—"},
            fixes=[_("稍后重新求解；如果再次出错，请把这条信息转给系统管理员。")],
        )
    if roster.solve_status != "infeasible":
        return None
    detail = roster.solve_detail or {}
    if "slot" in detail:
        return _slot_problem(roster, detail)
    if "agent" in detail:
        agent = _agent_by_key(str(detail["agent"]))
        return RosterProblem(
            headline=_("%(agent)s 在 %(date)s 的已发布班次无法保留：它与请假、认证、休息时间或工时上限冲突。") % {
                "agent": _name(agent) if agent else detail["agent"], "date": detail.get("date", "?"),
            },
            fixes=[_("在已发布的日期里调整这名客服的班次（换班或取消），再重新求解。")],
        )
    return RosterProblem(
        headline=_("在现有规则下排不出满足全部硬性规则的排班。"),
        fixes=[_("增加认证客服、降低每店最低在岗人数、放宽每周工时或连续工作天数上限，然后重新求解。")],
    )
