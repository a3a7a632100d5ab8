"""Demo data for service quality: SLA profiles, and (when the compliance demo brought no chat history)
forty days of plausible sessions per demo shop, a few rule hits, then the stored metrics and alerts.

Idempotent: profiles are looked up by platform, sessions by their external ids, and the metrics are a
full recompute (the same result however often it runs). Runs before the QA demo (ORDER 55), so QA sees
sessions with their metrics.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from agency.models import Role, User
from clients.models import Shop
from compliance.models import ChatMessage, ChatSession, Hit, RuleSet
from compliance.quality.metrics.definitions import DEFAULT_SLA, DEFAULT_THRESHOLDS, SHANGHAI
from compliance.quality.metrics.models import SlaProfile
from compliance.quality.metrics.services import metrics_refresh
from compliance.sessions.services.scanning import hit_for

ORDER = 50

DAYS = 40
SESSIONS_PER_DAY = 10

BUYER_LINES = ["在吗", "这个有货吗？", "什么时候发货", "能便宜点吗", "尺码怎么选", "物流到哪了", "我要退货", "发票怎么开"]
AGENT_LINES = ["亲，在的，请问有什么可以帮您？", "亲亲，现货的哦，今天下单明天发", "已经帮您催促快递了，请放心",
               "为了感谢您的支持，特意给您申请了优惠", "亲，七天无理由退货支持的", "发票可以开的，请提供抬头"]
# (text, start, end, category, severity, rule): hits the scanner would find in these messages
HIT_LINES = [
    ("有问题加我微信详聊", 3, 5, "other_platform", "violation", "demo.wechat"),
    ("这是全网最低价了亲", 2, 6, "absolute_claim", "warning", "demo.lowest"),
    ("好评返现5元哦", 0, 4, "review_inducement", "violation", "demo.cashback"),
    ("你问我我问谁", 0, 6, "forbidden_phrase", "severe", "demo.jd-phrase"),
]


def ensure_profiles() -> None:
    for platform, sla in DEFAULT_SLA.items():
        SlaProfile.objects.get_or_create(
            platform=platform,
            defaults={"window_start": sla.window_start, "window_end": sla.window_end,
                      "target_seconds": int(sla.target_seconds), **DEFAULT_THRESHOLDS[platform]},
        )


# mean seconds to answer per platform, so some days dip into the warning band or under the target
MEAN_DELAY = {"pdd": 60, "douyin": 45, "jd": 9, "taobao": 40, "tmall": 35}


def _session_script(rng: random.Random, start: datetime, mean_delay: float) -> list[tuple[str, datetime, str]]:
    script, now = [], start
    for _ in range(rng.randint(2, 4)):
        script.append(("buyer", now, rng.choice(BUYER_LINES)))
        now += timedelta(seconds=rng.randint(1, 6))
        if rng.random() < 0.05:
            break
        delay = rng.expovariate(1 / mean_delay)
        if rng.random() < 0.02:
            delay += 400
        now += timedelta(seconds=int(delay))
        script.append(("agent", now, rng.choice(AGENT_LINES)))
        now += timedelta(seconds=rng.randint(20, 120))
    return script


def generate_sessions(shop: Shop, agents: list[User], rng: random.Random, today) -> int:
    ruleset, _ = RuleSet.objects.get_or_create(platform=shop.platform, version=1)
    mean_delay = MEAN_DELAY.get(shop.platform, 60)
    created = 0
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        for n in range(SESSIONS_PER_DAY):
            external_id = f"qdemo-{shop.code}-{day:%Y%m%d}-{n}"
            hour = rng.choice([7, 9, 10, 11, 13, 14, 15, 16, 19, 20, 21, 22, 23])
            start = datetime(day.year, day.month, day.day, hour, rng.randint(0, 59), tzinfo=SHANGHAI)
            script = _session_script(rng, start, mean_delay)
            agent = rng.choice(agents)
            session, was_created = ChatSession.objects.get_or_create(
                shop=shop, external_id=external_id,
                defaults={"buyer": f"buyer{rng.randint(10000, 99999)}", "started_at": script[0][1],
                          "ended_at": script[-1][1]},
            )
            if not was_created:
                continue
            created += 1
            rows = [
                ChatMessage(session=session, shop=shop, external_id=f"{external_id}-{i}", sender=sender,
                            agent=agent if sender == "agent" else None,
                            agent_code=(agent.code or "") if sender == "agent" else "", sent_at=when, text=text)
                for i, (sender, when, text) in enumerate(script)
            ]
            with_hit = rng.random() < 0.08
            if with_hit:
                text, *_ = hit = rng.choice(HIT_LINES)
                rows.append(ChatMessage(session=session, shop=shop, external_id=f"{external_id}-hit", sender="agent",
                                        agent=agent, agent_code=agent.code or "", sent_at=script[-1][1] + timedelta(seconds=20),
                                        text=text))
            ChatMessage.objects.bulk_create(rows)
            if with_hit:
                text, start_i, end_i, category, severity, rule = hit
                if not Hit.objects.filter(message=rows[-1], ruleset=ruleset, rule=rule, start=start_i).exists():
                    hit_for(message=rows[-1], ruleset=ruleset, hit={
                        "rule": rule, "category": category, "severity": severity, "start": start_i, "end": end_i,
                        "matched": text[start_i:end_i],
                    }).save()
    return created


def load(*, password: str, log: Callable[[str], None]) -> None:
    ensure_profiles()
    agents = list(User.objects.filter(role=Role.AGENT, code__isnull=False).order_by("code")[:12])
    today = datetime.now(SHANGHAI).date()
    rng = random.Random(2026)
    created = 0
    if agents:
        for index, shop in enumerate(Shop.objects.order_by("code")):
            if ChatSession.objects.filter(shop=shop).exclude(external_id__startswith="qdemo-").exists():
                continue  # real demo history from the compliance loader: measure that instead
            team = agents[index % 3 :: 3] or agents
            created += generate_sessions(shop, team, rng, today)
    result = metrics_refresh()
    log(f"quality: {created} new demo sessions; metrics for {result.sessions} sessions, "
        f"{len(result.days)} shop-days, {result.alerts_created} new alerts")
