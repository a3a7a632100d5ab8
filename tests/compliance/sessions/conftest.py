"""Support for the session/scanning tests: a RuleSet factory, `WordScanner` (a scanner with exactly known
behaviour, same `scan_many` contract as the engine) and the `library` fixture that puts it in place of
the rule library. Test modules import the fixtures they use from here."""

from __future__ import annotations

import factory
import pytest
from django.utils import timezone

from compliance.models import RuleSet
from compliance.services import scanning

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


class Library:
    """Stands in for the rule library: one published version per platform, switchable like publishing."""

    def __init__(self):
        self.version = 1
        self.scanner = WordScanner()

    def __call__(self, *, platform, shop):
        return RuleSetFactory(platform=platform, version=self.version), self.scanner


@pytest.fixture
def library(monkeypatch):
    lib = Library()
    monkeypatch.setattr(scanning, "default_scanner_factory", lib)
    return lib


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The tenants fixture hashes several passwords; PBKDF2 would dominate these tests' time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
