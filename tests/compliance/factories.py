"""Test data of the compliance app: rule-set versions, and `WordScanner`, a scanner with exactly known
behaviour (same `scan_many` contract as the engine). Sessions, messages, shops and users come from the shared
`tests.factories`."""

from __future__ import annotations

import factory
from django.utils import timezone

from compliance.models import RuleSet

WORDS = {
    "微信": ("other_platform", "severe", None),
    "最好": ("absolute_claim", "violation", "很好"),
    "好评返现": ("review_inducement", "severe", "为了感谢您的支持，特意给您申请了优惠"),
}


class RuleSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RuleSet
        django_get_or_create = ("platform", "version")

    platform = "pdd"
    version = 1
    status = RuleSet.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class WordScanner:
    """Finds each word of `words` in agent messages (buyer messages: nothing)."""

    def __init__(self, words: dict | None = None):
        self.words = words or WORDS
        self.calls = 0

    def scan_many(self, texts: list[str], roles: list[str]) -> list[list[dict]]:
        self.calls += 1
        out = []
        for text, role in zip(texts, roles, strict=True):
            hits = []
            if role == "agent":
                for word, (category, severity, suggestion) in self.words.items():
                    start = text.find(word)
                    while start >= 0:
                        hits.append({
                            "category": category, "rule": f"test.{category}", "start": start,
                            "end": start + len(word), "matched": word, "severity": severity,
                            "suggestion": suggestion,
                        })
                        start = text.find(word, start + 1)
            out.append(hits)
        return out
