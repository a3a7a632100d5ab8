"""The session and violation lists stay cheap as the data grows: capped counts, the agent list read by a
skip scan, a violation page's messages fetched by id after the page is chosen (constant query count)."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine
from django.urls import reverse

from agency.pagination import CappedPaginator
from compliance.models import ChatMessage
from compliance.sessions.selectors import SessionFilter, agent_codes_visible_to, session_list, violation_list
from compliance.sessions.services.scanning import hit_for
from compliance.sessions.sessionfile import SHANGHAI
from tests.compliance.factories import RuleSetFactory
from tests.factories import ChatMessageFactory, ChatSessionFactory

START = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


def _messages(shop, codes: list[str], *, hits: int = 0) -> None:
    ruleset = RuleSetFactory(platform=shop.platform)
    for i, code in enumerate(codes):
        session = ChatSessionFactory(shop=shop, external_id=f"{shop.code}-s{i}", started_at=START + timedelta(minutes=i),
                                     ended_at=START + timedelta(minutes=i, seconds=30))
        ChatMessageFactory(session=session, sender="buyer", text="在吗", sent_at=session.started_at)
        message = ChatMessageFactory(session=session, sender="agent", agent_code=code, text="加我微信吧",
                                     sent_at=session.started_at + timedelta(seconds=20))
        if i < hits:
            ChatMessage.objects.filter(pk=message.pk).update(scanned_ruleset=ruleset)
            hit_for(message=message, ruleset=ruleset, hit={
                "rule": "op.weixin", "category": "other_platform", "severity": "violation", "start": 2, "end": 4,
                "matched": "微信",
            }).save()


def test_capped_paginator_counts_up_to_the_cap(tenants):
    _messages(tenants[0].shop, ["a01"] * 7)
    sessions = ChatMessage.objects.filter(shop=tenants[0].shop).order_by("pk")
    capped = CappedPaginator(sessions, 2, cap=5)
    assert capped.count == 5 and capped.count_is_capped and capped.num_pages == 3
    exact = CappedPaginator(sessions, 2, cap=50)
    assert exact.count == 14 and not exact.count_is_capped


def test_merchant_agent_list_names_only_agents_of_their_own_shops(tenants):
    mine, theirs = tenants
    _messages(mine.shop, ["a03", "a01", "a03", "a02"])
    _messages(theirs.shop, ["a09", "a01"])
    assert agent_codes_visible_to(user=mine.user) == ["a01", "a02", "a03"]
    assert agent_codes_visible_to(user=theirs.user) == ["a01", "a09"]


def test_violation_page_query_count_does_not_grow_with_the_rows(client, tenants, django_assert_max_num_queries):
    mine = tenants[0]
    _messages(mine.shop, ["a01"] * 3, hits=3)
    client.force_login(mine.user)
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse("compliance:violation-list")).status_code == 200
    _messages(mine.shop.__class__.objects.create(merchant=mine.shop.merchant, code="more", name="更多", platform="pdd"),
              ["a02"] * 30, hits=30)
    with django_assert_max_num_queries(40) as large:
        response = client.get(reverse("compliance:violation-list"))
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(violation_list(user=mine.user)) == 33


def test_a_search_counts_only_up_to_the_next_page(client, tenants, monkeypatch):
    from compliance.sessions import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _messages(tenants[0].shop, ["a01"] * 7)
    client.force_login(tenants[0].user)
    with time_machine.travel(START + timedelta(days=3), tick=False):
        page = client.get(reverse("compliance:session-list"), {"q": "微信"}).content.decode()
        assert "4+ 个会话（搜索只数到下一页）" in page  # page 1 of 2 per page: counted as far as page 2
        page = client.get(reverse("compliance:session-list"), {"q": "微信", "page": 3}).content.decode()
        assert "共 7 个会话" in page  # on page 3 the count (cap 8) reaches the end
        assert "+ 个会话" not in client.get(reverse("compliance:session-list")).content.decode()


def test_a_capped_list_says_how_far_it_counted_in_either_language(client, tenants, monkeypatch):
    from compliance.sessions import views

    _messages(tenants[0].shop, ["a01"] * 3)
    client.force_login(tenants[0].user)
    url = reverse("compliance:session-list")
    monkeypatch.setattr(views, "COUNT_CAP", 2)
    assert "2+ 个会话（只数到 2 个，请缩小筛选范围）" in client.get(url).content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2+ sessions (counted up to 2: narrow the filter to count them all)" in english


def test_a_text_search_without_dates_reads_the_last_30_days_and_says_so(client, tenants):
    shop, user = tenants[0].shop, tenants[0].user
    _messages(shop, ["a01"] * 2)  # sessions of 2026-11-02
    client.force_login(user)
    url = reverse("compliance:session-list")

    def found(params: dict) -> set[str]:
        return {s.external_id for s in client.get(url, params).context["page"].object_list}

    with time_machine.travel(START + timedelta(days=29), tick=False):  # 2026-12-01: the 2nd is the 30th day
        assert found({"q": "微信"}) == {f"{shop.code}-s0", f"{shop.code}-s1"}
        page = client.get(url, {"q": "微信"}).content.decode()
        assert "内容搜索只查最近 30 天（2026-11-02 至 2026-12-01）开始的会话" in page
    with time_machine.travel(START + timedelta(days=31), tick=False):
        assert found({"q": "微信"}) == set()
        # a date range searches that range; a session id or a buyer is found at any date
        assert found({"q": "微信", "date_from": "2026-11-01", "date_to": "2026-11-30"}) == {
            f"{shop.code}-s0", f"{shop.code}-s1"}
        assert "search-window" not in client.get(url, {"q": "微信", "date_from": "2026-11-01"}).content.decode()
        assert found({"q": f"{shop.code}-s1"}) == {f"{shop.code}-s1"}
        assert "search-window" not in client.get(url).content.decode()  # no search, no window
        page = client.get(url, {"q": "微信"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "only the sessions that started in the last 30 days (2026-11-04 to 2026-12-03)" in page


def test_a_text_search_with_a_limit_finds_the_newest_matches_across_its_stretches(tenants, django_assert_max_num_queries):
    shop, user = tenants[0].shop, tenants[0].user
    ruleset = RuleSetFactory(platform=shop.platform)
    # One matching session a day over 20 days (the 1st of them on day 0 = 2026-11-02), a non-matching one
    # each day too; days 5 and 12 have a hit in their matching session.
    for day in range(20):
        at = START + timedelta(days=day)
        match = ChatSessionFactory(shop=shop, external_id=f"match-{day}", started_at=at, ended_at=at + timedelta(minutes=5))
        message = ChatMessageFactory(session=match, text="亲，快递柜取一下", sent_at=at)
        other = ChatSessionFactory(shop=shop, external_id=f"other-{day}", started_at=at + timedelta(hours=1),
                                   ended_at=at + timedelta(hours=1, minutes=5))
        ChatMessageFactory(session=other, text="好的谢谢", sent_at=other.started_at)
        if day in (5, 12):
            ChatMessage.objects.filter(pk=message.pk).update(scanned_ruleset=ruleset)
            hit_for(message=message, ruleset=ruleset, hit={
                "rule": "x", "category": "other_platform", "severity": "violation", "start": 3, "end": 6,
                "matched": "快递柜"}).save()

    def found(limit, **filters) -> list[str]:
        wanted = SessionFilter(q="快递柜", search_days=30, **filters)
        return list(session_list(user=user, filters=wanted, limit=limit).values_list("external_id", flat=True))

    with time_machine.travel(START + timedelta(days=19, hours=12), tick=False):
        # the newest 5 come from the stretches of 1, 2 and 4 days back (queries: shops, name probe, 3 stretches,
        # the list)
        with django_assert_max_num_queries(7):
            assert found(5) == [f"match-{d}" for d in (19, 18, 17, 16, 15)]
        assert found(100) == [f"match-{d}" for d in range(19, -1, -1)]  # the whole window when fewer exist
        assert found(100, with_hits=True) == ["match-12", "match-5"]
        assert found(1, with_hits=True) == ["match-12"]
        assert found(3, date_from=START.date(), date_to=(START + timedelta(days=6)).date()) == [
            "match-6", "match-5", "match-4"]


def test_a_search_over_a_very_long_range_or_a_reversed_one_answers(client, tenants):
    _messages(tenants[0].shop, ["a01"] * 2)
    client.force_login(tenants[0].user)
    url = reverse("compliance:session-list")
    with time_machine.travel(START + timedelta(days=3), tick=False):
        page = client.get(url, {"q": "微信", "date_from": "0100-01-01"})
        assert page.status_code == 200 and len(page.context["page"].object_list) == 2
        page = client.get(url, {"q": "微信", "date_from": "2026-11-20", "date_to": "2026-11-01"})
        assert page.status_code == 200 and len(page.context["page"].object_list) == 0
