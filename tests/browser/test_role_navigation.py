"""Each role logs in through the real form in Chromium and sees its own navigation."""

import pytest

from tests.factories import PASSWORD, AgentFactory, InspectorFactory, ManagerFactory, MerchantUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED = {
    "manager": ({"dashboard", "shops", "jobs", "api-docs"}, set()),
    "inspector": ({"dashboard", "shops", "jobs"}, {"api-docs"}),
    "agent": ({"dashboard"}, {"shops", "jobs", "api-docs"}),
    "merchant": ({"dashboard", "shops"}, {"jobs", "api-docs"}),
}


@pytest.mark.parametrize("role", list(EXPECTED))
def test_role_logs_in_and_sees_its_navigation(page, login, role):
    factory = {"manager": ManagerFactory, "inspector": InspectorFactory, "agent": AgentFactory,
               "merchant": MerchantUserFactory}[role]
    factory(username=f"b-{role}")
    login(f"b-{role}", PASSWORD)
    assert page.locator(f".whoami[data-role={role}]").is_visible()
    keys = set(page.locator(".sidebar a").evaluate_all("els => els.map(e => e.dataset.nav)"))
    present, absent = EXPECTED[role]
    assert present <= keys, keys
    assert not (absent & keys), keys


def test_wrong_password_shows_generic_message(page, db):
    ManagerFactory(username="b-wrong")
    page.goto("/login/")
    page.fill("input[name=username]", "b-wrong")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "用户名或密码不正确" in page.locator("p.error").inner_text()


def test_language_switch_to_english(page, login):
    ManagerFactory(username="b-lang")
    login("b-lang", PASSWORD)
    with page.expect_navigation():  # the select submits its form; wait for that page, not the current one
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator(".sidebar a[data-nav=dashboard]").inner_text() == "Dashboard"


def test_pages_and_api_docs_run_under_the_content_security_policy(page, login):
    """No inline script is blocked and no resource refused: the console reports no CSP violation on the
    dashboard (language switch by app.js) and on the Swagger UI, whose start-up script is a file."""
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    ManagerFactory(username="b-csp")
    login("b-csp", PASSWORD)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=20_000)
    page.goto("/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator(".sidebar a[data-nav=dashboard]").inner_text() == "Dashboard"
    assert violations == []
