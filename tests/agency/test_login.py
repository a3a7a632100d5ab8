"""Session login: a generic message for wrong credentials, lockout after repeated failures, cool-off."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, ManagerFactory


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
