"""Fixtures shared by the compliance tests."""

from __future__ import annotations

import pytest

from compliance.rules.models import RuleSet
from compliance.rules.services import ruleset_load_shipped


@pytest.fixture
def shipped_library(db) -> list[RuleSet]:
    """The shipped rule library loaded as published versions, as `manage.py load_rules` (or `demo_data`) does
    on a real site: reading the library's pages never loads it."""
    return ruleset_load_shipped()
