"""Demo rosters: certified agents on three shops of both merchants, a 28-day roster solved and published for
two weeks, a leave and a pending swap request. Idempotent. `manage.py demo_data` runs it after the training
demo (ORDER 35: after staffing's forecasting 30 and training 31, before compliance's 40)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from agency.models import Role, User
from clients.models import Shop
from staffing.rosters.models import Leave, Roster, ShiftAssignment, SwapRequest
from staffing.rosters.services import (
    roster_create,
    roster_demand_import,
    roster_publish,
    roster_solve_run,
    shift_templates_ensure_defaults,
    swap_options,
    swap_request_create,
)
from staffing.training.models import Certification, ShopAssignment

ORDER = 35
TZ = ZoneInfo("Asia/Shanghai")
ROSTER_NAME = "演示排班（四周）"

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
                need = max(1, round(size * weekend * _curve(minute) * 0.6))
                lines.append(f"{shop_code},{day.isoformat()},{minute // 60:02d}:{minute % 60:02d},{need}")
    roster_demand_import(roster=roster, text="\n".join(lines))
    result = roster_solve_run(roster_id=roster.pk, time_limit=10)
    roster_publish(roster=roster, through=start + timedelta(days=13))
    # A pending swap: the first coming shift that has an eligible partner (a trade, since agents near the
    # weekly cap can rarely take an extra shift), asked for and waiting for a manager.
    if not SwapRequest.objects.filter(assignment__roster=roster).exists():
        coming = (
            ShiftAssignment.objects.filter(roster=roster, pinned=True, date__gt=today)
            .select_related("template", "shop", "roster", "agent").order_by("agent__code", "date")[:60]
        )
        for shift in coming:
            options = swap_options(assignment=shift)
            if options.trades:
                theirs = options.trades[0]
                swap_request_create(assignment=shift, requester=shift.agent, taker=theirs.agent, counterpart=theirs,
                                    note="家里有事，想换一天")
                break
            if options.giveaways:
                swap_request_create(assignment=shift, requester=shift.agent, taker=options.giveaways[0],
                                    note="家里有事，想换一天")
                break
    # A leave request waiting for a manager (approved leave above is already a rule of the solve).
    if not Leave.objects.filter(agent=agents["a07"], status=Leave.Status.REQUESTED).exists():
        Leave.objects.create(agent=agents["a07"], kind=Leave.Kind.PERSONAL, first_day=today + timedelta(days=5),
                             last_day=today + timedelta(days=5), reason="搬家", status=Leave.Status.REQUESTED,
                             requested_at=timezone.now())
    log(f"staffing rosters: {ROSTER_NAME} {result['status']}, {len(result['assignments'])} shifts, "
        f"shortfall {sum(r['missing'] for r in result['shortfall'])}, published through {start + timedelta(days=13)}")
