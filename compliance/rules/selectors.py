"""Reads of the rule library: versions and their rules, custom rules (scoped to the caller), impact previews."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agency.access import scope_by_merchant
from agency.models import Job, User
from compliance.rules.models import Category, ClassifierModel, ClassifierSwitch, CustomRule, Rule, RuleSet


def custom_rules_visible_to(*, user: User) -> QuerySet[CustomRule]:
    """A merchant's own rules (their merchant-wide and shop rules); staff see every merchant's."""
    return scope_by_merchant(CustomRule.objects.select_related("merchant", "shop"), user=user)


def ruleset_rules(*, ruleset: RuleSet, category: str = "", query: str = "") -> QuerySet[Rule]:
    """A version's rules in one category (any, when not a known one) matching a search, in library order."""
    rules = ruleset.rules.all()
    if category in Category.values:
        rules = rules.filter(category=category)
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
