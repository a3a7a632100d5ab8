"""A crafted day in the database (1 December 2026, now 09:10), computed by hand.

Two shops of one merchant (`ia`, `ib`), both served 08:00–11:00 (half hours 16–21), forecast 10 sessions a
half hour in the window, with the Erlang parameters of `test_engine.py` (volume 5 or 10 → 2 agents, 20 → 3).
- `ia` received 20 new sessions at 08:00 and 20 at 08:30 (40 for 20 forecast): ratio 2, the rest re-forecast
  at 20 a half hour → 3 agents. Rostered: a1 08:00–10:00 and a2 08:00–16:00, so 2 until 10:00, then 1.
  Also one session of 09:05 (the running half hour: counted, not in the ratio), one session that began
  yesterday at 23:50 and wrote again today (not new), and a second buyer message in a session (counted once).
- `ib` received 5 and 5 (10 for 20): ratio 0.5 → 5 a half hour → 2 agents. Rostered: b1–b4 08:00–16:00, so a
  surplus of 2 over max(2 required, 1 minimum coverage). b1 is certified for both shops.
Expected suggestions: move b1 from `ib` to `ia` 09:30–11:00 (half hours 19–21, the first starting after 09:10),
then overtime for a1 10:00–11:00 (half hours 20–21 are still short by one).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from compliance.sessions.models import ChatMessage, ChatSession
from staffing.forecasting.models import ForecastOverride, StaffingProfile
from staffing.rosters.models import ShiftAssignment
from staffing.rosters.services import roster_create, shift_templates_ensure_defaults
from staffing.training.models import Certification
from tests.factories import AgentFactory, MerchantFactory, ShopFactory

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 9, 10, tzinfo=TZ)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def _session(shop, name: str, *times: datetime) -> None:
    session = ChatSession.objects.create(shop=shop, external_id=name, buyer=f"buyer-{name}", started_at=min(times),
                                         ended_at=max(times) + timedelta(minutes=2))
    for n, sent in enumerate(times):
        ChatMessage.objects.create(session=session, shop=shop, external_id=f"{name}-{n}", sender="buyer", sent_at=sent,
                                   text="在吗")
    ChatMessage.objects.create(session=session, shop=shop, external_id=f"{name}-r", sender="agent",
                               sent_at=max(times) + timedelta(minutes=1), text="您好")


def load_day() -> dict:
    templates = {t.code: t for t in shift_templates_ensure_defaults()}
    merchant = MerchantFactory(code="intraday-m", name="日内商家")
    shops = {code: ShopFactory(merchant=merchant, code=code, name=f"{code}店", platform="pdd") for code in ("ia", "ib")}
    for shop in shops.values():
        StaffingProfile.objects.create(shop=shop, aht_seconds=180, answer_seconds=180, service_level=0.8,
                                       max_occupancy=1.0, shrinkage=0.0, concurrency=1, window_start=time(8),
                                       window_end=time(11))
        ForecastOverride.objects.bulk_create([
            ForecastOverride(shop=shop, date=DAY, slot=time(i // 2, 30 * (i % 2)), volume=10.0 if 16 <= i <= 21 else 0.0)
            for i in range(48)
        ])
    roster = roster_create(name="十二月", start_date=DAY, days=7, shops=list(shops.values()),
                           templates=list(templates.values()))
    agents = {code: AgentFactory(username=f"ia-{code}", code=code) for code in ("a1", "a2", "b1", "b2", "b3", "b4")}

    def on(agent: str, shop: str, start: datetime, end: datetime) -> ShiftAssignment:
        return ShiftAssignment.objects.create(roster=roster, agent=agents[agent], shop=shops[shop], date=DAY,
                                              template=templates["E"], starts_at=start, ends_at=end, pinned=True)

    shifts = {"a1": on("a1", "ia", at(8), at(10)), "a2": on("a2", "ia", at(8), at(16))}
    for code in ("b1", "b2", "b3", "b4"):
        shifts[code] = on(code, "ib", at(8), at(16))
    now = NOW
    for shop_code, agent in (("ib", "b1"), ("ia", "b1"), ("ia", "a1"), ("ia", "a2")):
        Certification.objects.create(agent=agents[agent], shop=shops[shop_code], granted_at=now - timedelta(days=400),
                                     expires_at=now + timedelta(days=800))
    for n in range(19):
        _session(shops["ia"], f"ia-8-{n}", at(8, n))
    _session(shops["ia"], "ia-twice", at(8, 25), at(8, 27))  # one session, two buyer messages: counted once
    for n in range(20):
        _session(shops["ia"], f"ia-830-{n}", at(8, 30 + n))
    _session(shops["ia"], "ia-now", at(9, 5))  # the running half hour
    _session(shops["ia"], "ia-yesterday", at(23, 50, DAY - timedelta(days=1)), at(8, 10))  # not new today
    for n in range(5):
        _session(shops["ib"], f"ib-8-{n}", at(8, n))
        _session(shops["ib"], f"ib-830-{n}", at(8, 30 + n))
    return {"shops": shops, "agents": agents, "shifts": shifts, "roster": roster}
