"""Builders for the quality tests.

Response metrics: crafted sessions with their hand-computed figures (PDD: 8:00–23:00, 180 s) and
`make_scripted_session` to store one. QA: `make_session` (messages and hits), a standard scorecard.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from compliance.models import ChatMessage, ChatSession, RuleSet
from compliance.quality.qa import services as qa_services
from compliance.sessions.services.scanning import hit_for
from tests.factories import SHANGHAI, ChatMessageFactory, ChatSessionFactory

# ------------------------------------------------------------------------------------ response metrics


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


# Session A, 2026-11-03: the window's edges, a bot that breaks a buyer run, a system message that answers nothing.
EDGES = [
    ("buyer", "2026-11-03 07:59:59"),  # T1 before 8:00: not counted (answered after 121 s)
    ("agent", "2026-11-03 08:02:00"),
    ("buyer", "2026-11-03 08:05:00"),  # T2 counted, 120 s
    ("bot", "2026-11-03 08:05:01"),  # ends the run, answers nothing
    ("buyer", "2026-11-03 08:06:00"),  # T3 counted, 60 s
    ("agent", "2026-11-03 08:07:00"),
    ("buyer", "2026-11-03 22:59:59"),  # T4 counted (first message inside), 311 s: a 5-minute non-reply
    ("buyer", "2026-11-03 23:00:05"),
    ("system", "2026-11-03 23:01:00"),
    ("agent", "2026-11-03 23:05:10"),
    ("buyer", "2026-11-03 23:10:00"),  # T5 at/after 23:00: not counted, never answered
]
EDGES_EXPECTED = {
    "counted_turns": 3, "answered_within_target": 2, "reply_rate": 0.667, "first_response_seconds": 120.0,
    "avg_response_seconds": 163.7, "five_minute_nonreply": True, "unserved": False,
}

# Session B: starts 2026-11-03 22:50 and runs past midnight into the next morning.
MIDNIGHT = [
    ("buyer", "2026-11-03 22:50:00"),  # T1 counted on 11-03, 120 s
    ("agent", "2026-11-03 22:52:00"),
    ("buyer", "2026-11-03 23:58:00"),  # T2 not counted
    ("agent", "2026-11-04 00:03:00"),
    ("buyer", "2026-11-04 07:58:00"),  # T3 starts before 8:00: not counted though the run goes on past 8:00
    ("buyer", "2026-11-04 08:00:00"),
    ("agent", "2026-11-04 08:30:00"),
    ("buyer", "2026-11-04 08:40:00"),  # T4 counted on 11-04, never answered: non-reply and unserved
]
MIDNIGHT_EXPECTED = {
    "counted_turns": 2, "answered_within_target": 1, "reply_rate": 0.5, "first_response_seconds": 120.0,
    "avg_response_seconds": 120.0, "five_minute_nonreply": True, "unserved": True,
}

# Session C on National Day 2026-10-01.
HOLIDAY = [
    ("buyer", "2026-10-01 09:00:00"),  # inside 8–23; outside a 10–18 holiday window
    ("agent", "2026-10-01 09:01:00"),  # 60 s
    ("buyer", "2026-10-01 17:59:00"),  # inside both
    ("agent", "2026-10-01 18:05:00"),  # 360 s
]
HOLIDAY_EXPECTED_DEFAULT = {
    "counted_turns": 2, "answered_within_target": 1, "reply_rate": 0.5, "first_response_seconds": 60.0,
    "avg_response_seconds": 210.0, "five_minute_nonreply": True, "unserved": False,
}
HOLIDAY_EXPECTED_WITH_HOLIDAY_WINDOW = {
    "counted_turns": 1, "answered_within_target": 0, "reply_rate": 0.0, "first_response_seconds": 360.0,
    "avg_response_seconds": 360.0, "five_minute_nonreply": True, "unserved": False,
}


def make_scripted_session(shop, external_id: str, script, *, agent=None) -> ChatSession:
    """A stored session from (sender, local time) pairs; agent messages are by `agent` (a User) if given."""
    times = [at(t) for _, t in script]
    session = ChatSession.objects.create(
        shop=shop, external_id=external_id, buyer=f"buyer-{external_id}", started_at=min(times), ended_at=max(times)
    )
    ChatMessage.objects.bulk_create(
        ChatMessage(
            session=session, shop=shop, external_id=f"{external_id}-m{index}", sender=sender,
            agent=agent if sender == "agent" else None,
            agent_code=(agent.code or "") if agent is not None and sender == "agent" else "",
            sent_at=when, text="亲，在的" if sender == "agent" else "在吗",
        )
        for index, ((sender, _), when) in enumerate(zip(script, times, strict=True))
    )
    return session


def as_jsonl(session_id: str, script, agent_code: str = "a01") -> str:
    import json

    messages = [
        {"id": f"{session_id}-m{i}", "sender": sender, "agent": agent_code if sender == "agent" else None,
         "sent_at": at(t).isoformat(), "text": "x"}
        for i, (sender, t) in enumerate(script)
    ]
    return json.dumps({"session_id": session_id, "buyer": "b-1", "messages": messages}, ensure_ascii=False)


# ------------------------------------------------------------------------------------------------- QA

SPEC = {
    "name": "通用服务质检",
    "categories": [
        {"name": "服务态度", "weight": 40, "items": [
            {"label": "使用礼貌用语", "scale_max": 5},
            {"label": "无辱骂", "scale_max": 1, "critical": True},
        ]},
        {"name": "专业能力", "weight": 60, "items": [{"label": "回答准确", "scale_max": 5, "weight": 2}]},
    ],
}


def make_scorecard(key: str = "general", spec: dict | None = None):
    return qa_services.scorecard_create(key=key, spec=spec or SPEC, by=None)


def ruleset(platform: str = "pdd") -> RuleSet:
    rs, _ = RuleSet.objects.get_or_create(platform=platform, version=1, defaults={"status": "published"})
    return rs


def make_session(*, shop, agent=None, start: datetime | None = None, rows=None, violation: bool = False, external_id=None):
    """rows: (seconds after start, sender, text). Default: a polite, quick exchange."""
    start = start or datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
    rows = rows or [(0, "buyer", "在吗"), (20, "agent", "亲，您好，在的"), (40, "buyer", "有货吗"), (60, "agent", "有的，感谢支持")]
    kwargs = {"external_id": external_id} if external_id else {}
    session = ChatSessionFactory(shop=shop, started_at=start, ended_at=start + timedelta(seconds=rows[-1][0]), **kwargs)
    messages = []
    for seconds, sender, text in rows:
        messages.append(ChatMessageFactory(
            session=session, sender=sender, text=text, sent_at=start + timedelta(seconds=seconds),
            agent=agent if sender == "agent" else None, agent_code=(agent.code or "") if agent and sender == "agent" else "",
        ))
    if violation:
        target = next(m for m in messages if m.sender == "agent")
        hit_for(message=target, ruleset=ruleset(shop.platform), hit={
            "rule": "pdd.other.wechat", "category": "other_platform", "severity": "violation", "start": 0, "end": 1,
            "matched": target.text[:1],
        }).save()
    return session
