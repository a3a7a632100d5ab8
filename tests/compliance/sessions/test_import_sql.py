"""The CSV import's PostgreSQL fast path (`compliance.sessions.services.csv_sql`): it imports clean files exactly as
the Python validator would, and hands every file it cannot vouch for back to the validator, untouched."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection

from compliance.models import ChatMessage, ChatSession
from compliance.sessions.services.csv_sql import csv_load
from compliance.sessions.services.importing import SessionImportError, sessions_import_file
from compliance.sessions.sessionfile import SHANGHAI
from tests.factories import AgentFactory, ShopFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast path is PostgreSQL's"),
]

HEADER = "session_id,buyer,message_id,sender,agent,sent_at,text\n"
ROWS = (
    "s1,b-1,m1,buyer,,2026-11-01T08:03:12+08:00,在吗？这款沙发有货吗\n"
    's1,b-1,m2,agent,a01,2026-11-01T08:04:00+08:00,"亲，在的, 有现货 ""今天"" 发"\n'
    "s2,b-2,m3,buyer,,2026-11-01 09:00:00,物流三天没更新了\n"
    "s2,b-2,m4,agent,zz9,2026-11-01 09:01:30.250,亲亲别着急\n"
)


@pytest.fixture
def shop(db):
    return ShopFactory(code="sql-shop", platform="pdd")


def stored(shop):
    return list(
        ChatMessage.objects.filter(shop=shop).order_by("id")
        .values_list("session__external_id", "session__buyer", "external_id", "sender", "agent_code", "agent_id",
                     "sent_at", "text")
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_fast_path_imports_a_clean_file(shop, encoding):
    agent = AgentFactory(code="a01")
    loaded = csv_load(shop_id=shop.pk, data=(HEADER + ROWS).encode(encoding))
    assert loaded is not None
    assert (loaded.rows, loaded.sessions_created, loaded.messages_created, loaded.unknown_agents) == (4, 2, 4, ["zz9"])
    assert stored(shop) == [
        ("s1", "b-1", "m1", "buyer", "", None, datetime(2026, 11, 1, 8, 3, 12, tzinfo=SHANGHAI), "在吗？这款沙发有货吗"),
        ("s1", "b-1", "m2", "agent", "a01", agent.pk, datetime(2026, 11, 1, 8, 4, tzinfo=SHANGHAI), '亲，在的, 有现货 "今天" 发'),
        ("s2", "b-2", "m3", "buyer", "", None, datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI), "物流三天没更新了"),
        ("s2", "b-2", "m4", "agent", "zz9", None, datetime(2026, 11, 1, 9, 1, 30, 250000, tzinfo=SHANGHAI), "亲亲别着急"),
    ]
    s1 = ChatSession.objects.get(shop=shop, external_id="s1")
    assert (s1.started_at, s1.ended_at) == (datetime(2026, 11, 1, 8, 3, 12, tzinfo=SHANGHAI), datetime(2026, 11, 1, 8, 4, tzinfo=SHANGHAI))
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "UTC"  # the import's local time zone setting does not leak


def test_fast_path_result_equals_the_python_path(shop, monkeypatch):
    """The same file through both paths stores the same rows."""
    AgentFactory(code="a01")
    other = ShopFactory(code="py-shop")
    data = (HEADER + ROWS + "s3,b-3,m5,system,,2026-11-02T01:00:00Z,会话结束\n").encode()
    fast = sessions_import_file(shop=shop, data=data, fmt="csv", scan=False)
    monkeypatch.setattr("compliance.sessions.services.importing._import_csv_sql", lambda **kwargs: None)
    slow = sessions_import_file(shop=other, data=data, fmt="csv", scan=False)
    assert {**fast.as_dict(), "shop": ""} == {**slow.as_dict(), "shop": ""}
    assert stored(shop) == stored(other)


def test_equal_times_keep_file_order_and_reimport_skips(shop):
    rows = "".join(f"s1,b-1,m{n},buyer,,2026-11-01T08:00:00+08:00,第{n}条\n" for n in (5, 3, 9, 1))
    data = (HEADER + rows).encode()
    assert csv_load(shop_id=shop.pk, data=data).messages_created == 4
    assert [m[2] for m in stored(shop)] == ["m5", "m3", "m9", "m1"]
    again = sessions_import_file(shop=shop, data=data, fmt="csv", scan=False)
    assert (again.messages_created, again.messages_skipped, again.sessions_updated) == (0, 4, 0)
    later = (HEADER + "s1,b-1,m7,agent,,2026-11-01T09:00:00+08:00,好的\n").encode()
    more = csv_load(shop_id=shop.pk, data=later)
    assert (more.sessions_created, more.sessions_updated, more.messages_created) == (0, 1, 1)
    assert ChatSession.objects.get(shop=shop).ended_at == datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("body", [
    "s1,b-1,m1,buyer,,2026-11-01T08:00:00+08:00,ok\ns1,b-1,m2,robot,,2026-11-01T08:00:00+08:00,bad sender\n",
    "s1,b-1,m1,buyer,,yesterday,bad time\n",
    "s1,b-1,m1,buyer,,2026-02-30T08:00:00,no such day\n",
    "s1,b-1,m1,buyer,,2026-11-01T24:00:00,hour 24\n",
    "s1, b-1,m1,buyer,,2026-11-01T08:00:00,padded buyer\n",
    "s1,b-1,m1 ,buyer,,2026-11-01T08:00:00,padded id\n",
    "s1,b-1,m1,Agent,,2026-11-01T08:00:00,capital sender\n",
    "s1,b-1,m1,buyer,,2026-11-01T08:00:00,他说\"你好\"\n",
    "s1,b-1,m1,buyer,,2026-11-01T08:00:00,a\n\\.\ns1,b-1,m2,buyer,,2026-11-01T08:00:00,b\n",
    "s1,b-1,m1,buyer,,2026-11-01T08:00:00,a\n\ns1,b-1,m2,buyer,,2026-11-01T08:00:00\n",
    "s1,b-1,m1,buyer,,2026-11-01T08:00:00,a\ns1,b-2,m2,buyer,,2026-11-01T08:00:00,other buyer\n",
    "s1,b-1,m1,buyer,,2026-11-01T08:00:00,a\ns1,b-1,m1,buyer,,2026-11-01T08:00:00,repeat\n",
    ",b-1,m1,buyer,,2026-11-01T08:00:00,no session\n",
    "s1,b-1,m1,agent,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,2026-11-01T08:00:00,agent code too long\n",
    "s1,b-1,m1,buyer,,2026-11-01T08:00:00," + "长" * 10_001 + "\n",
])
def test_fast_path_hands_back_what_it_cannot_vouch_for(shop, body):
    assert csv_load(shop_id=shop.pk, data=(HEADER + body).encode()) is None
    assert not ChatSession.objects.exists() and not ChatMessage.objects.exists()


def test_repeat_of_a_stored_id_is_reported(shop):
    """Both copies of a repeated id are already stored: the fast path must not skip them silently."""
    first = (HEADER + "s1,b-1,m1,buyer,,2026-11-01T08:00:00,a\n").encode()
    sessions_import_file(shop=shop, data=first, fmt="csv", scan=False)
    repeat = (HEADER + "s1,b-1,m1,buyer,,2026-11-01T08:00:00,a\ns1,b-1,m1,buyer,,2026-11-01T08:00:00,a\n").encode()
    with pytest.raises(SessionImportError) as caught:
        sessions_import_file(shop=shop, data=repeat, fmt="csv", scan=False)
    assert [(e.line, e.field) for e in caught.value.errors] == [(3, "message_id")]


def test_files_the_fast_path_declines_still_import_through_the_validator(shop):
    data = (HEADER + 's1, b-1 ,m1,Agent,,2026-11-01T08:00:00,他说"你好"\n').encode()
    result = sessions_import_file(shop=shop, data=data, fmt="csv", scan=False)
    assert result.messages_created == 1
    message = ChatMessage.objects.get(shop=shop)
    assert (message.session.buyer, message.sender, message.text) == ("b-1", "agent", '他说"你好"')


def test_header_in_another_order_with_an_extra_column(shop):
    data = "text,sent_at,agent,sender,message_id,buyer,session_id,note\n你好,2026-11-01T08:00:00,,buyer,m1,b-1,s1,x\n"
    loaded = csv_load(shop_id=shop.pk, data=data.encode())
    assert loaded is not None and loaded.messages_created == 1
    assert stored(shop)[0][2:4] + stored(shop)[0][7:] == ("m1", "buyer", "你好")


def test_fast_path_works_on_a_connection_that_already_used_temporary_tables(shop, monkeypatch):
    """Web and task workers keep their connections: the second import on one must still take the fast path."""
    monkeypatch.setattr("compliance.sessions.services.importing._import_csv_sql", lambda **kwargs: None)
    sessions_import_file(shop=shop, data=(HEADER + ROWS).encode(), fmt="csv", scan=False)  # temp table used
    for n in range(2):
        data = (HEADER + f"s9,b-9,x{n},buyer,,2026-11-01T08:00:00+08:00,你好\n").encode()
        loaded = csv_load(shop_id=shop.pk, data=data)
        assert loaded is not None and loaded.messages_created == 1
