"""`demo_data` (contracts §6): idempotent, the named users exist and can log in, refused with DEBUG off."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from clients.models import Merchant, Shop

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_data_is_idempotent_and_creates_the_named_users(settings):
    settings.DEBUG = True
    call_command("demo_data", verbosity=0)
    counts = (get_user_model().objects.count(), Merchant.objects.count(), Shop.objects.count())
    call_command("demo_data", verbosity=0)
    assert (get_user_model().objects.count(), Merchant.objects.count(), Shop.objects.count()) == counts

    users = get_user_model().objects
    for username in ["manager", "inspector", "agent01", "agent02", "merchant1", "merchant2"]:
        assert users.get(username=username).check_password(settings.DEMO_PASSWORD)
    first, second = users.get(username="merchant1").merchant, users.get(username="merchant2").merchant
    assert first != second
    assert len({s.platform for s in Shop.objects.all()}) >= 3
    assert first.shops.values("platform").distinct().count() >= 2


def test_demo_logins_work_on_the_page(settings):
    settings.DEBUG = True
    call_command("demo_data", verbosity=0)
    client = Client()
    response = client.post("/login/", {"username": "merchant1", "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302


def test_demo_data_is_refused_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_data", verbosity=0)
    assert not get_user_model().objects.filter(username="manager").exists()
