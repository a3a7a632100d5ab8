"""Session login: a generic message for wrong credentials, lockout after repeated failures, cool-off."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, ManagerFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Dozens of logins per test: PBKDF2 would dominate the time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return ManagerFactory(username="zhou")


def post_login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7")


def test_correct_password_logs_in(client, user):
    response = post_login(client, "zhou", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


@pytest.mark.parametrize("username", ["zhou", "nobody"])
def test_wrong_credentials_get_the_same_generic_message(client, user, username):
    response = post_login(client, username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_lockout_after_repeated_failures_then_unlock_after_cool_off(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "zhou", "wrong-password")
    locked = post_login(client, "zhou", PASSWORD)
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()

    # The cool-off passes: the failures are now older than AXES_COOLOFF_TIME.
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    unlocked = post_login(client, "zhou", PASSWORD)
    assert unlocked.status_code == 302


def test_lockout_page_speaks_english_when_asked(client, user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "zhou", "wrong-password")
    response = client.post(
        reverse("login"), {"username": "zhou", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Too many failed logins" in response.content.decode()


def test_pages_need_login(client, db):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_lockout_runs_from_the_failure_that_locked_and_further_attempts_do_not_restart_it(
    client, user, settings, time_machine
):
    """Issue 12: every attempt during a lockout restarted it, so anyone could keep a user locked out."""
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "zhou", "wrong-password")
    cool_off = settings.AXES_COOLOFF_TIME
    # Someone keeps trying through the lockout, right up to its last minute.
    for minute in range(1, int(cool_off.total_seconds() // 60)):
        time_machine.move_to(start + timedelta(minutes=minute), tick=False)
        locked = post_login(client, "zhou", "wrong-password")
        assert locked.status_code == 429
        assert int(locked["Retry-After"]) == int((cool_off - timedelta(minutes=minute)).total_seconds())
    time_machine.move_to(start + cool_off + timedelta(seconds=1), tick=False)
    assert post_login(client, "zhou", PASSWORD).status_code == 302


def test_password_spraying_from_one_address_is_limited_across_users(client, db, settings):
    """Failures for many usernames from one address lock the address, even for a user with no failure of
    their own and the right password; another address is unaffected."""
    ManagerFactory(username="innocent")
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        response = post_login(client, f"guess-{n}", "Password1")
        assert response.status_code == 200, n  # each username stays under its own limit
    assert post_login(client, "guess-last", "Password1").status_code == 429  # the address's limit
    locked = post_login(client, "innocent", PASSWORD)
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 0
    other = client.post(reverse("login"), {"username": "innocent", "password": PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert other.status_code == 302


def test_one_success_does_not_reset_the_address_count(client, user, settings):
    for n in range(settings.AXES_ADDRESS_FAILURE_LIMIT - 1):
        post_login(client, f"guess-{n}", "Password1")
    assert post_login(client, "zhou", PASSWORD).status_code == 302  # the sprayer's own account
    client.logout()
    assert post_login(client, "guess-x", "Password1").status_code == 429


def test_the_api_answers_a_lockout_with_json_429_and_retry_after(db, user, settings):
    from rest_framework.test import APIClient

    api = APIClient(REMOTE_ADDR="10.0.0.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert api.post("/api/auth/token/", {"username": "zhou", "password": "nope"}).status_code == 400
    assert api.post("/api/auth/token/", {"username": "zhou", "password": "nope"}).status_code == 429
    response = api.post("/api/auth/token/", {"username": "zhou", "password": PASSWORD})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert 0 < int(response["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()
