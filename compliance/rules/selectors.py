"""Reads of the rule library: versions and their rules, custom rules (scoped to the caller), impact previews."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from agency.access import scope_by_merchant
from agency.models import Job, User
from compliance.rules.models import Category, ClassifierModel, ClassifierSwitch, CustomRule, Rule, RuleSet, Severity
from compliance.sessions.models import Hit


def custom_rules_visible_to(*, user: User) -> QuerySet[CustomRule]:
    """A merchant's own rules (their merchant-wide and shop rules); staff see every merchant's."""
    return scope_by_merchant(CustomRule.objects.select_related("merchant", "shop"), user=user)


def ruleset_rules(*, ruleset: RuleSet, category: str = "", query: str = "", severity: str = "") -> QuerySet[Rule]:
    """A version's rules in one category and severity (any, when not a known one) matching a search, in library
    order."""
    rules = ruleset.rules.all()
    if category in Category.values:
        rules = rules.filter(category=category)
    if severity in Severity.values:
        rules = rules.filter(severity=severity)
    if query:
        # terms and allow lists are JSON; a text search over their serialised form is enough here
        rules = rules.filter(
            Q(rule_id__icontains=query) | Q(terms__icontains=query) | Q(suggestion__icontains=query)
            | Q(explanation__icontains=query) | Q(allow__icontains=query)
        )
    return rules.order_by("category", "rule_id")


def ruleset_versions(*, platform: str, limit: int = 20) -> QuerySet[RuleSet]:
    """A platform's latest versions, newest first."""
    return RuleSet.objects.filter(platform=platform).order_by("-version")[:limit]


def open_draft(*, platform: str) -> RuleSet | None:
    """The platform's draft being edited, if any."""
    return RuleSet.objects.filter(platform=platform, status=RuleSet.Status.DRAFT).first()


IMPACT_JOB_KIND = "compliance.impact"


def ruleset_impact_jobs(*, draft_id: int) -> QuerySet[Job]:
    """The impact previews of one draft (their Job.result names it), newest first. Managers only: the
    caller checks the role."""
    return Job.objects.filter(kind=IMPACT_JOB_KIND, result__draft=draft_id).order_by("-created_at", "-pk")


def classifier_panel(*, ruleset: RuleSet) -> dict | None:
    """The version's clause classifier for the rule library page: its digest, its tuned figures per
    category, and the manager's switch per category on this platform (on unless switched off)."""
    if ruleset.classifier_id is None:
        return None
    sha, meta = ClassifierModel.objects.filter(pk=ruleset.classifier_id).values_list("sha256", "meta").get()
    off = set(
        ClassifierSwitch.objects.filter(platform=ruleset.platform, enabled=False).values_list("category", flat=True)
    )
    in_version = set(ruleset.rules.filter(detector="model", enabled=True).values_list("category", flat=True))
    # a model trained on train+dev carries out-of-fold figures ("cv"); one trained on train alone, dev figures
    dev = (meta or {}).get("cv") or (meta or {}).get("dev") or {}
    rows = []
    for code, label in Category.choices:
        figures = dev.get(code) or {}
        threshold = figures.get("threshold")
        rows.append({
            "category": code, "label": label, "enabled": code not in off, "in_version": code in in_version,
            "active": threshold is not None and threshold <= 1.0, "threshold": threshold,
            "precision": figures.get("precision"), "recall": figures.get("recall"),
        })
    return {"sha256": sha, "rows": rows}


def _platform_hits_between(*, platform: str, first: date, last: date) -> QuerySet[Hit]:
    """Hits of a platform's library (any version) on messages sent from `first` to `last` (local days)."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(first, time.min, tzinfo=zone)
    until = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return Hit.objects.filter(ruleset__platform=platform, sent_at__gte=since, sent_at__lt=until)


def rule_hit_trend(*, platform: str, first: date, last: date) -> dict[str, list[int]]:
    """Per severity, the platform library's hits on each day from `first` to `last` (by when the message was
    sent, so a re-scan does not move them), for the rule library's trend chart. One query."""
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    index = {day: n for n, day in enumerate(days)}
    counts = {severity: [0] * len(days) for severity in Severity.values}
    rows = (
        _platform_hits_between(platform=platform, first=first, last=last)
        .annotate(day=TruncDate("message__sent_at")).values("day", "severity").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        if row["severity"] in counts and row["day"] in index:
            counts[row["severity"]][index[row["day"]]] = row["n"]
    return counts


def rule_hit_counts(*, platform: str, rule_ids: list[str], first: date, last: date) -> dict[str, int]:
    """How often each of these rules hit from `first` to `last` (one query), for the library's table."""
    rows = (
        _platform_hits_between(platform=platform, first=first, last=last).filter(rule__in=rule_ids)
        .values("rule").annotate(n=Count("pk")).order_by()
    )
    return {row["rule"]: row["n"] for row in rows}
