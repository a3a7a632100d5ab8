"""Training material from the rule library: staffing's platform-rule courses ask "which reply breaks the
rules?" and take their violating examples from here (staffing may not import compliance, so compliance
registers this source with `staffing.training.training_sources.register_rule_source` at start-up).

Each example is a short reply built around one of the rule's words and kept only if the published rule
set really flags it under that rule: a question can never claim a reply is a violation that the scanner
would let through.
"""

from __future__ import annotations

from compliance.rules.models import Rule
from compliance.rules.services import active_ruleset, ruleset_load_shipped, scanner_for
from staffing.training.training_sources import RuleFact

MAX_FACTS_PER_PLATFORM = 40

# Where a rule's word sits in a plausible agent reply, per category.
TEMPLATES = {
    "absolute_claim": "亲，这款是{term}的，您放心购买。",
    "other_platform": "亲，您也可以去{term}上看看，我们那边也有。",
    "off_platform_trade": "亲，我们可以{term}，这样更方便。",
    "review_inducement": "亲，{term}，收到货记得给五星哦。",
    "abuse": "{term}，说明写得清清楚楚。",
    "forbidden_phrase": "{term}",
    "commitment_breach": "亲，{term}，请您谅解。",
    "contact_info": "亲，{term}，有问题直接联系。",
}


def rule_facts_for_training(platform: str) -> list[RuleFact]:
    """Up to MAX_FACTS_PER_PLATFORM violating examples from the platform's published rules, one per rule."""
    ruleset = active_ruleset(platform=platform)
    if ruleset is None:
        ruleset_load_shipped()
        ruleset = active_ruleset(platform=platform)
    if ruleset is None:
        return []
    _version, scanner = scanner_for(platform=platform)
    candidates: list[tuple[Rule, str, str]] = []
    for rule in Rule.objects.filter(ruleset=ruleset, enabled=True).exclude(terms=[]).order_by("category", "rule_id"):
        term = str(rule.terms[0])
        template = TEMPLATES.get(rule.category)
        if template and term:
            candidates.append((rule, term, template.format(term=term)))
    results = scanner.scan_many([example for _rule, _term, example in candidates])
    facts: list[RuleFact] = []
    per_category: dict[str, int] = {}
    share = max(1, MAX_FACTS_PER_PLATFORM // max(1, len(TEMPLATES)))
    for (rule, term, example), hits in zip(candidates, results, strict=True):
        if not any(hit["rule"] == rule.rule_id for hit in hits):
            continue
        if per_category.get(rule.category, 0) >= share:
            continue
        per_category[rule.category] = per_category.get(rule.category, 0) + 1
        facts.append(RuleFact(platform, rule.rule_id, rule.category, term, example, rule.suggestion))
    return facts[:MAX_FACTS_PER_PLATFORM]
