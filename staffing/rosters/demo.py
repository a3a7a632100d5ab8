"""Demo rosters: certified agents on three shops of both merchants, a 28-day roster solved and published for
two weeks (demand leaves some agents below the weekly cap, so give-aways are possible), a leave, a swap the
colleague accepted that waits for a manager, and a trade proposed to a colleague who has not answered yet. Idempotent. `manage.py demo_data` runs it after the training
demo (ORDER 35: after staffing's forecasting 30 and training 31, before compliance's 40)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from agency.models import Role, User
from clients.models import Shop
from staffing.rosters.models import AgentPreference, Leave, Roster, ShiftAssignment, SwapRequest
from staffing.rosters.services import (
    roster_create,
    roster_demand_import,
    roster_publish,
    roster_solve_run,
    shift_templates_ensure_defaults,
    swap_options,
    swap_request_answer,
    swap_request_create,
)
from staffing.training.models import Certification, ShopAssignment

ORDER = 35
TZ = ZoneInfo("Asia/Shanghai")
ROSTER_NAME = "演示排班（四周）"
# Demand below what twelve agents at the weekly cap could serve, so some agents work fewer hours than the cap
# and can take a colleague's shift as a give-away.
DEMAND_SCALE = 0.45

# agent code -> shops they serve (first is their home shop)
TEAMS = {
    "a01": ["lanxin-tmall", "lanxin-pdd"], "a02": ["lanxin-tmall"], "a03": ["lanxin-tmall"], "a04": ["lanxin-tmall"],
    "a05": ["lanxin-pdd", "lanxin-tmall"], "a06": ["lanxin-pdd"], "a07": ["lanxin-pdd"], "a08": ["lanxin-pdd"],
    "a09": ["qingshan-jd", "lanxin-tmall"], "a10": ["qingshan-jd"], "a11": ["qingshan-jd"], "a12": ["qingshan-jd"],
}


def _curve(minute: int) -> float:
    hour = minute / 60
    return 0.3 + 0.6 * math.exp(-((hour - 10.5) ** 2) / 4) + math.exp(-((hour - 21) ** 2) / 3)


def load(*, password: str, log: Callable[[str], None]) -> None:
    shops = {s.code: s for s in Shop.objects.filter(code__in={c for codes in TEAMS.values() for c in codes})}
    agents = {u.code: u for u in User.objects.filter(role=Role.AGENT, code__in=TEAMS)}
    if len(shops) < 3 or len(agents) < len(TEAMS):
        log("staffing rosters: demo shops or agents missing, skipped")
        return
    today = timezone.localdate()
    since = today - timedelta(days=60)
    for code, shop_codes in TEAMS.items():
        for shop_code in shop_codes:
            ShopAssignment.objects.get_or_create(agent=agents[code], shop=shops[shop_code], since=since)
            if not Certification.objects.filter(agent=agents[code], shop=shops[shop_code], revoked=False).exists():
                granted = datetime.combine(since, time(10, 0), tzinfo=TZ)
                Certification.objects.create(
                    agent=agents[code], shop=shops[shop_code], granted_at=granted,
                    expires_at=granted + timedelta(days=365),
                )
    if Roster.objects.filter(name=ROSTER_NAME).exists():
        log("staffing rosters: demo roster already there")
        return
    templates = [t for t in shift_templates_ensure_defaults() if t.code in ("E", "M", "L")]
    # Wishes the solver weighs: a02 would rather work weekends and early shifts, a06 would rather not do late ones.
    AgentPreference.objects.get_or_create(agent=agents["a02"], defaults={
        "prefer_shifts": ["E"], "preferred_weekdays": [5, 6]})
    AgentPreference.objects.get_or_create(agent=agents["a06"], defaults={"avoid_shifts": ["L"]})
    start = today - timedelta(days=today.weekday())
    roster = roster_create(
        name=ROSTER_NAME, start_date=start, days=28, shops=[shops["lanxin-tmall"], shops["lanxin-pdd"], shops["qingshan-jd"]],
        templates=templates,
    )
    Leave.objects.get_or_create(agent=agents["a03"], first_day=start + timedelta(days=9), last_day=start + timedelta(days=10),
                                defaults={"reason": "年假"})
    lines = ["shop,date,slot,agents"]
    for offset in range(28):
        day = start + timedelta(days=offset)
        weekend = 1.3 if day.weekday() >= 5 else 1.0
        for shop_code, size in (("lanxin-tmall", 2.2), ("lanxin-pdd", 2.0), ("qingshan-jd", 1.6)):
            for minute in range(8 * 60, 23 * 60, 30):
                need = max(1, round(size * weekend * _curve(minute) * DEMAND_SCALE))
                lines.append(f"{shop_code},{day.isoformat()},{minute // 60:02d}:{minute % 60:02d},{need}")
    roster_demand_import(roster=roster, text="\n".join(lines))
    result = roster_solve_run(roster_id=roster.pk, time_limit=10)
    roster_publish(roster=roster, through=start + timedelta(days=13))
    _demo_swaps(roster=roster, today=today)
    # A leave request waiting for a manager (approved leave above is already a rule of the solve).
    if not Leave.objects.filter(agent=agents["a07"], status=Leave.Status.REQUESTED).exists():
        Leave.objects.create(agent=agents["a07"], kind=Leave.Kind.PERSONAL, first_day=today + timedelta(days=5),
                             last_day=today + timedelta(days=5), reason="搬家", status=Leave.Status.REQUESTED,
                             requested_at=timezone.now())
    log(f"staffing rosters: {ROSTER_NAME} {result['status']}, {len(result['assignments'])} shifts, "
        f"shortfall {sum(r['missing'] for r in result['shortfall'])}, published through {start + timedelta(days=13)}")


def _demo_swaps(*, roster: Roster, today) -> None:
    """A give-away the colleague accepted, waiting for a manager (a trade when no give-away is possible), and a
    trade proposed to another colleague, waiting for their answer."""
    if SwapRequest.objects.filter(assignment__roster=roster).exists():
        return
    coming = list(
        ShiftAssignment.objects.filter(roster=roster, pinned=True, date__gt=today)
        .select_related("template", "shop", "roster", "agent").order_by("agent__code", "date")[:120]
    )
    involved: set[int] = set()
    waiting = None
    options_of = {}
    for shift in coming:
        options_of[shift.pk] = options = swap_options(assignment=shift)
        if options.giveaways:
            taker = options.giveaways[0]
            waiting = swap_request_create(assignment=shift, requester=shift.agent, taker=taker, note="家里有事，想请同事代班")
            break
    if waiting is None:
        for shift in coming:
            options = options_of.get(shift.pk) or swap_options(assignment=shift)
            if options.trades:
                theirs = options.trades[0]
                waiting = swap_request_create(assignment=shift, requester=shift.agent, taker=theirs.agent,
                                              counterpart=theirs, note="家里有事，想换一天")
                break
    if waiting is None:
        return
    swap_request_answer(swap=waiting, by=waiting.taker, accept=True)
    involved = {waiting.requester_id, waiting.taker_id}
    for shift in coming:
        if shift.agent_id in involved:
            continue
        options = swap_options(assignment=shift)
        trade = next((t for t in options.trades if t.agent_id not in involved), None)
        if trade is not None:
            swap_request_create(assignment=shift, requester=shift.agent, taker=trade.agent, counterpart=trade,
                                note="想和你换个班")
            return
