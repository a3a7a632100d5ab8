"""The pre-send check: one reply scanned with a platform's active rules (and a shop's own), the hits
explained and the text cut into plain and hit segments for the page."""

from __future__ import annotations

from typing import Any

from clients.models import Shop
from compliance.rules.models import Category, Severity
from compliance.rules.services import scanner_for


def highlight(text: str, hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The text cut into plain and hit segments (overlapping hits: the first one wins)."""
    segments: list[dict[str, Any]] = []
    pos = 0
    for hit in sorted(hits, key=lambda h: (h["start"], -h["end"])):
        if hit["start"] < pos:
            continue
        if hit["start"] > pos:
            segments.append({"text": text[pos : hit["start"]], "hit": None})
        segments.append({"text": text[hit["start"] : hit["end"]], "hit": hit})
        pos = hit["end"]
    if pos < len(text):
        segments.append({"text": text[pos:], "hit": None})
    return segments


def reply_check(*, text: str, platform: str, shop: Shop | None = None) -> dict[str, Any]:
    """Scan `text` as an agent's reply on `platform` (with `shop`'s and its merchant's own rules). Returns
    the page's context: hits (each with its rule's explanation and category label), segments, the version."""
    ruleset, scanner = scanner_for(platform=platform, shop=shop)
    hits = scanner.scan(text) if text else []
    reasons = {
        rule_id: (explanation, platform_rule, penalty)
        for rule_id, explanation, platform_rule, penalty in ruleset.rules.filter(
            rule_id__in={h["rule"] for h in hits}
        ).values_list("rule_id", "explanation", "platform_rule", "penalty")
    }
    category_labels, severity_labels = dict(Category.choices), dict(Severity.choices)
    for hit in hits:
        # the rule's own explanation, the platform rule it breaks and its penalty; the classifier's hits
        # (rule ml.<category>) are explained the same way and also carry their confidence
        hit["explanation"], hit["platform_rule"], hit["penalty"] = reasons.get(hit["rule"], ("", "", ""))
        hit["category_label"] = category_labels.get(hit["category"], hit["category"])
        hit["by_model"] = "confidence" in hit
        hit["severity_label"] = severity_labels.get(hit["severity"], hit["severity"])
    return {"hits": hits, "segments": highlight(text, hits), "text": text, "ruleset": ruleset, "shop": shop}
