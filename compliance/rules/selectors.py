"""Reads of the rule library: versions and their rules, custom rules (scoped to the caller), impact previews."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agency.access import scope_by_merchant
from agency.models import Job, User
from compliance.rules.models import Category, CustomRule, Rule, RuleSet


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
