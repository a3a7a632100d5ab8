"""Shared fixtures: two merchants in every tenancy test, each role's user, API clients, a real browser.

A test that needs a real service (PostgreSQL, the broker, Chromium) calls `require_service`: under CI
(`CI=true`) a missing service fails the test, on a developer's machine it skips with the reason shown.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import (
    AgentFactory,
    InspectorFactory,
    ManagerFactory,
    MerchantFactory,
    MerchantUserFactory,
    ShopFactory,
)

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

# The time-bomb guard: `TEST_CLOCK_SHIFT_DAYS=365 make test` runs the whole suite with this process's clock
# (and so the live server's, which runs in a thread of it) moved a year ahead, still ticking. A test that
# builds data on a fixed date and reads it through "the last 30 days" fails here long before the calendar
# catches up with it. Tests that need a particular "now" freeze it themselves (`time_machine.travel`),
# which wins over this shift.
CLOCK_SHIFT_DAYS = int(os.environ.get("TEST_CLOCK_SHIFT_DAYS", "0") or 0)
_clock_shift = None


def pytest_configure(config):
    global _clock_shift
    if CLOCK_SHIFT_DAYS:
        import datetime as dt

        import time_machine

        target = dt.datetime.now(dt.UTC) + dt.timedelta(days=CLOCK_SHIFT_DAYS)
        _clock_shift = time_machine.travel(target, tick=True)
        _clock_shift.start()


def pytest_unconfigure(config):
    if _clock_shift is not None:
        _clock_shift.stop()


def pytest_report_header(config):
    if CLOCK_SHIFT_DAYS:
        import datetime as dt

        return f"clock shifted {CLOCK_SHIFT_DAYS} days ahead: now is {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
    return None


def require_service(available: bool, reason: str) -> None:
    """Fail under CI, skip elsewhere, when a real service a test needs is not there."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database is built from the models (no migrations): on PostgreSQL, partition the message
    table by month and add the search index as the migrations do, so that every test runs against the table
    production has."""
    from compliance.sessions.services.partitions import messages_search_index_ensure, messages_table_partition

    with django_db_blocker.unblock():
        messages_table_partition()
        messages_search_index_ensure()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English (LocaleMiddleware) leaves English active in the thread; the next test, which
    checks a Chinese message, would see English. Every test starts and ends in the default language."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit tests run tasks inline; the broker tests start a real worker and switch this off."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from agency.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@dataclass
class Tenant:
    merchant: object
    shop: object
    user: object


@pytest.fixture
def tenants(db) -> tuple[Tenant, Tenant]:
    """Two merchants, each with one shop and one merchant user."""
    result = []
    for n, platform in ((1, "pdd"), (2, "jd")):
        merchant = MerchantFactory(code=f"tenant-{n}", name=f"租户商家{n}")
        shop = ShopFactory(merchant=merchant, code=f"tenant-shop-{n}", name=f"租户店铺{n}", platform=platform)
        user = MerchantUserFactory(username=f"tenant-user-{n}", merchant=merchant)
        result.append(Tenant(merchant, shop, user))
    return result[0], result[1]


@pytest.fixture
def manager(db):
    return ManagerFactory(username="t-manager")


@pytest.fixture
def inspector(db):
    return InspectorFactory(username="t-inspector")


@pytest.fixture
def agent(db):
    return AgentFactory(username="t-agent", code="a99")


@pytest.fixture
def api_client_for():
    """api_client_for(user) -> an APIClient that sends that user's token."""

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture(scope="session")
def browser():
    require_service(shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM), f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    """login(username, password) through the real login form."""

    def do(username: str, password: str) -> None:
        page.goto("/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")

    return do

