"""One language per page, and forms that refuse nonsense (issue 15).

On the full demo data set, every role opens every page it can reach (the navigation and the links of every
page, a few pages of each kind of URL) in Chinese and in English: a Chinese page shows no English word and an
English page no Chinese, outside the data the page shows (names, messages, products; `tests/language.py`
says what counts as data). Then every POST form those pages offer is sent malformed values in every field:
the answer is the form again with its messages, a refusal or a redirect, never a server error.
"""

from __future__ import annotations

import collections
import re

import pytest
from django.core.management import call_command
from django.test import Client

from agency.models import User
from tests.language import MALFORMED, DataWords, data_texts, foreign_words, page_pattern, post_forms

LINK = re.compile(r'href="(/[^"#]*)"')
SKIP = ("/static/", "/admin/", "/logout/", "/api/", "/i18n/", "/media/")
ROLES = ["manager", "inspector", "agent01", "merchant1", "merchant2"]
PER_KIND = 2  # pages opened per kind of URL (the same view with another id renders the same strings)

def crawl(username: str, language: str, visit) -> dict[str, int]:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(User.objects.get(username=username))
    queue, seen, kinds = ["/"], {"/"}, collections.Counter()
    statuses: dict[str, int] = {}
    while queue:
        url = queue.pop(0)
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        visit(client, url, html)
        for match in LINK.finditer(html):
            link = match.group(1).replace("&amp;", "&")
            kind = page_pattern(link.split("?")[0]) + ("?" if "?" in link else "")
            if link.startswith(SKIP) or link in seen or kinds[kind] >= PER_KIND:
                continue
            kinds[kind] += 1
            seen.add(link)
            queue.append(link)
    return statuses


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("demo_data", verbosity=0)
    settings.DEBUG = False


@pytest.mark.slow
def test_every_page_as_every_role_speaks_one_language(demo):
    data = DataWords(data_texts())
    found: dict[tuple[str, str], set[str]] = collections.defaultdict(set)
    for username in ROLES:
        for language in ("zh-hans", "en"):

            def visit(client, url, html, username=username, language=language):
                for word in foreign_words(html, language, data):
                    found[(language, word)].add(f"{username} {page_pattern(url.split('?')[0])}")

            statuses = crawl(username, language, visit)
            assert len([s for s in statuses.values() if s == 200]) >= 8, (username, statuses)
            assert not [u for u, s in statuses.items() if s >= 500], statuses
    assert not found, "\n".join(f"{k[0]} {k[1]!r}: {', '.join(sorted(v)[:4])}" for k, v in sorted(found.items()))


def _malformed(form: dict, value: str) -> dict[str, str]:
    data: dict[str, str] = {}
    for name, field in form["fields"].items():
        if name == "csrfmiddlewaretoken" or field["type"] == "file":
            continue
        if field["type"] in ("hidden", "submit"):
            data[name] = field["value"]
        elif field["type"] == "select":
            data[name] = value if value else (field["options"] or [""])[-1]
        elif field["type"] in ("checkbox", "radio"):
            data[name] = value or field["value"] or "on"
        else:
            data[name] = value
    return data


@pytest.mark.slow
def test_malformed_values_in_every_form_never_answer_a_server_error(demo):
    failures: list[str] = []
    for username in ROLES:
        forms: dict[str, tuple[str, dict]] = {}

        def visit(client, url, html, forms=forms):
            for form in post_forms(html):
                action = form["action"].replace("&amp;", "&") or url
                if action.startswith(("/logout", "/i18n")):
                    continue
                forms.setdefault(page_pattern(action.split("?")[0]) + "|" + ",".join(sorted(form["fields"])),
                                 (action, form))

        crawl(username, "zh-hans", visit)
        assert forms or username.startswith("merchant2"), username
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        for action, form in forms.values():
            for value in MALFORMED:
                response = client.post(action, _malformed(form, value))
                if response.status_code >= 500:
                    failures.append(f"{username} {action} {value!r}: {response.status_code}")
                    break
    assert not failures, "\n".join(failures)
