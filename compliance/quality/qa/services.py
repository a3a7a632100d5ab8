"""Writes for auto-QA and manual QA: check configuration, session scoring, scorecards (versioned),
sampling, reviews, disputes and calibration rounds.

Role checks that are business rules (only managers change auto-QA checks, only the reviewed agent
disputes) stay here; the pages check who may open them with `agency.permissions`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import yaml
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agency.models import Job, User
from agency.permissions import MANAGERS, STAFF, has_role
from agency.services import audit_record, job_start
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
    SamplingRun,
    Scorecard,
    ScorecardCategory,
    ScorecardItem,
)
from compliance.quality.qa.scoring import SpecError, review_score, validate_spec

LOCAL = ZoneInfo(settings.TIME_ZONE)
VIOLATION_SEVERITIES = ("violation", "severe")
SCORE_TASK = "quality.autoqa_score"
CHUNK = 500


# --------------------------------------------------------------------------------------------- auto-QA


def autoqa_checks_ensure() -> list[AutoQACheck]:
    """The check rows, creating any missing one with its shipped defaults (so a fresh database works)."""
    rows = {c.key: c for c in AutoQACheck.objects.all()}
    missing = [
        AutoQACheck(
            key=key,
            points=Decimal(str(spec["points"])),
            max_occurrences=spec["max_occurrences"],
            params=spec["params"],
        )
        for key, spec in autoqa.DEFAULTS.items()
        if key not in rows
    ]
    if missing:
        AutoQACheck.objects.bulk_create(missing, ignore_conflicts=True)
        rows = {c.key: c for c in AutoQACheck.objects.all()}
    return [rows[key] for key in autoqa.CHECK_KEYS if key in rows]


def autoqa_check_ensure(*, key: str) -> AutoQACheck:
    """The stored check `key` (created with its shipped defaults if missing), for a change to it; an
    unknown key raises AutoQACheck.DoesNotExist."""
    for check in autoqa_checks_ensure():
        if check.key == key:
            return check
    raise AutoQACheck.DoesNotExist(key)


def autoqa_config() -> tuple[list[autoqa.CheckConfig], str]:
    """The checks as plain dicts for `autoqa.score_session`, and a short hash naming this configuration."""
    checks: list[autoqa.CheckConfig] = [
        {
            "key": c.key,
            "enabled": c.enabled,
            "points": float(c.points),
            "max_occurrences": c.max_occurrences,
            "params": c.params or {},
        }
        for c in autoqa_checks_ensure()
    ]
    digest = hashlib.sha1(json.dumps(checks, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:12]
    return checks, digest


def autoqa_check_update(
    *, check: AutoQACheck, by: User, enabled: bool, points: Decimal, max_occurrences: int, params: dict
) -> AutoQACheck:
    """Change one check. Scores made under the old configuration become stale and are rescored."""
    if not has_role(by, MANAGERS):
        raise PermissionDenied(_("只有经理可以修改自动质检规则"))
    errors = autoqa.validate_params(check.key, params)
    if points < 0:
        errors.append(_("每次扣分不能为负数"))
    if errors:
        raise ValidationError({"params": errors})
    with transaction.atomic():
        check.enabled, check.points, check.max_occurrences, check.params = enabled, points, max_occurrences, params
        check.updated_by = by
        check.save()
        checks, digest = autoqa_config()
        last = AutoQAConfigVersion.objects.select_for_update().order_by("-number").first()
        if last is None or last.config_hash != digest:
            AutoQAConfigVersion.objects.create(
                number=(last.number + 1) if last else 1, config_hash=digest, checks=checks, changed_check=check.key,
                created_by=by,
            )
        audit_record(actor=by, verb="autoqa_check_update", target=check,
                     data={"points": str(points), "enabled": enabled, "config": digest})
    return check


def _local_day(moment: datetime) -> date:
    return timezone.localtime(moment, LOCAL).date()


@transaction.atomic
def autoqa_score_sessions(
    *, session_ids: Sequence[int], checks: list[autoqa.CheckConfig] | None = None, config_hash: str = ""
) -> int:
    """Score these sessions and replace any earlier result (idempotent). A constant number of queries per
    call, whatever the number of sessions; callers pass chunks of a few hundred."""
    if checks is None:
        checks, config_hash = autoqa_config()
    sessions = {
        s["id"]: s for s in ChatSession.objects.filter(id__in=session_ids).values("id", "shop_id", "started_at")
    }
    if not sessions:
        return 0
    messages: dict[int, list[autoqa.Row]] = defaultdict(list)
    by_id: dict[int, autoqa.Row] = {}
    for m in (
        ChatMessage.objects.filter(session_id__in=sessions)
        .order_by("session_id", "sent_at", "id")
        .values("id", "session_id", "sender", "sent_at", "text", "agent_id")
    ):
        row: autoqa.Row = {
            "id": m["id"], "sender": m["sender"], "sent_at": m["sent_at"], "text": m["text"], "agent": m["agent_id"],
            "hits": [],
        }
        messages[m["session_id"]].append(row)
        by_id[m["id"]] = row
    for h in Hit.objects.filter(message__session_id__in=sessions).values(
        "message_id", "rule", "start", "category", "severity", "matched"
    ):
        by_id[h["message_id"]]["hits"].append(h)

    AutoQAResult.objects.filter(session_id__in=sessions).delete()
    results: list[AutoQAResult] = []
    found: list[list[autoqa.Deduction]] = []
    for session_id, session in sessions.items():
        rows = messages.get(session_id, [])
        scored = autoqa.score_session(rows, checks)
        results.append(
            AutoQAResult(
                session_id=session_id,
                shop_id=session["shop_id"],
                agent_id=autoqa.main_agent(rows),
                day=_local_day(session["started_at"]),
                score=Decimal(str(scored.score)),
                deduction_count=len(scored.deductions),
                has_violation=any(h["severity"] in VIOLATION_SEVERITIES for r in rows for h in r["hits"]),
                config_hash=config_hash,
            )
        )
        found.append(scored.deductions)
    AutoQAResult.objects.bulk_create(results)
    if any(found) and results[0].pk is None:  # a backend that cannot return ids from a bulk insert
        pks = dict(AutoQAResult.objects.filter(session_id__in=sessions).values_list("session_id", "id"))
        for result in results:
            result.pk = result.id = pks[result.session_id]
    AutoQADeduction.objects.bulk_create(
        AutoQADeduction(
            result_id=result.pk,
            check_key=d.check,
            points=Decimal(str(d.points)),
            message_id=d.message_id,
            detail=d.detail[:300],
        )
        for result, deductions in zip(results, found, strict=True)
        for d in deductions
    )
    return len(results)


def autoqa_pending_session_ids(*, config_hash: str, rescore_all: bool = False) -> list[int]:
    """Sessions without a score, or scored under another configuration (all of them with rescore_all)."""
    sessions = ChatSession.objects.all()
    if not rescore_all:
        sessions = sessions.exclude(Exists(AutoQAResult.objects.filter(session=OuterRef("pk"), config_hash=config_hash)))
    return list(sessions.order_by("id").values_list("id", flat=True))


def autoqa_score_pending_sessions(
    *,
    rescore_all: bool = False,
    session_ids: list[int] | None = None,
    report: Callable[[int, int], None] | None = None,
) -> int:
    """Score every session without a score under the current configuration (all of them with
    `rescore_all`, or just `session_ids`) in chunks of CHUNK, calling `report(done, total)` after each."""
    checks, config_hash = autoqa_config()
    if session_ids is None:
        session_ids = autoqa_pending_session_ids(config_hash=config_hash, rescore_all=rescore_all)
    total = len(session_ids)
    scored = 0
    for start in range(0, total, CHUNK):
        chunk = session_ids[start : start + CHUNK]
        scored += autoqa_score_sessions(session_ids=chunk, checks=checks, config_hash=config_hash)
        if report is not None:
            report(start + len(chunk), total)
    return scored


def autoqa_rescore_start(*, by: User, rescore_all: bool = False) -> Job:
    """Start scoring as a job (every session again with `rescore_all`); the page then shows its progress."""
    return job_start(
        task=SCORE_TASK, kind="quality.autoqa", title=_("自动质检评分"), created_by=by,
        kwargs={"rescore_all": rescore_all},
    )


# --------------------------------------------------------------------------------------------- scorecards


def scorecard_spec_from_yaml(text: str) -> dict:
    """Parse the edit page's YAML; a syntax error names its line."""
    try:
        data = yaml.safe_load(text)
    except ValueError as exc:  # a well-formed but impossible value, such as the date 2026-13-45
        raise ValidationError(_("YAML 中有无效的值（%(problem)s）") % {"problem": exc}) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _("第 %(line)s 行") % {"line": mark.line + 1} if mark is not None else "YAML"
        raise ValidationError(
            _("%(where)s：格式错误（%(problem)s）") % {"where": where, "problem": getattr(exc, "problem", exc)}
        ) from None
    try:
        return validate_spec(data)
    except SpecError as exc:
        raise ValidationError(exc.errors) from None


def scorecard_spec(scorecard: Scorecard) -> dict:
    """A version's content as a spec (what the edit page shows)."""
    categories = []
    for category in scorecard.categories.all():
        categories.append({
            "name": category.name,
            "weight": float(category.weight),
            "items": [
                {
                    "label": item.label,
                    "guidance": item.guidance,
                    "scale_max": item.scale_max,
                    "weight": float(item.weight),
                    "critical": item.critical,
                }
                for item in category.items.all()
            ],
        })
    return {"name": scorecard.name, "description": scorecard.description, "categories": categories}


def scorecard_spec_yaml(scorecard: Scorecard) -> str:
    return yaml.safe_dump(scorecard_spec(scorecard), allow_unicode=True, sort_keys=False)


def _scorecard_fill(scorecard: Scorecard, spec: dict) -> None:
    for c_pos, c in enumerate(spec["categories"]):
        category = ScorecardCategory.objects.create(
            scorecard=scorecard, name=c["name"], weight=Decimal(str(c["weight"])), position=c_pos
        )
        ScorecardItem.objects.bulk_create(
            ScorecardItem(
                category=category,
                label=i["label"],
                guidance=i["guidance"],
                scale_max=i["scale_max"],
                weight=Decimal(str(i["weight"])),
                critical=i["critical"],
                position=i_pos,
            )
            for i_pos, i in enumerate(c["items"])
        )


@transaction.atomic
def scorecard_create(*, key: str, spec: dict, by: User | None) -> Scorecard:
    if by is not None and not has_role(by, STAFF):
        raise PermissionDenied(_("只有经理和质检员可以创建评分表"))
    spec = validate_spec(spec)
    if Scorecard.objects.filter(key=key).exists():
        raise ValidationError({"key": _("标识 %(key)s 已存在") % {"key": key}})
    scorecard = Scorecard.objects.create(key=key, version=1, name=spec["name"], description=spec["description"], created_by=by)
    _scorecard_fill(scorecard, spec)
    return scorecard


def scorecard_is_used(scorecard: Scorecard) -> bool:
    """Used = some review or assignment points at this version; its items must then never change."""
    return (
        Review.objects.filter(scorecard=scorecard).exists()
        or ReviewAssignment.objects.filter(scorecard=scorecard).exists()
    )


@transaction.atomic
def scorecard_update(*, scorecard: Scorecard, spec: dict, by: User) -> Scorecard:
    """Change a scorecard. An unused version is edited in place; a used one is left exactly as it is and
    the change becomes the next version, which plans and new reviews use from then on."""
    if not has_role(by, STAFF):
        raise PermissionDenied(_("只有经理和质检员可以修改评分表"))
    spec = validate_spec(spec)
    scorecard = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if not scorecard.is_current:
        raise ValidationError(_("只能修改当前版本的评分表"))
    if not scorecard_is_used(scorecard):
        scorecard.name, scorecard.description = spec["name"], spec["description"]
        scorecard.save(update_fields=["name", "description"])
        scorecard.categories.all().delete()
        _scorecard_fill(scorecard, spec)
        audit_record(actor=by, verb="scorecard_edit", target=scorecard)
        return scorecard
    latest = Scorecard.objects.filter(key=scorecard.key).aggregate(v=Max("version"))["v"]
    Scorecard.objects.filter(key=scorecard.key).update(is_current=False)
    new = Scorecard.objects.create(
        key=scorecard.key, version=latest + 1, name=spec["name"], description=spec["description"], created_by=by
    )
    _scorecard_fill(new, spec)
    # Plans follow the current version; assignments already made keep theirs.
    SamplingPlan.objects.filter(scorecard__key=scorecard.key).update(scorecard=new)
    audit_record(actor=by, verb="scorecard_new_version", target=new, data={"from_version": scorecard.version})
    return new


def scorecard_structure(scorecard: Scorecard) -> list[dict]:
    """The version's categories and items as plain dicts for `scoring.review_score`."""
    return [
        {
            "id": c.pk,
            "weight": float(c.weight),
            "items": [
                {"id": i.pk, "scale_max": i.scale_max, "weight": float(i.weight), "critical": i.critical}
                for i in c.items.all()
            ],
        }
        for c in scorecard.categories.prefetch_related("items")
    ]


# --------------------------------------------------------------------------------------------- sampling


def period_for(*, cadence: str, on: date) -> tuple[date, date]:
    """The day itself, or the Monday-to-Sunday week containing it."""
    if cadence == SamplingPlan.Cadence.WEEKLY:
        start = on - timedelta(days=on.weekday())
        return start, start + timedelta(days=6)
    return on, on


@transaction.atomic
def sampling_plan_create(
    *,
    name: str,
    cadence: str,
    scorecard: Scorecard,
    inspectors: Iterable[User],
    by: User,
    shops: Iterable = (),
    agents: Iterable[User] = (),
    max_auto_score: Decimal | None = None,
    only_violations: bool = False,
    random_share: Decimal = Decimal("1"),
    max_sessions: int = 20,
) -> SamplingPlan:
    if not has_role(by, STAFF):
        raise PermissionDenied(_("只有经理和质检员可以创建抽检计划"))
    inspectors = list(inspectors)
    errors = {}
    if not inspectors:
        errors["inspectors"] = _("至少选择一名质检员")
    if any(not has_role(u, STAFF) for u in inspectors):
        errors["inspectors"] = _("只能分配给质检员或经理")
    if not Decimal("0") < Decimal(random_share) <= Decimal("1"):
        errors["random_share"] = _("随机抽取比例必须在 0 到 1 之间（不含 0）")
    if max_sessions < 1:
        errors["max_sessions"] = _("每期最多抽取数必须至少为 1")
    if errors:
        raise ValidationError(errors)
    plan = SamplingPlan.objects.create(
        name=name, cadence=cadence, scorecard=scorecard, max_auto_score=max_auto_score,
        only_violations=only_violations, random_share=random_share, max_sessions=max_sessions, created_by=by,
    )
    plan.inspectors.set(inspectors)
    plan.shops.set(list(shops))
    plan.agents.set(list(agents))
    audit_record(actor=by, verb="sampling_plan_create", target=plan)
    return plan


def sampling_pool(*, plan: SamplingPlan, start: date, end: date):
    """Sessions of the period that pass the plan's filters and were not sampled before."""
    since = datetime.combine(start, time.min, tzinfo=LOCAL)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=LOCAL)
    sessions = ChatSession.objects.filter(started_at__gte=since, started_at__lt=until)
    shop_ids = list(plan.shops.values_list("id", flat=True))
    if shop_ids:
        sessions = sessions.filter(shop_id__in=shop_ids)
    agent_ids = list(plan.agents.values_list("id", flat=True))
    if agent_ids:
        sessions = sessions.filter(
            Exists(ChatMessage.objects.filter(session=OuterRef("pk"), sender="agent", agent_id__in=agent_ids))
        )
    if plan.max_auto_score is not None:
        sessions = sessions.filter(autoqa__score__lte=plan.max_auto_score)
    if plan.only_violations:
        sessions = sessions.filter(
            Exists(Hit.objects.filter(message__session=OuterRef("pk"), severity__in=VIOLATION_SEVERITIES))
        )
    already = ReviewAssignment.objects.filter(session=OuterRef("pk"), run__isnull=False)
    return sessions.exclude(Exists(already))


@transaction.atomic
def sampling_run(*, plan: SamplingPlan, on: date, by: User | None = None) -> tuple[SamplingRun, bool]:
    """Sample the plan's period containing `on` and assign the sessions to its inspectors in turn.
    Running the same period again returns the first run and assigns nothing (returns created=False)."""
    if by is not None and not has_role(by, STAFF):
        raise PermissionDenied(_("只有经理和质检员可以执行抽检"))
    start, end = period_for(cadence=plan.cadence, on=on)
    run, created = SamplingRun.objects.get_or_create(plan=plan, period_start=start, defaults={"period_end": end})
    if not created:
        return run, False
    pool = list(sampling_pool(plan=plan, start=start, end=end).order_by("id").values_list("id", flat=True))
    wanted = min(plan.max_sessions, math.ceil(len(pool) * float(plan.random_share)))
    chosen = sorted(random.Random(f"{plan.pk}:{start.isoformat()}").sample(pool, wanted))
    inspectors = list(plan.inspectors.order_by("id"))
    # Continue the rotation where the plan's previous runs left off, so work spreads evenly.
    offset = ReviewAssignment.objects.filter(run__plan=plan).count()
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            session_id=session_id,
            inspector=inspectors[(offset + n) % len(inspectors)],
            scorecard=plan.scorecard,
            run=run,
        )
        for n, session_id in enumerate(chosen)
    )
    run.pool_size, run.assigned = len(pool), len(chosen)
    run.save(update_fields=["pool_size", "assigned"])
    if by is not None:
        audit_record(actor=by, verb="sampling_run", target=run, data={"assigned": len(chosen), "pool": len(pool)})
    return run, True


def sampling_run_due(*, today: date) -> list[SamplingRun]:
    """Run every active plan for its last finished period: yesterday (daily), last week (weekly, Mondays)."""
    runs = []
    for plan in SamplingPlan.objects.filter(active=True):
        if plan.cadence == SamplingPlan.Cadence.WEEKLY:
            if today.weekday() != 0:
                continue
            on = today - timedelta(days=7)
        else:
            on = today - timedelta(days=1)
        run, created = sampling_run(plan=plan, on=on)
        if created:
            runs.append(run)
    return runs


# --------------------------------------------------------------------------------------------- reviews


def session_main_agent_id(session: ChatSession) -> int | None:
    counts = Counter(
        ChatMessage.objects.filter(session=session, sender="agent", agent__isnull=False).values_list("agent_id", flat=True)
    )
    return counts.most_common(1)[0][0] if counts else None


@transaction.atomic
def review_submit(
    *, assignment: ReviewAssignment, by: User, scores: dict[int, int], notes: dict[int, str] | None = None, comment: str = ""
) -> Review:
    """Score an assigned session on the assignment's scorecard version. Every item must be scored."""
    assignment = ReviewAssignment.objects.select_for_update(of=("self",)).select_related("session", "scorecard").get(pk=assignment.pk)
    if assignment.inspector_id != by.pk:
        raise PermissionDenied(_("这不是分配给您的质检任务"))
    if assignment.status == ReviewAssignment.Status.DONE:
        raise ValidationError(_("这条会话已经评过分了"))
    structure = scorecard_structure(assignment.scorecard)
    items = {i["id"]: i for c in structure for i in c["items"]}
    errors = {}
    for item_id, item in items.items():
        given = scores.get(item_id)
        if given is None:
            errors[f"item_{item_id}"] = _("请为此项打分")
        elif not 0 <= given <= item["scale_max"]:
            errors[f"item_{item_id}"] = _("得分必须在 0 到 %(max)s 之间") % {"max": item["scale_max"]}
    if errors:
        raise ValidationError(errors)
    result = review_score(structure, scores)
    session = assignment.session
    score = Decimal(str(result.score))
    review = Review.objects.create(
        assignment=assignment,
        session=session,
        shop_id=session.shop_id,
        agent_id=session_main_agent_id(session),
        inspector=by,
        scorecard=assignment.scorecard,
        calibration_id=assignment.calibration_id,
        day=_local_day(session.started_at),
        score=score,
        final_score=score,
        failed_critical=result.failed_critical,
        comment=comment.strip(),
    )
    notes = notes or {}
    ReviewScore.objects.bulk_create(
        ReviewScore(review=review, item_id=item_id, score=scores[item_id], note=(notes.get(item_id) or "")[:300])
        for item_id in items
    )
    assignment.status = ReviewAssignment.Status.DONE
    assignment.save(update_fields=["status"])
    audit_record(actor=by, verb="review_submit", target=review, merchant_id=session.shop.merchant_id, data={"score": str(score)})
    return review


@transaction.atomic
def dispute_open(*, review: Review, by: User, comment: str) -> Dispute:
    """The reviewed agent contests a review; the reason is required."""
    if review.agent_id is None or review.agent_id != by.pk:
        raise PermissionDenied(_("只能对自己的质检结果申诉"))
    if review.calibration_id is not None:
        raise ValidationError(_("校准评分不计入成绩，不能申诉"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写申诉理由")})
    if Dispute.objects.filter(review=review).exists():
        raise ValidationError(_("这条质检结果已经申诉过了"))
    dispute = Dispute.objects.create(review=review, agent=by, comment=comment)
    audit_record(actor=by, verb="dispute_open", target=dispute)
    return dispute


def can_resolve(*, dispute: Dispute, user: User) -> bool:
    """Managers resolve every dispute; a team lead resolves those of their own team's agents."""
    if has_role(user, MANAGERS):
        return True
    team = getattr(dispute.agent, "team", None)
    return bool(team and team.lead_id == user.pk)


@transaction.atomic
def dispute_resolve(
    *, dispute: Dispute, by: User, accept: bool, resolution: str, revised_score: Decimal | None = None
) -> Dispute:
    """Accept (the review's final score becomes `revised_score`) or reject (the score stands)."""
    dispute = Dispute.objects.select_for_update(of=("self",)).select_related("agent__team", "review").get(pk=dispute.pk)
    if not can_resolve(dispute=dispute, user=by):
        raise PermissionDenied(_("只有经理或该客服的组长可以处理申诉"))
    if dispute.status != Dispute.Status.OPEN:
        raise ValidationError(_("这条申诉已经处理过了"))
    errors = {}
    resolution = (resolution or "").strip()
    if not resolution:
        errors["resolution"] = _("请填写处理意见")
    if accept and (revised_score is None or not Decimal(0) <= revised_score <= Decimal(100)):
        errors["revised_score"] = _("申诉成立时请填写 0 到 100 之间的改判得分")
    if errors:
        raise ValidationError(errors)
    dispute.status = Dispute.Status.ACCEPTED if accept else Dispute.Status.REJECTED
    dispute.resolution, dispute.resolved_by, dispute.resolved_at = resolution, by, timezone.now()
    dispute.revised_score = revised_score if accept else None
    dispute.save()
    if accept:
        Review.objects.filter(pk=dispute.review_id).update(final_score=revised_score)
    audit_record(actor=by, verb="dispute_resolve", target=dispute, data={"accept": accept})
    return dispute


def can_dispute(*, review: Review, user: User) -> bool:
    """The reviewed agent may contest a review once; calibration reviews do not count and are not contested."""
    return getattr(review, "dispute", None) is None and review.agent_id == user.pk and review.calibration_id is None


REVIEW_ACTIONS = ("dispute", "resolve")


def review_act(
    *,
    review: Review,
    by: User,
    action: str,
    comment: str = "",
    decision: str = "",
    resolution: str = "",
    revised_score: Decimal | None = None,
) -> str:
    """Apply the action posted from a review's page and return the message to show:
    "dispute": the reviewed agent contests the review (`comment` is the reason);
    "resolve": a manager or the agent's team lead decides the open dispute (`decision` "accept" with a
    `revised_score`, or "reject"; `resolution` is required either way).
    Raises ValidationError (shown on the action's form) or PermissionDenied."""
    if action == "dispute":
        dispute_open(review=review, by=by, comment=comment)
        return _("申诉已提交，等待组长或经理处理。")
    if action == "resolve":
        dispute = getattr(review, "dispute", None)
        if dispute is None:
            raise ValidationError(_("没有申诉。"))
        dispute_resolve(
            dispute=dispute, by=by, accept=decision == "accept", resolution=resolution, revised_score=revised_score
        )
        return _("申诉已处理。")
    raise ValueError(f"unknown review action {action!r}; expected one of {', '.join(REVIEW_ACTIONS)}")


# --------------------------------------------------------------------------------------------- calibration


@transaction.atomic
def calibration_create(
    *, title: str, scorecard: Scorecard, sessions: Sequence[ChatSession], inspectors: Sequence[User], by: User
) -> CalibrationRound:
    """Every inspector reviews every session of the round on the same scorecard version."""
    if not has_role(by, STAFF):
        raise PermissionDenied(_("只有经理和质检员可以发起校准"))
    errors = {}
    if len(inspectors) < 2:
        errors["inspectors"] = _("校准至少需要两名质检员")
    if not sessions:
        errors["sessions"] = _("请至少选择一条会话")
    if errors:
        raise ValidationError(errors)
    round_ = CalibrationRound.objects.create(title=title, scorecard=scorecard, created_by=by)
    round_.sessions.set(sessions)
    round_.inspectors.set(inspectors)
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(session=s, inspector=i, scorecard=scorecard, calibration=round_)
        for s in sessions
        for i in inspectors
    )
    audit_record(actor=by, verb="calibration_create", target=round_)
    return round_

