"""Reads for auto-QA and manual QA, every one scoped to what the caller may see.

Staff (managers, inspectors) see everything; a merchant user sees the results of their own shops; an
agent sees only results about themselves (their sessions' auto-QA, their reviews, their disputes) and, as a
team lead, their team's reviews and disputes. The rules themselves are `agency.access`'s.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from agency.access import (
    is_staff_viewer,
    scope_by_agent_or_team,
    scope_by_merchant,
    scope_by_merchant_or_served,
)
from agency.models import User
from agency.permissions import INSPECTORS, MANAGERS, MERCHANTS, has_role
from clients.models import Shop
from compliance.models import ChatMessage, ChatSession, Hit
from compliance.quality.qa import autoqa
from compliance.quality.qa.models import (
    AutoQACheck,
    AutoQAConfigVersion,
    AutoQADeduction,
    AutoQAResult,
    CalibrationRound,
    Dispute,
    Review,
    ReviewAssignment,
    ReviewScore,
    SamplingPlan,
    Scorecard,
    ScorecardCategory,
    ScorecardItem,
)
from compliance.quality.qa.scoring import Alignment, alignment

# Weights of the internal quality score: inspectors' judgement counts more than the automatic checks.
MANUAL_WEIGHT = Decimal("0.6")
AUTO_WEIGHT = Decimal("0.4")


def autoqa_results_visible_to(*, user: User) -> QuerySet[AutoQAResult]:
    return scope_by_merchant(
        AutoQAResult.objects.select_related("session", "shop", "agent"),
        user=user, merchant_path="shop__merchant", agent_path="agent",
    )


def autoqa_deductions_visible_to(*, user: User) -> QuerySet[AutoQADeduction]:
    return scope_by_merchant(
        AutoQADeduction.objects.select_related("result__session__shop", "message"),
        user=user, merchant_path="result__shop__merchant", agent_path="result__agent",
    )


def reviews_visible_to(*, user: User, include_calibration: bool = False) -> QuerySet[Review]:
    """Staff: all; a merchant user: their shops'; an agent: their own, and a team lead also their team's
    (they resolve those disputes)."""
    reviews = Review.objects.select_related("session", "shop", "agent", "inspector", "scorecard", "dispute")
    if not include_calibration:
        reviews = reviews.filter(calibration__isnull=True)
    if has_role(user, MERCHANTS) and not is_staff_viewer(user):
        return scope_by_merchant(reviews, user=user, merchant_path="shop__merchant")
    return scope_by_agent_or_team(reviews, user=user, agent_path="agent")


def disputes_visible_to(*, user: User) -> QuerySet[Dispute]:
    """Staff: all; an agent: their own, and a team lead also their team's (they resolve them); merchants: none."""
    disputes = Dispute.objects.select_related("review__session", "review__shop", "review__inspector", "agent", "resolved_by")
    return scope_by_agent_or_team(disputes, user=user, agent_path="agent")


def assignments_for(*, user: User, status: str | None = ReviewAssignment.Status.PENDING) -> QuerySet[ReviewAssignment]:
    """An inspector's own queue; managers see every inspector's."""
    assignments = ReviewAssignment.objects.select_related(
        "session__shop", "inspector", "scorecard", "run__plan", "calibration", "session__autoqa"
    )
    if status:
        assignments = assignments.filter(status=status)
    if has_role(user, MANAGERS):
        return assignments
    if has_role(user, INSPECTORS):
        return assignments.filter(inspector=user)
    return assignments.none()


def scorecards_current() -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(is_current=True).annotate(item_count=Count("categories__items"))


def scorecard_versions(*, key: str) -> QuerySet[Scorecard]:
    return Scorecard.objects.filter(key=key).annotate(review_count=Count("reviews")).order_by("-version")


def scorecard_with_items(*, pk: int) -> Scorecard:
    return Scorecard.objects.prefetch_related(
        Prefetch("categories", queryset=ScorecardCategory.objects.prefetch_related("items"))
    ).get(pk=pk)


def sampling_plans() -> QuerySet[SamplingPlan]:
    return SamplingPlan.objects.select_related("scorecard").prefetch_related("shops", "agents", "inspectors", "runs")


def autoqa_checks() -> QuerySet[AutoQACheck]:
    return AutoQACheck.objects.order_by("id")


def autoqa_checks_effective() -> list[AutoQACheck]:
    """Every auto-QA check in the engine's order as scoring will use it: its stored row or, for a check
    nobody has saved yet, an unsaved row with the shipped defaults (scoring stores those on its first run).
    Reading writes nothing, so a fresh database shows the defaults."""
    stored = {c.key: c for c in AutoQACheck.objects.all()}
    return [
        stored.get(key)
        or AutoQACheck(
            key=key,
            points=Decimal(str(autoqa.DEFAULTS[key]["points"])),
            max_occurrences=autoqa.DEFAULTS[key]["max_occurrences"],
            params=autoqa.DEFAULTS[key]["params"],
        )
        for key in autoqa.CHECK_KEYS
    ]


def qa_sessions_visible_to(*, user: User) -> QuerySet[ChatSession]:
    """Sessions a user may open in the QA pages: staff all, a merchant user their merchant's, an agent the
    sessions they served."""
    return scope_by_merchant_or_served(
        ChatSession.objects.select_related("shop__merchant"),
        user=user, merchant_path="shop__merchant", served_path="messages__agent",
    )


def session_transcript(*, session: ChatSession) -> list[ChatMessage]:
    """The session's messages with their hits and auto-QA deductions attached (three queries)."""
    return list(
        ChatMessage.objects.filter(session=session)
        .select_related("agent")
        .prefetch_related(Prefetch("hits", queryset=Hit.objects.order_by("start")))
        .order_by("sent_at", "id")
    )


def review_scores(*, review: Review) -> QuerySet[ReviewScore]:
    """The review's item scores in scorecard order, with their items and categories."""
    return (
        ReviewScore.objects.filter(review=review)
        .select_related("item__category")
        .order_by("item__category__position", "item__position", "item_id")
    )


def calibration_rounds() -> QuerySet[CalibrationRound]:
    return CalibrationRound.objects.select_related("scorecard").annotate(
        session_count=Count("sessions", distinct=True),
        inspector_count=Count("inspectors", distinct=True),
        done=Count("assignments", filter=Q(assignments__status=ReviewAssignment.Status.DONE), distinct=True),
        total=Count("assignments", distinct=True),
    )


def calibration_alignment(*, round_: CalibrationRound) -> Alignment:
    """Spread per item and agreement rate of the round's finished reviews (two queries)."""
    rows = list(
        ReviewScore.objects.filter(review__calibration=round_).values_list(
            "review__session_id", "review__inspector_id", "item_id", "score", "item__scale_max"
        )
    )
    totals = list(Review.objects.filter(calibration=round_).values_list("session_id", "inspector_id", "score"))
    scale = {item: scale_max for _s, _i, item, _score, scale_max in rows}
    return alignment([r[:4] for r in rows], scale, totals)


def calibration_report(*, round_: CalibrationRound) -> dict:
    """The round's alignment with the rows its page shows: (item, figures) per scorecard item and
    (session, figures, [(inspector, total)]) per session; five queries whatever the size of the round."""
    aligned = calibration_alignment(round_=round_)
    items = ScorecardItem.objects.filter(category__scorecard=round_.scorecard_id).in_bulk()
    sessions = ChatSession.objects.select_related("shop").in_bulk([row.session for row in aligned.sessions])
    inspectors = User.objects.in_bulk({i for row in aligned.sessions for i in row.totals})
    return {
        "aligned": aligned,
        "item_rows": [(items.get(row.item), row) for row in aligned.items],
        "session_rows": [
            (sessions.get(row.session), row, [(inspectors.get(i), t) for i, t in sorted(row.totals.items())])
            for row in aligned.sessions
        ],
    }


# ------------------------------------------------------------------------------------- quality scores


def _combine(manual: Decimal | None, auto: Decimal | None) -> Decimal | None:
    if manual is not None and auto is not None:
        return (MANUAL_WEIGHT * manual + AUTO_WEIGHT * auto).quantize(Decimal("0.1"))
    value = manual if manual is not None else auto
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


GROUPS = {
    "agent": ("agent_id", "agent__display_name", "agent__username"),
    "shop": ("shop_id", "shop__name", "shop__code"),
    "team": ("agent__team_id", "agent__team__name", "agent__team__name"),
}


def quality_scores(*, user: User, by: str, start: date, end: date) -> list[dict]:
    """The internal quality score per agent, shop or team over [start, end]: the inspectors' mean final
    score and the auto-QA mean, combined 60/40 (either alone when the other is missing). Two queries."""
    key, label, alt = GROUPS[by]
    auto = (
        autoqa_results_visible_to(user=user)
        .filter(day__range=(start, end))
        .values(key, label, alt)
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by()
    )
    manual = (
        reviews_visible_to(user=user)
        .filter(day__range=(start, end))
        .values(key, label, alt)
        .annotate(avg=Avg("final_score"), n=Count("id"), failed=Count("id", filter=Q(failed_critical=True)))
        .order_by()
    )
    rows: dict = {}
    for row in auto:
        rows.setdefault(row[key], {"id": row[key], "name": row[label] or row[alt] or "—"})
        rows[row[key]].update(auto=_q(row["avg"]), auto_count=row["n"])
    for row in manual:
        rows.setdefault(row[key], {"id": row[key], "name": row[label] or row[alt] or "—"})
        rows[row[key]].update(manual=_q(row["avg"]), manual_count=row["n"], failed=row["failed"])
    result = []
    for row in rows.values():
        row.setdefault("auto", None)
        row.setdefault("auto_count", 0)
        row.setdefault("manual", None)
        row.setdefault("manual_count", 0)
        row.setdefault("failed", 0)
        row["quality"] = _combine(row["manual"], row["auto"])
        result.append(row)
    return sorted(result, key=lambda r: (r["quality"] is None, -(r["quality"] or 0), str(r["name"])))


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def qa_scores_by_shop_day(*, user: User, shop, start: date, end: date) -> list[dict]:
    """For the merchant's quality view: per day of [start, end] with data, the auto-QA mean and count and
    the inspectors' mean final score and count, for one shop the user may see. Two queries."""
    auto = (
        autoqa_results_visible_to(user=user)
        .filter(shop=shop, day__range=(start, end))
        .values("day")
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by()
    )
    manual = (
        reviews_visible_to(user=user)
        .filter(shop=shop, day__range=(start, end))
        .values("day")
        .annotate(avg=Avg("final_score"), n=Count("id"))
        .order_by()
    )
    days: dict[date, dict] = {}
    for row in auto:
        days.setdefault(row["day"], {"day": row["day"]}).update(auto_score=_q(row["avg"]), auto_count=row["n"])
    for row in manual:
        days.setdefault(row["day"], {"day": row["day"]}).update(qa_score=_q(row["avg"]), qa_count=row["n"])
    for figures in days.values():
        figures.setdefault("auto_score", None)
        figures.setdefault("auto_count", 0)
        figures.setdefault("qa_score", None)
        figures.setdefault("qa_count", 0)
    return [days[d] for d in sorted(days)]


def qa_scores_by_agent(*, user: User, shop, start: date, end: date) -> list[dict]:
    """For the merchant's per-agent table: one row per agent who served the shop, with auto-QA and
    inspectors' means and the combined internal quality score (all visible shops when `shop` is None).
    Two queries."""
    where = {"day__range": (start, end)} | ({"shop": shop} if shop is not None else {})
    auto = (
        autoqa_results_visible_to(user=user)
        .filter(**where)
        .values("agent_id", "agent__display_name", "agent__username", "agent__code")
        .annotate(avg=Avg("score"), n=Count("id"))
        .order_by()
    )
    manual = (
        reviews_visible_to(user=user)
        .filter(**where)
        .values("agent_id", "agent__display_name", "agent__username", "agent__code")
        .annotate(avg=Avg("final_score"), n=Count("id"))
        .order_by()
    )
    agents: dict = {}
    for source, rows_ in (("auto", auto), ("qa", manual)):
        for row in rows_:
            entry = agents.setdefault(
                row["agent_id"],
                {
                    "agent_id": row["agent_id"],
                    "name": row["agent__display_name"] or row["agent__username"] or "—",
                    "code": row["agent__code"] or "",
                    "auto_score": None, "auto_count": 0, "qa_score": None, "qa_count": 0,
                },
            )
            entry[f"{source}_score"] = _q(row["avg"])
            entry[f"{source}_count"] = row["n"]
    for entry in agents.values():
        entry["quality"] = _combine(entry["qa_score"], entry["auto_score"])
    return sorted(agents.values(), key=lambda r: (r["code"], str(r["name"])))


def agent_summary(*, agent: User) -> dict:
    """The agent's own figures for their QA page (two queries)."""
    auto = AutoQAResult.objects.filter(agent=agent).aggregate(avg=Avg("score"), n=Count("id"))
    manual = Review.objects.filter(agent=agent, calibration__isnull=True).aggregate(
        avg=Avg("final_score"), n=Count("id"), open=Count("dispute", filter=Q(dispute__status=Dispute.Status.OPEN))
    )
    return {
        "auto_score": _q(auto["avg"]), "auto_count": auto["n"],
        "qa_score": _q(manual["avg"]), "qa_count": manual["n"], "open_disputes": manual["open"],
        "quality": _combine(_q(manual["avg"]), _q(auto["avg"])),
    }


def low_autoqa_results(*, user: User, limit: int = 50) -> QuerySet[AutoQAResult]:
    return autoqa_results_visible_to(user=user).filter(deduction_count__gt=0).order_by("score", "-day")[:limit]



def agent_daily_scores(*, agent: User, start: date, end: date) -> list[dict]:
    """The agent's own auto-QA and review means per day of [start, end] (two queries), for the trend chart."""
    auto = (
        AutoQAResult.objects.filter(agent=agent, day__range=(start, end))
        .values("day").annotate(avg=Avg("score")).order_by()
    )
    manual = (
        Review.objects.filter(agent=agent, calibration__isnull=True, day__range=(start, end))
        .values("day").annotate(avg=Avg("final_score")).order_by()
    )
    days: dict[date, dict] = {}
    for row in auto:
        days.setdefault(row["day"], {"day": row["day"], "auto": None, "qa": None})["auto"] = _q(row["avg"])
    for row in manual:
        days.setdefault(row["day"], {"day": row["day"], "auto": None, "qa": None})["qa"] = _q(row["avg"])
    return [days[d] for d in sorted(days)]


def my_quality_lists(*, user: User, shop: str = "", check: str = "") -> dict:
    """The reviews and auto-QA deductions the agent may see (their own; a team lead's also their team's),
    newest first, narrowed to a shop (by code) and, for the deductions, to one check; and the shops the agent
    has any of either in, for the filter."""
    reviews = reviews_visible_to(user=user)
    deductions = (
        autoqa_deductions_visible_to(user=user)
        .select_related("result__session__shop").order_by("-result__day", "-id")
    )
    shop_ids = set(reviews.values_list("shop_id", flat=True).order_by().distinct()) | set(
        deductions.values_list("result__shop_id", flat=True).order_by().distinct()
    )
    if shop:
        reviews = reviews.filter(shop__code=shop)
        deductions = deductions.filter(result__shop__code=shop)
    if check:
        deductions = deductions.filter(check_key=check)
    return {
        "reviews": reviews,
        "deductions": deductions,
        "shops": list(Shop.objects.filter(pk__in=shop_ids).order_by("name")),
    }


def autoqa_versions(*, limit: int = 10) -> list[AutoQAConfigVersion]:
    """The latest saved auto-QA configurations, newest first."""
    return list(AutoQAConfigVersion.objects.select_related("created_by").order_by("-number")[:limit])
