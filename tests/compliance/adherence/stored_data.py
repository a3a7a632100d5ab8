"""The crafted cases (`crafted.py`) as database rows: shops, agents, two rosters, shifts, sessions."""

from __future__ import annotations

from datetime import date

from compliance.sessions.models import ChatMessage, ChatSession
from compliance.sessions.sessionfile import parse_time
from staffing.rosters.models import ShiftAssignment
from staffing.rosters.services import TZ, roster_create, shift_templates_ensure_defaults
from tests.compliance.adherence import crafted
from tests.factories import AgentFactory, MerchantFactory, ShopFactory


def load_crafted() -> dict:
    """Rows for every crafted case; returns {"shops": {code: Shop}, "agents": {code: User}, "assignments": [...]}."""
    templates = {t.code: t for t in shift_templates_ensure_defaults()}
    merchant = MerchantFactory(name="黑五商贸")
    shops = {code: ShopFactory(code=f"shop-{code}", name=f"{code}店", merchant=merchant) for code in "ABCDEF"}
    codes = sorted({a["agent"] for a in crafted.ASSIGNMENTS} | {"a09"})
    agents = {code: AgentFactory(username=code, code=code) for code in codes}
    day = date(2026, 12, 1)
    main = roster_create(name="主排班", start_date=day, days=2, shops=list(shops.values()), templates=list(templates.values()))
    second = roster_create(name="第二排班", start_date=day, days=2, shops=[shops["B"]], templates=list(templates.values()))
    assignments = []
    for row in crafted.ASSIGNMENTS:
        template = templates[row["shift"]]
        starts, ends = template.interval_on(date.fromisoformat(row["date"]), TZ)
        roster = second if row["shop"] == "B" else main
        assignments.append(ShiftAssignment.objects.create(
            roster=roster, agent=agents[row["agent"]], shop=shops[row["shop"]], date=date.fromisoformat(row["date"]),
            template=template, starts_at=starts, ends_at=ends,
        ))
    for session_id, shop_code, messages in crafted.SESSIONS:
        shop = shops[shop_code]
        times = [parse_time(m["sent_at"]) for m in messages]
        session = ChatSession.objects.create(shop=shop, external_id=session_id, buyer="b", started_at=min(times),
                                             ended_at=max(times))
        for m, at in zip(messages, times, strict=True):
            agent = agents.get(m.get("agent", ""))
            ChatMessage.objects.create(session=session, shop=shop, external_id=f"{session_id}-{m['id']}",
                                       sender=m["sender"], agent_code=m.get("agent", ""), agent=agent, sent_at=at,
                                       text=m["text"])
    return {"shops": shops, "agents": agents, "assignments": assignments, "templates": templates}
