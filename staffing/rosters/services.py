"""Writes on rosters: create, enter demand, solve (as a background job), publish, and shift swaps.

The solver (`staffing.rosters.solver`) knows nothing of the database; `roster_scenario` turns a roster into the
scenario JSON of contracts §3 (plus pinned shifts, certification windows and holidays) and
`roster_apply_result` writes the answer back. Only agents with a ShopAssignment and a current, unrevoked
Certification for a shop are offered to the solver for that shop, and only on the days both are valid.
"""

from __future__ import annotations

import csv
import io
import threading
import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agency.models import Job, Role, User
from agency.services import audit_record, job_fail, job_finish, job_progress, job_start
from clients.models import Shop
from staffing.forecasting.selectors import required_agents
from staffing.rosters.models import (
    AgentPreference,
    Leave,
    Roster,
    RosterDemand,
    RosterRules,
    ShiftAssignment,
    ShiftTemplate,
    SwapRequest,
)
from staffing.rosters.solver import parse_scenario, solve
from staffing.training.models import Certification, ShopAssignment

TZ = ZoneInfo(settings.TIME_ZONE)


def _agent_key(user: User) -> str:
    return user.code or f"user-{user.pk}"


def _holidays(start: date, days: int) -> list[str]:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - pinned in requirements
        return []
    found = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        try:
            is_holiday, name = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # a year the package does not know yet
            continue
        if is_holiday and name:
            found.append(day.isoformat())
    return found


def eligible_windows(*, shops: list[Shop], first: date, last: date) -> dict[int, dict[int, tuple[date, date]]]:
    """{agent id: {shop id: (first day, last day)}}: the days an agent may serve a shop in [first, last].

    Both a ShopAssignment and a current certification are needed; a certification counts from the day it
    was granted up to the day before it expires; a revoked one never counts.
    """
    shop_ids = [s.pk for s in shops]
    assigned: dict[tuple[int, int], list[tuple[date, date]]] = defaultdict(list)
    for row in ShopAssignment.objects.filter(shop_id__in=shop_ids, since__lte=last).filter(
        Q(until__isnull=True) | Q(until__gte=first)
    ):
        assigned[row.agent_id, row.shop_id].append((max(first, row.since), min(last, row.until or last)))
    certified: dict[tuple[int, int], list[tuple[date, date]]] = defaultdict(list)
    for cert in Certification.objects.filter(
        shop_id__in=shop_ids,
        revoked=False,
        expires_at__gt=datetime.combine(first, time.min, tzinfo=TZ),
        granted_at__lt=datetime.combine(last + timedelta(days=1), time.min, tzinfo=TZ),
    ):
        granted = timezone.localtime(cert.granted_at, TZ).date()
        expires = timezone.localtime(cert.expires_at, TZ).date() - timedelta(days=1)
        if granted <= last and expires >= first:
            certified[cert.agent_id, cert.shop_id].append((max(first, granted), min(last, expires)))
    windows: dict[int, dict[int, tuple[date, date]]] = defaultdict(dict)
    for key, spans in assigned.items():
        best = None
        for a0, a1 in spans:
            for c0, c1 in certified.get(key, []):
                lo, hi = max(a0, c0), min(a1, c1)
                if lo <= hi and (best is None or (hi - lo) > (best[1] - best[0])):
                    best = (lo, hi)
        if best is not None:
            windows[key[0]][key[1]] = best
    return windows


def roster_scenario(*, roster: Roster, today: date | None = None) -> tuple[dict, dict[str, User]]:
    """The roster as a solver scenario, and the map from the scenario's agent ids to users.

    Shifts already published (up to `published_through`) and shifts on days before today are pinned.
    """
    today = today or timezone.localdate()
    shops = list(roster.shops.order_by("code"))
    templates = list(roster.templates.filter(active=True).order_by("start", "code"))
    first, last = roster.start_date, roster.end_date
    windows = eligible_windows(shops=shops, first=first, last=last)
    pinned_until = max(roster.published_through or date.min, today - timedelta(days=1))
    pinned = list(
        roster.assignments.filter(Q(pinned=True) | Q(date__lte=pinned_until))
        .select_related("agent", "shop", "template")
    )
    agent_ids = set(windows) | {a.agent_id for a in pinned}
    users = {u.pk: u for u in User.objects.filter(pk__in=agent_ids, role=Role.AGENT, is_active=True)}
    leave: dict[int, set[str]] = defaultdict(set)
    for absence in Leave.objects.filter(
        agent_id__in=users, status=Leave.Status.APPROVED, first_day__lte=last, last_day__gte=first
    ):
        day = max(first, absence.first_day)
        while day <= min(last, absence.last_day):
            leave[absence.agent_id].add(day.isoformat())
            day += timedelta(days=1)
    # Shifts the same agents already have in other rosters: those days are taken (no double booking),
    # and so is the day after a shift that ends too late for the next morning's rest.
    for other in ShiftAssignment.objects.filter(
        agent_id__in=users, date__range=(first - timedelta(days=1), last)
    ).exclude(roster=roster).select_related("template"):
        leave[other.agent_id].add(other.date.isoformat())
        next_day = other.date + timedelta(days=1)
        earliest = min((t.start for t in templates), default=time(0, 0))
        next_start = datetime.combine(next_day, earliest, tzinfo=TZ)
        if next_start - other.ends_at < timedelta(hours=roster.min_rest_hours):
            leave[other.agent_id].add(next_day.isoformat())
    shop_by_id = {s.pk: s for s in shops}
    codes = {t.code for t in templates}
    preferences = {p.agent_id: p for p in AgentPreference.objects.filter(agent_id__in=users)}
    agents = []
    id_map: dict[str, User] = {}
    for pk in sorted(users):
        user = users[pk]
        spans = windows.get(pk, {})
        key = _agent_key(user)
        id_map[key] = user
        agent: dict = {
            "id": key,
            "shops": [shop_by_id[s].code for s in sorted(spans, key=lambda s: shop_by_id[s].code)],
            "max_hours_per_week": roster.max_hours_per_week,
            "unavailable": sorted(leave.get(pk, ())),
            "shop_windows": {
                shop_by_id[s].code: [lo.isoformat(), hi.isoformat()] for s, (lo, hi) in spans.items()
            },
        }
        wish = preferences.get(pk)
        if wish is not None:  # soft: the solver weighs them, never at the cost of a hard rule
            agent["prefer_shifts"] = sorted(set(wish.prefer_shifts) & codes)
            agent["avoid_shifts"] = sorted(set(wish.avoid_shifts) & codes)
            weekdays = set(wish.unwanted_weekdays)
            agent["days_off_wanted"] = [d.isoformat() for d in roster.dates if d.weekday() in weekdays]
            wanted = set(wish.preferred_weekdays) - weekdays
            agent["days_wanted"] = [d.isoformat() for d in roster.dates if d.weekday() in wanted]
        agents.append(agent)
    demand_rows = list(roster.demand.select_related("shop"))
    demand = []
    if demand_rows:
        for row in demand_rows:
            demand.append({"shop": row.shop.code, "date": row.date.isoformat(), "slot": row.slot.strftime("%H:%M"),
                           "agents": row.agents})
    else:
        for shop in shops:
            for (day, slot), need in sorted(required_agents(shop=shop, start=first, days=roster.days).items()):
                if first <= day <= last and need > 0:
                    demand.append({"shop": shop.code, "date": day.isoformat(), "slot": slot, "agents": int(need)})
    scenario = {
        "start_date": first.isoformat(),
        "days": roster.days,
        "slot_minutes": 30,
        "service_window": {"start": roster.window_start.strftime("%H:%M"), "end": roster.window_end.strftime("%H:%M")},
        "shops": [{"code": s.code, "platform": s.platform} for s in shops],
        "shift_templates": [{"code": t.code, "start": t.start.strftime("%H:%M"), "end": t.end.strftime("%H:%M")} for t in templates],
        "agents": agents,
        "demand": demand,
        "rules": {
            "min_rest_hours": roster.min_rest_hours,
            "max_consecutive_days": roster.max_consecutive_days,
            "min_coverage_per_shop": roster.min_coverage,
        },
        "holidays": _holidays(first, roster.days),
        "fixed": [
            {"agent": _agent_key(a.agent), "date": a.date.isoformat(), "shift": a.template.code, "shop": a.shop.code}
            for a in pinned
            if a.agent_id in users
        ],
    }
    return scenario, id_map


@transaction.atomic
def roster_create(
    *,
    name: str,
    start_date: date,
    days: int,
    shops: list[Shop],
    templates: list[ShiftTemplate],
    by: User | None = None,
    min_rest_hours: float | None = None,
    max_consecutive_days: int | None = None,
    max_hours_per_week: float | None = None,
    min_coverage: int | None = None,
    window_start: time = time(8, 0),
    window_end: time = time(23, 0),
) -> Roster:
    if not shops:
        raise ValidationError({"shops": _("请至少选择一个店铺。")})
    if not templates:
        raise ValidationError({"templates": _("请至少选择一个班次模板。")})
    if not 1 <= days <= 92:
        raise ValidationError({"days": _("天数应在 1 到 92 之间。")})
    # Rules not given are the current version's defaults; the roster keeps its own copy of them.
    rules = rules_current()
    min_rest_hours = rules.min_rest_hours if min_rest_hours is None else min_rest_hours
    max_consecutive_days = rules.max_consecutive_days if max_consecutive_days is None else max_consecutive_days
    max_hours_per_week = rules.max_hours_per_week if max_hours_per_week is None else max_hours_per_week
    min_coverage = rules.min_coverage if min_coverage is None else min_coverage
    roster = Roster.objects.create(
        name=name, start_date=start_date, days=days, created_by=by if by and by.is_authenticated else None,
        min_rest_hours=min_rest_hours, max_consecutive_days=max_consecutive_days,
        max_hours_per_week=max_hours_per_week, min_coverage=min_coverage,
        window_start=window_start, window_end=window_end, rules_version=rules,
    )
    roster.shops.set(shops)
    roster.templates.set(templates)
    audit_record(actor=by, verb="roster.create", target=roster)
    return roster


def roster_demand_import_file(*, roster: Roster, data: bytes, filename: str, by: User | None = None) -> int:
    """A demand file as uploaded: it must be CSV text (UTF-8 or GBK) with at least one row."""
    if not data.strip():
        raise ValidationError(_("文件 %(name)s 是空的：需要 CSV 行 shop,date,slot,agents。") % {"name": filename})
    kind = next((label for magic, label in _BINARY_SIGNATURES if data.startswith(magic)), None)
    if kind is not None or b"\x00" in data[:4096]:
        raise ValidationError(
            _("文件 %(name)s 不是 CSV 文本（看起来是%(kind)s）：请上传每行 shop,date,slot,agents 的 CSV 文件。")
            % {"name": filename, "kind": kind or _("二进制文件")}
        )
    text = None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise ValidationError(_("文件 %(name)s 不是 UTF-8 或 GBK 编码的文本。") % {"name": filename})
    return roster_demand_import(roster=roster, text=text, by=by)


_BINARY_SIGNATURES = (
    (b"\x89PNG", gettext_lazy("PNG 图片")), (b"\xff\xd8\xff", gettext_lazy("JPEG 图片")),
    (b"GIF8", gettext_lazy("GIF 图片")), (b"%PDF", gettext_lazy("PDF 文件")),
    (b"PK\x03\x04", gettext_lazy("Excel/ZIP 文件")), (b"\xd0\xcf\x11\xe0", gettext_lazy("旧版 Excel/Word 文件")),
)


@transaction.atomic
def roster_demand_import(*, roster: Roster, text: str, by: User | None = None) -> int:
    """Replace the roster's demand with a CSV `shop,date,slot,agents` (header optional). All or nothing."""
    shops = {s.code: s for s in roster.shops.all()}
    errors: list[str] = []
    rows: dict[tuple[int, date, time], int] = {}
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    for line_no, fields in enumerate(reader, start=1):
        if not fields or all(not f.strip() for f in fields):
            continue
        if line_no == 1 and fields[0].strip().lower() == "shop":
            continue
        if len(fields) != 4:
            errors.append(_("第 %(line)s 行：应有 4 列（shop,date,slot,agents），实际 %(n)s 列") % {"line": line_no, "n": len(fields)})
            continue
        code, day_text, slot_text, agents_text = (f.strip() for f in fields)
        if code not in shops:
            errors.append(_("第 %(line)s 行 shop：店铺 %(value)r 不在这张排班表里") % {"line": line_no, "value": code})
            continue
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            errors.append(_("第 %(line)s 行 date：%(value)r 不是日期（YYYY-MM-DD）") % {"line": line_no, "value": day_text})
            continue
        if not roster.start_date <= day <= roster.end_date:
            errors.append(_("第 %(line)s 行 date：%(value)s 不在排班周期内") % {"line": line_no, "value": day_text})
            continue
        try:
            slot = time.fromisoformat(slot_text)
        except ValueError:
            errors.append(_("第 %(line)s 行 slot：%(value)r 不是时间（HH:MM）") % {"line": line_no, "value": slot_text})
            continue
        if slot.minute % 30 or slot.second:
            errors.append(_("第 %(line)s 行 slot：%(value)s 不在半小时整点上") % {"line": line_no, "value": slot_text})
            continue
        if not agents_text.isdigit():
            errors.append(_("第 %(line)s 行 agents：%(value)r 不是非负整数") % {"line": line_no, "value": agents_text})
            continue
        rows[shops[code].pk, day, slot] = int(agents_text)
    if errors:
        raise ValidationError(errors)
    if not rows:
        raise ValidationError(_("没有读到任何需求行：需要 CSV 行 shop,date,slot,agents（可带表头）。"))
    roster.demand.all().delete()
    RosterDemand.objects.bulk_create(
        RosterDemand(roster=roster, shop_id=shop_id, date=day, slot=slot, agents=n) for (shop_id, day, slot), n in rows.items()
    )
    audit_record(actor=by, verb="roster.demand_import", target=roster, data={"rows": len(rows)})
    return len(rows)


SOLVE_TASK = "staffing.roster_solve"  # the registered name of `staffing.rosters.tasks.roster_solve_task`


def roster_solve_start(*, roster: Roster, by: User | None, time_limit: float = 30.0) -> Job:
    """Queue a solve as a background job; the page shows its progress."""
    job = job_start(
        task=SOLVE_TASK, kind="roster.solve", title=_("排班求解：%(name)s") % {"name": roster.name}, created_by=by,
        kwargs={"roster_id": roster.pk, "time_limit": time_limit},
    )
    Roster.objects.filter(pk=roster.pk).update(job=job)
    return job


def roster_solve_run(*, roster_id: int, job_id: int | None = None, time_limit: float = 30.0) -> dict:
    """Build the scenario, solve it with progress reported to the job, and store the answer."""
    roster = Roster.objects.get(pk=roster_id)
    scenario, id_map = roster_scenario(roster=roster)
    parsed = parse_scenario(scenario)
    state: dict = {"progress": None}

    def on_progress(p) -> None:  # called from the solver's threads: only record it here
        state["progress"] = p

    outcome: dict = {}

    def work() -> None:
        try:
            outcome["result"] = solve(parsed, time_limit=time_limit, progress=on_progress)
        except BaseException as exc:  # pragma: no cover - reported below
            outcome["error"] = exc

    thread = threading.Thread(target=work, name=f"roster-solve-{roster_id}", daemon=True)
    started = clock.perf_counter()
    thread.start()
    while thread.is_alive():
        thread.join(timeout=1.0)
        if job_id is not None and thread.is_alive():
            elapsed = clock.perf_counter() - started
            p = state["progress"]
            message = (_("已找到 %(n)s 个方案，目标值 %(objective).0f") % {"n": p.solutions + 1, "objective": p.objective}) if p else _("正在搜索第一个可行方案")
            job_progress(job_id=job_id, progress=min(0.95, elapsed / max(time_limit, 1.0)), message=message)
    if "error" in outcome:
        error = outcome["error"]
        Roster.objects.filter(pk=roster.pk).update(
            solve_status="failed", explanation=str(error)[:1000], solve_detail={}, solved_at=timezone.now()
        )
        raise error
    result = outcome["result"].as_json()
    roster_apply_result(roster=roster, result=result, id_map=id_map)
    if job_id is not None:
        summary = {
            "status": result["status"], "shifts": len(result["assignments"]),
            "shortfall": sum(r["missing"] for r in result["shortfall"]),
            "url": reverse("staffing:roster-detail", args=[roster.pk]),
        }
        if result["status"] == "infeasible":
            # Not a finished roster: the job fails (a red bar), and the roster page says why and what would fix it.
            job_fail(job_id=job_id, result=summary, message=_("无可行解：排不出满足全部硬性规则的排班，原因和解决办法见排班表页面。"))
        else:
            job_finish(job_id=job_id, result=summary,
                       message=_("共 %(shifts)s 个班次，缺口 %(shortfall)s 人·时段") % summary)
    return result


@transaction.atomic
def roster_apply_result(*, roster: Roster, result: dict, id_map: dict[str, User]) -> None:
    """Replace the roster's unpinned shifts with the solver's (pinned ones were passed to it as fixed)."""
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    roster.solve_status = result["status"]
    roster.objective = result.get("objective")
    roster.bound = result.get("bound")
    roster.solve_seconds = result.get("solve_seconds")
    roster.shortfall = result.get("shortfall", [])
    roster.explanation = result.get("explanation", "")
    roster.solve_detail = result.get("explanation_detail", {}) if result["status"] == "infeasible" else {}
    roster.solved_at = timezone.now()
    roster.save()
    if result["status"] == "infeasible":
        return  # keep what there was; the explanation says why nothing new could be made
    pinned_until = max(roster.published_through or date.min, timezone.localdate() - timedelta(days=1))
    keep = roster.assignments.filter(Q(pinned=True) | Q(date__lte=pinned_until))
    kept = set(keep.values_list("agent_id", "date"))
    roster.assignments.exclude(pk__in=keep.values("pk")).delete()
    shops = {s.code: s for s in roster.shops.all()}
    templates = {t.code: t for t in roster.templates.all()}
    new = []
    for row in result["assignments"]:
        agent = id_map[row["agent"]]
        day = date.fromisoformat(row["date"])
        if (agent.pk, day) in kept:
            continue
        template = templates[row["shift"]]
        starts, ends = template.interval_on(day, TZ)
        new.append(ShiftAssignment(
            roster=roster, agent=agent, shop=shops[row["shop"]], date=day, template=template,
            starts_at=starts, ends_at=ends,
        ))
    ShiftAssignment.objects.bulk_create(new)


@transaction.atomic
def roster_publish(*, roster: Roster, through: date, by: User | None = None) -> int:
    """Publish the roster up to `through`: those days' shifts are pinned and agents see them.

    Only a roster whose last solve kept every hard rule can be published (an infeasible or failed solve
    leaves older shifts in place, which must not be pinned as if they were the answer)."""
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if not roster.solved_ok:
        raise ValidationError(_("这张排班表最近一次求解没有得到满足全部硬性规则的排班（%(status)s），不能发布。请先解决问题并重新求解。")
                              % {"status": roster.solve_status_label()})
    if not roster.assignments.exists():
        raise ValidationError(_("这张排班表没有任何班次，不能发布。"))
    if through < roster.start_date:
        raise ValidationError({"through": _("发布日期早于排班开始日期。")})
    through = min(through, roster.end_date)
    pinned = roster.assignments.filter(date__lte=through).update(pinned=True)
    roster.status = Roster.Status.PUBLISHED
    roster.published_through = max(through, roster.published_through or through)
    roster.save(update_fields=["status", "published_through"])
    audit_record(actor=by, verb="roster.publish", target=roster, data={"through": through.isoformat(), "shifts": pinned})
    return pinned


class _SwapWorld:
    """Everything the swap rules read, loaded once for some agents around some days: certification
    windows, approved leave and every shift (any roster). The rules are the solver's hard rules: the shop's
    certification and assignment on that day, no leave, one shift a day, rest between shifts, the weekly
    hours in the roster's 7-day blocks, and consecutive working days."""

    def __init__(self, *, roster: Roster, agent_ids: set[int], first: date, last: date) -> None:
        self.roster = roster
        self.windows = eligible_windows(shops=list(roster.shops.all()), first=first, last=last)
        self.leave: dict[int, list[tuple[date, date]]] = defaultdict(list)
        for absence in Leave.objects.filter(agent_id__in=agent_ids, status=Leave.Status.APPROVED, first_day__lte=last,
                                            last_day__gte=first):
            self.leave[absence.agent_id].append((absence.first_day, absence.last_day))
        self.shifts: dict[int, list[ShiftAssignment]] = defaultdict(list)
        for shift in ShiftAssignment.objects.filter(agent_id__in=agent_ids, date__range=(first - timedelta(days=8),
                                                                                          last + timedelta(days=8))
                                                    ).select_related("template", "shop"):
            self.shifts[shift.agent_id].append(shift)

    def problems(self, *, agent: User, take: ShiftAssignment, give: ShiftAssignment | None) -> list[str]:
        """Why `agent` may not work `take` once `give` (their own shift, or None) is off their hands."""
        roster, day = self.roster, take.date
        name = agent.get_full_name() or agent.username
        problems: list[str] = []
        window = self.windows.get(agent.pk, {}).get(take.shop_id)
        if window is None or not window[0] <= day <= window[1]:
            problems.append(_("%(agent)s 没有 %(shop)s 当天有效的上岗认证或店铺分配。") % {"agent": name, "shop": take.shop.name})
        if any(lo <= day <= hi for lo, hi in self.leave.get(agent.pk, [])):
            problems.append(_("%(agent)s 当天请假。") % {"agent": name})
        keep = [s for s in self.shifts.get(agent.pk, []) if s.pk != take.pk and (give is None or s.pk != give.pk)]
        if any(s.date == day for s in keep):
            problems.append(_("%(agent)s 当天已有班次。") % {"agent": name})
        rest = timedelta(hours=roster.min_rest_hours)
        for other in keep:
            if other.date == day:
                continue
            gap = take.starts_at - other.ends_at if other.starts_at < take.starts_at else other.starts_at - take.ends_at
            if gap < rest:
                problems.append(_("%(agent)s 与 %(day)s 的班次之间休息不足 %(hours)s 小时。") % {
                    "agent": name, "day": other.date.strftime("%m-%d"), "hours": f"{roster.min_rest_hours:g}"})
        block_start = roster.start_date + timedelta(days=7 * ((day - roster.start_date).days // 7))
        minutes = sum(s.template.minutes for s in keep if block_start <= s.date < block_start + timedelta(days=7))
        minutes += take.template.minutes
        if minutes > roster.max_hours_per_week * 60:
            problems.append(_("%(agent)s 换班后这一周工时 %(hours)s 小时，超过上限 %(limit)s 小时。") % {
                "agent": name, "hours": f"{minutes / 60:g}", "limit": f"{roster.max_hours_per_week:g}"})
        worked = {s.date for s in keep} | {day}
        run, d = 1, day - timedelta(days=1)
        while d in worked:
            run, d = run + 1, d - timedelta(days=1)
        d = day + timedelta(days=1)
        while d in worked:
            run, d = run + 1, d + timedelta(days=1)
        if run > roster.max_consecutive_days:
            problems.append(_("%(agent)s 换班后将连续工作 %(run)s 天，超过上限 %(limit)s 天。") % {
                "agent": name, "run": run, "limit": roster.max_consecutive_days})
        return problems


def swap_problems(
    *, assignment: ShiftAssignment, taker: User, counterpart: ShiftAssignment | None = None
) -> list[str]:
    """Why this swap may not happen (empty when it may). A give-away: `taker` takes `assignment`. A trade
    (`counterpart` is the taker's shift): the taker takes `assignment` and its owner takes `counterpart`;
    each side is checked with the shift they hand over already gone."""
    if taker.role != Role.AGENT or not taker.is_active:
        return [_("接班人不是在职客服。")]
    if taker.pk == assignment.agent_id:
        return [_("不能把班次换给自己。")]
    if counterpart is not None:
        if counterpart.agent_id != taker.pk:
            return [_("换回的班次不属于接班人。")]
        if counterpart.roster_id != assignment.roster_id:
            return [_("只能和同一张排班表里的班次互换。")]
    days = [assignment.date] + ([counterpart.date] if counterpart else [])
    world = _SwapWorld(roster=assignment.roster, agent_ids={taker.pk, assignment.agent_id}, first=min(days), last=max(days))
    problems = world.problems(agent=taker, take=assignment, give=counterpart)
    if counterpart is not None:
        problems += world.problems(agent=assignment.agent, take=counterpart, give=assignment)
    return problems


@dataclass
class SwapOptions:
    giveaways: list[User]  # colleagues who may take the shift as it is
    trades: list[ShiftAssignment]  # colleagues' shifts the owner may take in exchange


def swap_options(*, assignment: ShiftAssignment, limit: int = 40) -> SwapOptions:
    """Only eligible partners: every colleague certified for the shop that day for whom the swap keeps the
    solver's hard rules, and the published coming shifts of theirs (same roster, within a week) the owner
    could take in exchange."""
    roster = assignment.roster
    today = timezone.localdate()
    first, last = max(today, assignment.date - timedelta(days=7)), assignment.date + timedelta(days=7)
    windows = eligible_windows(shops=[assignment.shop], first=assignment.date, last=assignment.date)
    candidates = {pk for pk, shops in windows.items() if assignment.shop_id in shops and pk != assignment.agent_id}
    users = {u.pk: u for u in User.objects.filter(pk__in=candidates, role=Role.AGENT, is_active=True).order_by("code")}
    world = _SwapWorld(roster=roster, agent_ids=set(users) | {assignment.agent_id}, first=first, last=last)
    giveaways = [u for u in users.values() if not world.problems(agent=u, take=assignment, give=None)]
    owner = assignment.agent
    # A colleague's shift already promised in an open swap is not offered again.
    promised = {pk for pair in SwapRequest.objects.filter(
        status__in=SwapRequest.OPEN, assignment__roster=roster).values_list("assignment_id", "counterpart_id")
        for pk in pair if pk is not None}
    trades: list[ShiftAssignment] = []
    for pk, user in users.items():
        for theirs in world.shifts.get(pk, []):
            if len(trades) >= limit:
                break
            if theirs.roster_id != roster.pk or not theirs.pinned or not first <= theirs.date <= last:
                continue
            if theirs.pk in promised:
                continue
            if theirs.date == assignment.date and theirs.template_id == assignment.template_id and theirs.shop_id == assignment.shop_id:
                continue  # the same shift: nothing to trade
            if world.problems(agent=user, take=assignment, give=theirs) or world.problems(agent=owner, take=theirs, give=assignment):
                continue
            theirs.agent = user
            trades.append(theirs)
    trades.sort(key=lambda s: (s.date, s.starts_at, s.agent.code or ""))
    return SwapOptions(giveaways=giveaways, trades=trades)


@transaction.atomic
def swap_request_create(
    *, assignment: ShiftAssignment, requester: User, taker: User, note: str = "",
    counterpart: ShiftAssignment | None = None,
) -> SwapRequest:
    if assignment.agent_id != requester.pk:
        raise ValidationError(_("只能申请换出自己的班次。"))
    if assignment.date < timezone.localdate() or (counterpart is not None and counterpart.date < timezone.localdate()):
        raise ValidationError(_("已过去的班次不能换班。"))
    if assignment.swap_requests.filter(status__in=SwapRequest.OPEN).exists():
        raise ValidationError(_("这个班次已有待处理的换班申请。"))
    problems = swap_problems(assignment=assignment, taker=taker, counterpart=counterpart)
    if problems:
        raise ValidationError(problems)
    if counterpart is not None and SwapRequest.objects.filter(
        Q(assignment=counterpart) | Q(counterpart=counterpart), status__in=SwapRequest.OPEN
    ).exists():
        raise ValidationError(_("同事的这个班次已在另一个换班申请里。"))
    swap = SwapRequest.objects.create(assignment=assignment, requester=requester, taker=taker, note=note,
                                      counterpart=counterpart, status=SwapRequest.Status.PROPOSED)
    audit_record(actor=requester, verb="swap.request", target=swap, merchant_id=assignment.shop.merchant_id)
    return swap


@transaction.atomic
def swap_request_answer(*, swap: SwapRequest, by: User, accept: bool) -> SwapRequest:
    """The colleague asked to take the shift (or to trade theirs for it) accepts, and it goes to a manager,
    or declines, and it ends. Accepting checks the rules again: the rosters may have changed since."""
    swap = SwapRequest.objects.select_for_update(of=("self",)).select_related(
        "assignment__roster", "assignment__shop", "assignment__template", "counterpart__shop", "counterpart__template",
    ).get(pk=swap.pk)
    if swap.taker_id != by.pk:
        raise ValidationError(_("只有被邀请的同事可以答复这个换班申请。"))
    if swap.status != SwapRequest.Status.PROPOSED:
        raise ValidationError(_("这个申请已经答复过了。"))
    if accept:
        if swap.assignment.date < timezone.localdate() or (
            swap.counterpart is not None and swap.counterpart.date < timezone.localdate()
        ):
            raise ValidationError(_("已过去的班次不能换班。"))
        problems = swap_problems(assignment=swap.assignment, taker=swap.taker, counterpart=swap.counterpart)
        if problems:
            raise ValidationError(problems)
    swap.status = SwapRequest.Status.PENDING if accept else SwapRequest.Status.DECLINED
    swap.answered_at = timezone.now()
    swap.save(update_fields=["status", "answered_at"])
    audit_record(actor=by, verb="swap.accept" if accept else "swap.decline", target=swap,
                 merchant_id=swap.assignment.shop.merchant_id)
    return swap


@transaction.atomic
def swap_request_cancel(*, swap: SwapRequest, by: User) -> SwapRequest:
    """The requester withdraws a request nobody has decided yet."""
    swap = SwapRequest.objects.select_for_update(of=("self",)).select_related("assignment__shop").get(pk=swap.pk)
    if swap.requester_id != by.pk:
        raise ValidationError(_("只能撤回自己的换班申请。"))
    if swap.status not in SwapRequest.OPEN:
        raise ValidationError(_("这个申请已经处理过了，不能撤回。"))
    swap.status = SwapRequest.Status.CANCELLED
    swap.save(update_fields=["status"])
    audit_record(actor=by, verb="swap.cancel", target=swap, merchant_id=swap.assignment.shop.merchant_id)
    return swap


_SHIFT_CONTENT = ("shop", "date", "template", "starts_at", "ends_at")


@transaction.atomic
def swap_request_decide(*, swap: SwapRequest, by: User, approve: bool) -> SwapRequest:
    """A manager approves (checked again now: a give-away moves the shift to the taker, a trade exchanges
    the two shifts) or rejects a swap the colleague has accepted."""
    swap = SwapRequest.objects.select_for_update(of=("self",)).select_related(
        "assignment__roster", "assignment__shop", "assignment__template", "counterpart__shop", "counterpart__template",
    ).get(pk=swap.pk)
    if swap.status == SwapRequest.Status.PROPOSED:
        raise ValidationError(_("同事还没有接受这个换班申请。"))
    if swap.status != SwapRequest.Status.PENDING:
        raise ValidationError(_("这个申请已经处理过了。"))
    if approve:
        assignment = swap.assignment
        if assignment.agent_id != swap.requester_id:
            raise ValidationError(_("班次已不属于申请人。"))
        problems = swap_problems(assignment=assignment, taker=swap.taker, counterpart=swap.counterpart)
        if problems:
            raise ValidationError(problems)
        if swap.counterpart is None:
            assignment.agent = swap.taker
            assignment.save(update_fields=["agent"])
        else:
            # Exchange what the two rows say (each agent keeps a row), so the one-shift-a-day rule of the table
            # holds at every step, even for a trade within one day.
            theirs = swap.counterpart
            mine_values = {f: getattr(assignment, f) for f in _SHIFT_CONTENT}
            for f in _SHIFT_CONTENT:
                setattr(assignment, f, getattr(theirs, f))
                setattr(theirs, f, mine_values[f])
            assignment.save(update_fields=list(_SHIFT_CONTENT))
            theirs.save(update_fields=list(_SHIFT_CONTENT))
    swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REJECTED
    swap.decided_by = by
    swap.decided_at = timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(actor=by, verb="swap.approve" if approve else "swap.reject", target=swap,
                 merchant_id=swap.assignment.shop.merchant_id)
    return swap


@transaction.atomic
def shift_templates_ensure_defaults() -> list[ShiftTemplate]:
    """The agency's usual shifts, created once (early, middle, late, and a night shift past midnight); the
    current version of each."""
    defaults = [
        ("E", "早班", time(8, 0), time(16, 0)),
        ("M", "中班", time(11, 0), time(19, 0)),
        ("L", "晚班", time(15, 0), time(23, 0)),
        ("N", "夜班", time(18, 0), time(2, 0)),
    ]
    result, made = [], []
    had_rules = RosterRules.objects.exists()
    for code, name, start, end in defaults:
        template, created = ShiftTemplate.objects.get_or_create(
            code=code, current=True, defaults={"name": name, "start": start, "end": end}
        )
        result.append(template)
        if created:
            made.append(code)
    current = rules_current()
    if made and had_rules:  # a version made before these templates existed: the next one lists them
        _rules_new_version(base=current, by=None, change="template_add", detail=",".join(made))
    return result


# Shift templates and the default rules, versioned -------------------------------------------------------

RULE_FIELDS = ("min_rest_hours", "max_consecutive_days", "max_hours_per_week", "min_coverage")
MIN_SHIFT_MINUTES = 60
MAX_SHIFT_MINUTES = 16 * 60


@transaction.atomic
def rules_latest() -> RosterRules:
    """For reading pages: the newest version of the default rules, or, before any exists, the usual values
    unsaved (a GET never writes; the first change or roster makes version 1 with `rules_current`)."""
    latest = RosterRules.objects.order_by("-number").first()
    return latest if latest is not None else RosterRules(number=1, change="initial")


def rules_current() -> RosterRules:
    """The newest version of the default rules and templates (made from the current templates when there is
    none yet, with the rules' usual values)."""
    latest = RosterRules.objects.order_by("-number").first()
    if latest is not None:
        return latest
    rules = RosterRules.objects.create(number=1, change="initial")
    rules.templates.set(ShiftTemplate.objects.filter(current=True))
    return rules


def _rules_new_version(*, base: RosterRules, by: User | None, change: str, detail: str = "",
                       values: dict | None = None) -> RosterRules:
    values = {f: getattr(base, f) for f in RULE_FIELDS} | (values or {})
    number = (RosterRules.objects.select_for_update().order_by("-number").values_list("number", flat=True).first() or 0) + 1
    rules = RosterRules(number=number, change=change, change_detail=detail,
                        created_by=by if by is not None and by.is_authenticated else None, **values)
    rules.full_clean(exclude=["templates"])
    rules.save()
    rules.templates.set(ShiftTemplate.objects.filter(current=True))
    audit_record(actor=by, verb="roster.rules_version", target=rules, data={"change": change, "detail": detail})
    return rules


@transaction.atomic
def rules_update(
    *, by: User | None, min_rest_hours: float, max_consecutive_days: int, max_hours_per_week: float, min_coverage: int
) -> RosterRules:
    """New default rules for rosters made from now on: a new version when a value changed (rosters already
    made keep theirs). Returns the current version."""
    base = rules_current()
    values = {"min_rest_hours": float(min_rest_hours), "max_consecutive_days": int(max_consecutive_days),
              "max_hours_per_week": float(max_hours_per_week), "min_coverage": int(min_coverage)}
    if all(getattr(base, f) == v for f, v in values.items()):
        return base
    return _rules_new_version(base=base, by=by, change="rules", values=values)


def _template_clean(*, code: str, name: str, start: time, end: time) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("请填写班次名称。")
    if start.second or end.second or start.microsecond or end.microsecond:
        errors["start"] = _("班次时间只到分钟。")
    s, e = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    minutes = e - s if e > s else e + 1440 - s
    if not MIN_SHIFT_MINUTES <= minutes <= MAX_SHIFT_MINUTES:
        errors["end"] = _("班次时长应在 %(lo)s 到 %(hi)s 小时之间（现在是 %(hours)s 小时；结束早于开始表示次日结束）。") % {
            "lo": MIN_SHIFT_MINUTES // 60, "hi": MAX_SHIFT_MINUTES // 60, "hours": f"{minutes / 60:g}"}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def shift_template_create(*, by: User | None, code: str, name: str, start: time, end: time) -> ShiftTemplate:
    """A new shift template (version 1 of its code), and a new version of the rules that lists it."""
    code = code.strip()
    if not code or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii() or len(code) > 16:
        raise ValidationError({"code": _("编码只能用字母、数字、- 和 _，最多 16 个字符。")})
    if ShiftTemplate.objects.filter(code=code).exists():
        raise ValidationError({"code": _("编码 %(code)s 已被使用。") % {"code": code}})
    _template_clean(code=code, name=name, start=start, end=end)
    base = rules_current()
    template = ShiftTemplate.objects.create(code=code, name=name.strip(), start=start, end=end)
    _rules_new_version(base=base, by=by, change="template_add", detail=code)
    return template


@transaction.atomic
def shift_template_revise(
    *, template: ShiftTemplate, by: User | None, name: str, start: time, end: time, active: bool
) -> ShiftTemplate:
    """Edit a template: a new row (the next version of its code) replaces it for rosters made from now on,
    while rosters already made, and their shifts, keep the row they were solved with. Returns the current row."""
    template = ShiftTemplate.objects.select_for_update().get(pk=template.pk)
    if not template.current:
        raise ValidationError(_("这是班次模板的旧版本，请修改当前版本。"))
    _template_clean(code=template.code, name=name, start=start, end=end)
    if (template.name, template.start, template.end, template.active) == (name.strip(), start, end, active):
        return template
    base = rules_current()
    template.current = False
    template.save(update_fields=["current"])
    new = ShiftTemplate.objects.create(code=template.code, name=name.strip(), start=start, end=end, active=active,
                                       version=template.version + 1)
    template.superseded_by = new
    template.save(update_fields=["superseded_by"])
    _rules_new_version(base=base, by=by, change="template_edit", detail=template.code)
    return new


@transaction.atomic
def roster_rules_adopt(*, roster: Roster, by: User | None) -> Roster:
    """Bring a roster nobody works yet (a draft never published) to the current version: its templates become
    the current rows of the same codes (switched-off ones dropped) and its rules the current defaults. A
    published roster keeps the version it was solved with."""
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if roster.published_through is not None or roster.assignments.filter(pinned=True).exists():
        raise ValidationError(_("已发布的排班表保留求解时的规则版本，不能更换。"))
    current = rules_current()
    codes = set(roster.templates.values_list("code", flat=True))
    templates = list(ShiftTemplate.objects.filter(current=True, active=True, code__in=codes))
    if not templates:
        raise ValidationError(_("这张排班表的班次模板在当前版本里都已停用，请新建排班表。"))
    # Draft shifts of the old rows go: the next solve makes them again from the current templates.
    roster.assignments.filter(pinned=False).delete()
    roster.templates.set(templates)
    for f in RULE_FIELDS:
        setattr(roster, f, getattr(current, f))
    roster.rules_version = current
    roster.save(update_fields=[*RULE_FIELDS, "rules_version"])
    audit_record(actor=by, verb="roster.rules_adopt", target=roster, data={"version": current.number})
    return roster
