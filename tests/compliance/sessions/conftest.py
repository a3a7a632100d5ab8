"""Support for the session/scanning tests: the `library` fixture that puts `WordScanner` (a scanner with
exactly known behaviour, from `tests.compliance.factories`) in place of the rule library."""

from __future__ import annotations

import pytest

from compliance.sessions.services import scanning
from tests.compliance.factories import RuleSetFactory, WordScanner


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
