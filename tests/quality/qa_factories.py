"""Builders for QA tests: sessions with messages and hits, a standard scorecard."""

from __future__ import annotations

from datetime import datetime, timedelta

from compliance.models import Hit, RuleSet
from compliance.quality import qa_services
from tests.factories import SHANGHAI, ChatMessageFactory, ChatSessionFactory

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
        Hit.objects.create(message=target, ruleset=ruleset(shop.platform), rule="pdd.other.wechat", category="other_platform",
                           severity="violation", start=0, end=1, matched=target.text[:1])
    return session
