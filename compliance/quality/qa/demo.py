"""Demo data of auto-QA and manual QA.

`load` works on the sessions the compliance demo imported (ORDER 40), after the response metrics' demo
(ORDER 50). On a database without any (the
quality app loaded alone), it first writes a small set of its own sessions so every QA page has content.
Idempotent: sessions by their external id, the scorecard by its key, plans by name, sampling runs once per
period, reviews once per assignment, disputes once per review, the calibration round by its title.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from agency.demo import ensure_user
from agency.models import Role, User
from clients.models import Shop
from compliance.models import ChatMessage, ChatSession
from compliance.quality.qa import services as qa_services
from compliance.quality.qa.models import (
    CalibrationRound,
    Dispute,
    Review,
    ReviewAssignment,
    SamplingPlan,
    Scorecard,
    ScorecardItem,
)

ORDER = 55

SCORECARD = {
    "name": "通用服务质检",
    "description": "售前售后通用：态度、专业、合规三类，辱骂与站外引导为致命项",
    "categories": [
        {"name": "服务态度", "weight": 30, "items": [
            {"label": "问候与结束语得体", "scale_max": 5, "weight": 1},
            {"label": "耐心、无不耐烦语气", "scale_max": 5, "weight": 1},
            {"label": "未辱骂或嘲讽买家", "scale_max": 1, "weight": 1, "critical": True,
             "guidance": "任何辱骂、嘲讽即 0 分，整单不合格"},
        ]},
        {"name": "专业能力", "weight": 45, "items": [
            {"label": "回答准确、完整", "scale_max": 5, "weight": 2},
            {"label": "主动解决问题（物流、退换、发票）", "scale_max": 5, "weight": 2},
            {"label": "响应及时，慢回复有致歉", "scale_max": 5, "weight": 1},
        ]},
        {"name": "平台合规", "weight": 25, "items": [
            {"label": "无违禁词、绝对化用语", "scale_max": 5, "weight": 1},
            {"label": "未引导站外交易或留联系方式", "scale_max": 1, "weight": 1, "critical": True},
        ]},
    ],
}

# Used only when no sessions exist yet: (buyer, agent) exchanges of varying quality.
OWN_SESSIONS = [
    [(0, "buyer", "在吗？沙发还有货吗"), (25, "agent", "亲，您好，在的，有现货哦"), (60, "buyer", "几天能到"),
     (80, "agent", "一般2-3天送达，感谢支持，祝您购物愉快")],
    [(0, "buyer", "我的快递三天没更新了"), (420, "agent", "我查一下"), (500, "buyer", "我的快递三天没更新了，怎么回事"),
     (520, "agent", "在查了")],
    [(0, "buyer", "能开发票吗"), (30, "agent", "您好，可以的，下单时填写抬头"), (60, "buyer", "好的谢谢"),
     (70, "agent", "不客气，还有什么可以帮您随时找我")],
    [(0, "buyer", "收到的有瑕疵"), (200, "agent", "你自己看说明书，说了多少遍了"), (260, "buyer", "算了，给差评")],
    [(0, "buyer", "有优惠吗"), (15, "agent", "亲，满300减30哦"), (40, "buyer", "买两件呢")],
]


def _own_sessions(log: Callable[[str], None]) -> None:
    shops = list(Shop.objects.order_by("code"))
    # Only agents with a code: a message's agent_code is NOT NULL and the agent is derived from it.
    agents = list(User.objects.filter(role=Role.AGENT, code__isnull=False).order_by("code"))
    if not shops or not agents:
        return
    today = timezone.localdate()
    rng = random.Random(50)
    created = 0
    for day_back in range(1, 8):
        day = today - timedelta(days=day_back)
        for n, shop in enumerate(shops):
            for k in range(3):
                external = f"qa-demo-{day:%Y%m%d}-{n}-{k}"
                rows = OWN_SESSIONS[(day_back + n + k) % len(OWN_SESSIONS)]
                start = timezone.make_aware(datetime.combine(day, time(9 + k * 3, rng.randrange(60))))
                session, made = ChatSession.objects.get_or_create(
                    shop=shop, external_id=external,
                    defaults={"buyer": f"buyer-{rng.randrange(10_000):04d}", "started_at": start,
                              "ended_at": start + timedelta(seconds=rows[-1][0])},
                )
                if not made:
                    continue
                agent = agents[(n * 3 + k) % len(agents)]
                ChatMessage.objects.bulk_create(
                    ChatMessage(session=session, shop=shop, external_id=f"{external}-m{i}", sender=sender, text=text,
                                sent_at=start + timedelta(seconds=seconds),
                                agent=agent if sender == "agent" else None,
                                agent_code=(agent.code or "") if sender == "agent" else "")
                    for i, (seconds, sender, text) in enumerate(rows)
                )
                created += 1
    log(f"quality: {created} QA demo sessions (no imported sessions were found)")


def _scores_for(session_id: int, items: list[ScorecardItem], harsh: bool = False) -> dict[int, int]:
    rng = random.Random(session_id * (7 if harsh else 1))
    scores = {}
    for item in items:
        if item.critical:
            scores[item.pk] = 0 if rng.random() < 0.06 else 1
        else:
            scores[item.pk] = max(0, item.scale_max - rng.choice([0, 0, 1, 1, 2, 3]) - (1 if harsh else 0))
    return scores


def load(*, password: str, log: Callable[[str], None]) -> None:
    manager = User.objects.filter(username="manager").first()
    inspector = User.objects.filter(username="inspector").first()
    if manager is None or inspector is None:
        log("quality: no demo staff; skipped")
        return
    inspector2 = ensure_user(username="inspector2", password=password, role=Role.INSPECTOR, display_name="孙质检")
    qa_services.autoqa_checks_ensure()
    if not ChatSession.objects.exists():
        _own_sessions(log)
    scored = qa_services.autoqa_score_pending_sessions()

    scorecard = Scorecard.objects.filter(key="general", is_current=True).first()
    if scorecard is None:
        scorecard = qa_services.scorecard_create(key="general", spec=SCORECARD, by=manager)
    items = list(ScorecardItem.objects.filter(category__scorecard=scorecard).order_by("category__position", "position"))

    plan = SamplingPlan.objects.filter(name="每日抽检 · 全部店铺").first()
    if plan is None:
        plan = qa_services.sampling_plan_create(
            name="每日抽检 · 全部店铺", cadence="daily", scorecard=scorecard, inspectors=[inspector, inspector2],
            by=manager, random_share=Decimal("0.3"), max_sessions=6,
        )
    low = SamplingPlan.objects.filter(name="每周 · 低分与违规").first()
    if low is None:
        low = qa_services.sampling_plan_create(
            name="每周 · 低分与违规", cadence="weekly", scorecard=scorecard, inspectors=[inspector],
            by=manager, max_auto_score=Decimal("85"), only_violations=True, max_sessions=10,
        )
    today = timezone.localdate()
    for back in range(1, 15):
        qa_services.sampling_run(plan=plan, on=today - timedelta(days=back))
    for back in (7, 14):
        qa_services.sampling_run(plan=low, on=today - timedelta(days=back))

    # Reviews: every sampled session older than two days is reviewed; the rest wait in the queues.
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=2), time.min))
    pending = (
        ReviewAssignment.objects.filter(status=ReviewAssignment.Status.PENDING, run__isnull=False, session__started_at__lt=cutoff)
        .select_related("inspector", "scorecard", "session")
        .order_by("id")
    )
    reviewed = 0
    for assignment in pending:
        if assignment.scorecard_id != scorecard.pk:
            continue
        qa_services.review_submit(
            assignment=assignment, by=assignment.inspector, scores=_scores_for(assignment.session_id, items),
            comment="整体良好" if assignment.session_id % 3 else "回复偏慢，注意先致歉再解答",
        )
        reviewed += 1

    # Disputes: the two lowest-scored reviews of agents get disputed; the older one is resolved.
    candidates = list(
        Review.objects.filter(calibration__isnull=True, agent__isnull=False, dispute__isnull=True)
        .order_by("final_score", "id")[:2]
    )
    if not Dispute.objects.exists():
        for n, review in enumerate(candidates):
            assert review.agent is not None  # candidates are filtered on agent__isnull=False
            dispute = qa_services.dispute_open(
                review=review, by=review.agent, comment="买家问题已在后续会话解决，且慢回复是因为系统卡顿，请复核"
            )
            if n == 0:
                qa_services.dispute_resolve(
                    dispute=dispute, by=manager, accept=True, resolution="核实系统当时确有延迟，改判",
                    revised_score=min(Decimal("100"), review.score + Decimal("15")),
                )

    # Calibration: both inspectors score the same three sessions.
    if not CalibrationRound.objects.filter(title="本月校准 · 通用评分表").exists():
        sessions = list(ChatSession.objects.filter(autoqa__isnull=False).order_by("autoqa__score", "id")[:3])
        if len(sessions) == 3:
            round_ = qa_services.calibration_create(
                title="本月校准 · 通用评分表", scorecard=scorecard, sessions=sessions,
                inspectors=[inspector, inspector2], by=manager,
            )
            for assignment in ReviewAssignment.objects.filter(calibration=round_).select_related("inspector").order_by("id"):
                harsh = assignment.inspector_id == inspector2.pk
                qa_services.review_submit(
                    assignment=assignment, by=assignment.inspector,
                    scores=_scores_for(assignment.session_id, items, harsh=harsh),
                )
    log(f"quality: auto-QA scored {scored} sessions; {reviewed} new reviews; sampling, disputes and calibration ready")

