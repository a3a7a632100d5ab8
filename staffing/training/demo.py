"""Demo data for training: courses and exams for the demo shops, shop assignments, and real attempts (most
agents certified, a few still due). Runs after the forecasting demo (ORDER 31), before the rosters (35)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from django.utils import timezone

from agency.models import Role, User
from clients.models import Shop
from staffing.training.models import ExamAttempt, Question
from staffing.training.services import (
    exam_create_for_shop,
    exam_start,
    exam_submit,
    question_add,
    shop_assignment_ensure,
)

ORDER = 31

# the demo shops that have an exam
SHOP_CODES = ("lanxin-douyin", "lanxin-pdd", "lanxin-tmall", "qingshan-jd", "qingshan-taobao")

# (question, right answer, wrong answers) per merchant: what the knowledge handover taught
KNOWLEDGE = {
    "m-lanxin": [
        ("蓝心家居的床品支持几天无理由退货？", "7天", ["3天", "不支持退货"]),
        ("四件套的标准发货时间是？", "48小时内", ["当天", "7天内"]),
        ("买家问“乳胶枕会不会有味道”，推荐的回复是？", "新品拆封后通风1–2天即可散味，不影响使用",
         ["没有任何味道", "有味道就别买"]),
        ("买家要求开发票，应该怎么做？", "请买家在订单备注抬头和税号，我们随货或电子开具", ["告诉买家本店不开发票", "让买家加微信发资料"]),
        ("物流超过3天没有更新，第一步应该？", "安抚买家并承诺丢件补发或退款，同时联系快递核实", ["让买家自己联系快递", "直接给买家退款不做说明"]),
        ("羽绒被的清洗建议是？", "建议专业干洗或低温手洗，避免机洗甩干", ["随意机洗", "暴晒消毒"]),
    ],
    "m-qingshan": [
        ("青山户外冲锋衣的防水等级是？", "IPX4 生活防水", ["IPX8 潜水级", "不防水"]),
        ("帐篷的售后保修期是多久？", "一年", ["一个月", "终身保修"]),
        ("买家尺码选错想换货，京东店的换货期是？", "15天", ["3天", "不支持换货"]),
        ("登山杖断了，买家要求退款，应该？", "先请买家拍照确认，属于质量问题则直接退换", ["说“这是规定”不能退", "让买家去线下门店"]),
        ("买家问最便宜的睡袋，回复时要避免？", "“全网最低”这类绝对化用语", ["介绍具体价格", "推荐适合的温标"]),
    ],
}


def _answers(attempt: ExamAttempt, *, right: bool) -> dict[int, int]:
    questions = Question.objects.in_bulk(attempt.question_ids)
    return {qid: (q.answer if right else (q.answer + 1) % len(q.choices)) for qid, q in questions.items()}


def load(*, password: str, log: Callable[[str], None]) -> None:
    year = timezone.localdate().year
    shops = list(Shop.objects.filter(code__in=SHOP_CODES).select_related("merchant").order_by("code"))
    if not shops:
        log("staffing: no demo shops found (clients demo data runs first)")
        return
    by_code = {s.code: s for s in shops}
    team_a = [c for c in ("lanxin-pdd", "lanxin-douyin") if c in by_code]
    team_b = [c for c in ("lanxin-tmall", "qingshan-jd", "qingshan-taobao") if c in by_code]
    agents = list(User.objects.filter(role=Role.AGENT, username__startswith="agent").order_by("username"))
    exams = {}
    for shop in shops:
        exam = exam_create_for_shop(shop=shop, question_count=8, pass_mark=75, time_limit_minutes=15)
        course = exam.courses.get(kind="shop")
        if not course.material:
            course.material = "\n".join(f"· {q} {a}" for q, a, _ in KNOWLEDGE.get(shop.merchant.code, []))
            course.save(update_fields=["material"])
        for n, (q, a, wrong) in enumerate(KNOWLEDGE.get(shop.merchant.code, [])):
            question_add(course=course, key=f"demo-{n}", text=q, answer=a, wrong=wrong)
        exams[shop.code] = exam

    since = date(year, 1, 1)
    attempts = 0
    for index, agent in enumerate(agents):
        codes = team_a if index % 2 == 0 else team_b
        # every agent serves two shops of their team, rotating so each shop has several agents
        mine = [codes[(index // 2 + k) % len(codes)] for k in range(min(2, len(codes)))]
        for n, code in enumerate(mine):
            shop = by_code[code]
            shop_assignment_ensure(agent=agent, shop=shop, since=since)
            exam = exams[code]
            if ExamAttempt.objects.filter(exam=exam, agent=agent).exists():
                continue
            if index == len(agents) - 1 and n == len(mine) - 1:
                continue  # the last agent still has an exam due (shown in "my training")
            started = timezone.now() - timedelta(days=30 - index, hours=n)
            if index == len(agents) - 2 and n == 0:  # one agent failed once before passing
                first = exam_start(exam=exam, agent=agent, now=started - timedelta(days=2), seed=index)
                exam_submit(attempt=first, answers=_answers(first, right=False), now=first.started_at + timedelta(minutes=9))
                attempts += 1
            attempt = exam_start(exam=exam, agent=agent, now=started, seed=index * 10 + n)
            answers = _answers(attempt, right=True)
            wrong_one = next(iter(answers), None)
            if wrong_one is not None and (index + n) % 3 == 0:  # not everyone scores 100
                answers[wrong_one] = (answers[wrong_one] + 1) % 2
            exam_submit(attempt=attempt, answers=answers, now=started + timedelta(minutes=7 + index % 5))
            attempts += 1
    log(f"staffing: {len(exams)} shop exams, {attempts} exam attempts, agents assigned and certified")
