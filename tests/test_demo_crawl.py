"""Every page a demo user can reach from the navigation renders: log in as each demo role on the full demo
data set, open every navigation entry and every same-site link on those pages (one level deep), and
require no server error anywhere. In English too, so no page breaks in the second language."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agency.models import User
from tests.factories import ManagerFactory

LINK = re.compile(r'href="(/[^"#?]*)(?:\?[^"#]*)?"')
SKIP = ("/static/", "/admin/", "/logout/", "/api/docs", "/api/redoc", "/i18n/")
WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"?([a-z_0-9]+)"?', re.IGNORECASE)
# Writes a GET may make: the login session itself, and the audit line of staff viewing a buyer's data (PIPL).
ALLOWED_WRITES = {"django_session", "agency_auditevent"}


def links_of(html: str) -> set[str]:
    return {m.group(1) for m in LINK.finditer(html) if not m.group(1).startswith(SKIP)}


@pytest.mark.slow
def test_every_reachable_page_renders_for_every_demo_role(db, settings):
    settings.DEBUG = True
    call_command("demo_data", verbosity=0)
    settings.DEBUG = False
    problems: dict[str, dict[str, int]] = {}
    for username in ["manager", "inspector", "agent01", "merchant1", "merchant2"]:
        for language in ["zh-hans", "en"]:
            seen = crawl(username, language)
            errors = {url: code for url, code in seen.items() if code >= 500}
            if errors:
                problems[f"{username}/{language}"] = errors
            assert len([u for u, c in seen.items() if c == 200]) >= 4, (username, seen)
            if username.startswith("merchant"):
                other = "m-qingshan" if username == "merchant1" else "m-lanxin"
                leaked = [url for url in seen if other in urlparse(url).path]
                assert not leaked, leaked
    assert not problems, problems


def test_no_page_writes_on_a_get_even_on_an_empty_database(db):
    """Opening a page never seeds data or changes anything: on a fresh database (no demo data, nothing but
    what migrations ship) a manager walks every page they can reach and no GET writes a row."""
    manager = ManagerFactory(username="fresh-manager")
    writes: dict[str, set[str]] = {}
    seen = crawl(manager.username, "zh-hans", writes=writes)
    assert len([u for u, c in seen.items() if c == 200]) >= 10, seen
    assert not writes, writes


def crawl(username: str, language: str, writes: dict[str, set[str]] | None = None) -> dict[str, int]:
    """GET every page reachable from the navigation and one link deep; with `writes`, record per URL the
    tables any GET wrote to (beyond the session)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))

    def get(url: str):
        if writes is None:
            return client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        tables = {m.group(2).lower() for q in queries.captured_queries if (m := WRITE.match(q["sql"]))}
        if tables - ALLOWED_WRITES:
            writes[url] = tables - ALLOWED_WRITES
        return response

    home = get("/")
    assert home.status_code == 200
    frontier = {item["url"] for item in home.context["nav_items"]} | links_of(home.content.decode())
    seen: dict[str, int] = {"/": 200}
    for url in sorted(frontier):
        response = get(url)
        seen[url] = response.status_code
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            for link in links_of(response.content.decode()):
                if link not in seen and link not in frontier and len(seen) < 300:
                    seen[link] = get(link).status_code
    return seen
