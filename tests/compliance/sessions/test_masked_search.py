"""Search never confirms what a page masks: a merchant searching a buyer's full number finds nothing, the
masked form as pages show it finds the session, and ordinary words are found as before."""

from __future__ import annotations

import pytest

from compliance.masking import mask_text
from compliance.sessions import selectors
from compliance.sessions.models import Sender
from compliance.sessions.selectors import SessionFilter, session_list
from tests.factories import ChatMessageFactory, ChatSessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chats(tenants):
    one, two = tenants
    phone = ChatSessionFactory(shop=one.shop, external_id="with-phone")
    ChatMessageFactory(session=phone, sender=Sender.BUYER, text="我的电话13800138000，尽快发货")
    spelled = ChatSessionFactory(shop=one.shop, external_id="spelled")
    ChatMessageFactory(session=spelled, sender=Sender.BUYER, text="打一三八 零零一三 八零零零吧")
    plain = ChatSessionFactory(shop=one.shop, external_id="order")
    ChatMessageFactory(session=plain, text="订单号 20261101 已发货")
    other = ChatSessionFactory(shop=two.shop, external_id="other-merchant")
    ChatMessageFactory(session=other, sender=Sender.BUYER, text="电话13800138000")
    return one, two


def _found(user, q: str) -> set[str]:
    return set(session_list(user=user, filters=SessionFilter(q=q)).values_list("external_id", flat=True))


def test_a_full_number_finds_nothing_the_page_masks(chats):
    one, _two = chats
    assert mask_text("13800138000") == "138****8000"
    assert _found(one.user, "13800138000") == set()
    assert _found(one.user, "0013800") == set()  # the hidden middle digits
    assert _found(one.user, "一三八 零零一三") == set()  # written in Chinese numerals


def test_the_masked_form_and_the_visible_ends_find_it(chats, manager):
    one, _two = chats
    assert _found(one.user, "138****8000") == {"with-phone"}
    assert _found(one.user, "8000，尽快") == {"with-phone"}
    assert _found(manager, "138****8000") == {"with-phone", "other-merchant"}  # staff see every merchant
    assert _found(manager, "13800138000") == set()  # and no role sees the number in clear


def test_ordinary_words_and_unmasked_numbers_are_found_as_before(chats):
    one, _two = chats
    assert _found(one.user, "尽快发货") == {"with-phone"}
    assert _found(one.user, "20261101") == {"order"}  # an order number is not masked, so it is searchable
    assert _found(one.user, "with-phone") == {"with-phone"}


def test_candidates_are_bounded(chats, monkeypatch):
    one, _two = chats
    monkeypatch.setattr(selectors, "MASKED_SEARCH_CANDIDATES", 1)
    assert _found(one.user, "138****8000") == {"with-phone"}
