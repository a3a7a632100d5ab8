"""The access layer: one place decides what each role may see."""

import pytest
from django.http import Http404

from agency.access import get_visible_or_404, merchant_ids_visible_to, scope_by_merchant
from clients.models import Shop
from tests.factories import MerchantUserFactory


def test_staff_see_all_merchants(manager, inspector):
    assert merchant_ids_visible_to(user=manager) is None
    assert merchant_ids_visible_to(user=inspector) is None


def test_merchant_user_sees_own_merchant_only(tenants):
    mine, other = tenants
    assert merchant_ids_visible_to(user=mine.user) == {mine.merchant.pk}
    scoped = scope_by_merchant(Shop.objects.all(), user=mine.user)
    assert list(scoped) == [mine.shop]
    with pytest.raises(Http404):
        get_visible_or_404(scoped, pk=other.shop.pk)


def test_agent_sees_no_merchant_rows_by_default(agent, tenants):
    assert scope_by_merchant(Shop.objects.all(), user=agent).count() == 0


def test_merchant_user_must_have_a_merchant(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MerchantUserFactory(username="orphan", merchant=None)


def test_garbage_id_is_404_not_500(tenants):
    mine, _ = tenants
    with pytest.raises(Http404):
        get_visible_or_404(scope_by_merchant(Shop.objects.all(), user=mine.user), pk="not-a-number")
