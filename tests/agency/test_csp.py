"""Content-Security-Policy: scripts only from our own files, no inline script anywhere in our templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import ManagerFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JS_URL = re.compile(r"javascript:", re.IGNORECASE)


def our_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    return [p for p in base.rglob("*.html") if ".venv" not in p.parts and "var" not in p.parts]


def test_no_template_has_an_inline_script_or_event_handler():
    templates = our_templates()
    assert len(templates) > 50
    offenders = {
        str(p.relative_to(settings.BASE_DIR)): kind
        for p in templates
        for kind, pattern in (("inline <script>", INLINE_SCRIPT), ("on…= handler", EVENT_HANDLER), ("javascript: URL", JS_URL))
        if pattern.search(p.read_text(encoding="utf-8"))
    }
    assert offenders == {}


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_scripts(client):
    client.force_login(ManagerFactory())
    for url in ("/", "/login/", "/api/docs/"):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
        assert directives["script-src"] == "'self'", url
        assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
        assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
        assert "http" not in policy  # nothing from another origin
