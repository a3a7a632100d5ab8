"""Session import (contracts §4): formats, encodings, all-or-nothing, every bad row, idempotence."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from compliance.models import ChatMessage, ChatSession
from compliance.sessions.services.importing import SessionImportError, sessions_import_file
from compliance.sessions.sessionfile import SHANGHAI
from tests.factories import AgentFactory, ShopFactory

pytestmark = pytest.mark.django_db

HEADER = "session_id,buyer,message_id,sender,agent,sent_at,text\n"
CSV_ROWS = (
    "s1,b-1,m1,buyer,,2026-11-01T08:03:12+08:00,在吗？这款沙发有货吗\n"
    "s1,b-1,m2,agent,a01,2026-11-01T08:04:00+08:00,\"亲，在的，有现货哦，今天下单明天发\"\n"
    "s2,b-2,m3,buyer,,2026-11-01 09:00:00,物流三天没更新了\n"
    "s2,b-2,m4,agent,zz9,2026-11-01 09:01:30,亲亲别着急，马上帮您联系快递核实\n"
)


@pytest.fixture
def shop(db):
    return ShopFactory(code="imp-shop", platform="pdd")


def jsonl_bytes(*sessions: dict) -> bytes:
    return "\n".join(json.dumps(s, ensure_ascii=False) for s in sessions).encode()


def session(sid="s1", buyer="b-1", messages=None) -> dict:
    return {
        "session_id": sid, "buyer": buyer,
        "messages": messages or [
            {"id": f"{sid}-m1", "sender": "buyer", "sent_at": "2026-11-01T08:03:12+08:00", "text": "在吗"},
            {"id": f"{sid}-m2", "sender": "agent", "agent": "a01", "sent_at": "2026-11-01T08:03:40+08:00",
             "text": "亲，在的"},
        ],
    }


def test_jsonl_import_creates_sessions_and_maps_agents(shop):
    agent = AgentFactory(code="a01")
    result = sessions_import_file(shop=shop, data=jsonl_bytes(session("s1"), session("s2")), fmt="jsonl", scan=False)
    assert (result.sessions_created, result.messages_created, result.messages_skipped) == (2, 4, 0)
    s1 = ChatSession.objects.get(shop=shop, external_id="s1")
    assert s1.buyer == "b-1"
    assert s1.started_at == datetime(2026, 11, 1, 8, 3, 12, tzinfo=SHANGHAI)
    assert s1.ended_at == datetime(2026, 11, 1, 8, 3, 40, tzinfo=SHANGHAI)
    reply = ChatMessage.objects.get(shop=shop, external_id="s1-m2")
    assert (reply.agent_id, reply.agent_code, reply.sender, reply.session_id) == (agent.pk, "a01", "agent", s1.pk)
    assert reply.scanned_ruleset_id is None


def test_reimport_adds_nothing_and_new_messages_extend_the_session(shop):
    data = jsonl_bytes(session("s1"))
    sessions_import_file(shop=shop, data=data, fmt="jsonl", scan=False)
    again = sessions_import_file(shop=shop, data=data, fmt="jsonl", scan=False)
    assert (again.sessions_created, again.sessions_updated, again.messages_created, again.messages_skipped) == (0, 0, 0, 2)
    assert ChatMessage.objects.filter(shop=shop).count() == 2
    later = session("s1", messages=[
        {"id": "s1-m3", "sender": "buyer", "sent_at": "2026-11-01T10:00:00+08:00", "text": "好的谢谢"},
    ])
    more = sessions_import_file(shop=shop, data=jsonl_bytes(later), fmt="jsonl", scan=False)
    assert (more.sessions_created, more.sessions_updated, more.messages_created) == (0, 1, 1)
    s1 = ChatSession.objects.get(shop=shop, external_id="s1")
    assert s1.ended_at == datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)
    assert s1.messages.count() == 3


def test_same_message_ids_in_another_shop_are_separate(shop):
    other = ShopFactory(code="imp-other")
    data = jsonl_bytes(session("s1"))
    sessions_import_file(shop=shop, data=data, fmt="jsonl", scan=False)
    result = sessions_import_file(shop=other, data=data, fmt="jsonl", scan=False)
    assert result.messages_created == 2
    assert ChatMessage.objects.count() == 4


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_encoding(shop, encoding):
    AgentFactory(code="a01")
    result = sessions_import_file(shop=shop, data=(HEADER + CSV_ROWS).encode(encoding), fmt="csv", scan=False)
    assert (result.sessions_created, result.messages_created) == (2, 4)
    assert result.unknown_agents == ["zz9"]
    texts = set(ChatMessage.objects.filter(shop=shop).values_list("text", flat=True))
    assert "亲，在的，有现货哦，今天下单明天发" in texts and "物流三天没更新了" in texts
    unknown = ChatMessage.objects.get(shop=shop, external_id="m4")
    assert (unknown.agent_code, unknown.agent_id) == ("zz9", None)
    # a time without an offset is Shanghai time
    assert ChatMessage.objects.get(shop=shop, external_id="m3").sent_at == datetime(2026, 11, 1, 9, 0, tzinfo=SHANGHAI)


def test_csv_text_with_newlines_tabs_and_backslashes_survives(shop):
    text = '第一行\n第二行\t制表符 \\ 反斜杠 "引号"'
    buf = io.StringIO()
    import csv

    writer = csv.writer(buf)
    writer.writerow(["session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text"])
    writer.writerow(["s1", "b-1", "m1", "agent", "", "2026-11-01T08:00:00+08:00", text])
    sessions_import_file(shop=shop, data=buf.getvalue().encode(), fmt="csv", scan=False)
    assert ChatMessage.objects.get(shop=shop, external_id="m1").text == text


def test_xlsx_import(shop):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text"])
    sheet.append(["s1", "b-1", 1001, "buyer", None, datetime(2026, 11, 1, 8, 0), "请问什么时候发货"])
    sheet.append(["s1", "b-1", 1002, "agent", "a02", "2026-11-01T08:01:00+08:00", "亲，48小时内发货"])
    out = io.BytesIO()
    workbook.save(out)
    result = sessions_import_file(shop=shop, data=out.getvalue(), fmt="xlsx", scan=False)
    assert result.messages_created == 2
    first = ChatMessage.objects.get(shop=shop, external_id="1001")
    assert first.sent_at == datetime(2026, 11, 1, 8, 0, tzinfo=SHANGHAI)


def test_bad_csv_imports_nothing_and_names_every_bad_row(shop):
    bad = HEADER + (
        "s1,b-1,m1,buyer,,2026-11-01T08:03:12+08:00,你好\n"
        "s1,b-1,m2,robot,,2026-11-01T08:04:00+08:00,你好\n"          # line 3: sender
        "s1,b-1,m3,agent,,yesterday,你好\n"                          # line 4: sent_at
        ",b-2,m4,buyer,,2026-11-01T08:04:00+08:00,你好\n"             # line 5: session_id
        "s1,b-1,m1,agent,,2026-11-01T08:05:00+08:00,重复\n"           # line 6: duplicate id
        "s1,b-9,m6,buyer,,2026-11-01T08:05:00+08:00,换了买家\n"       # line 7: buyer differs
    )
    with pytest.raises(SessionImportError) as caught:
        sessions_import_file(shop=shop, data=bad.encode(), fmt="csv", scan=False)
    found = {(e.line, e.field) for e in caught.value.errors}
    assert found == {(3, "sender"), (4, "sent_at"), (5, "session_id"), (6, "message_id"), (7, "buyer")}
    assert not ChatSession.objects.exists() and not ChatMessage.objects.exists()


def test_missing_columns_are_reported(shop):
    with pytest.raises(SessionImportError) as caught:
        sessions_import_file(shop=shop, data=b"session_id,buyer,text\ns1,b,hi\n", fmt="csv", scan=False)
    assert "message_id" in caught.value.errors[0].message


def test_bad_jsonl_lines_are_all_reported(shop):
    data = b"\n".join([
        json.dumps(session("s1")).encode(),
        b"{not json",
        json.dumps({"session_id": "s3", "buyer": "b", "messages": []}).encode(),
        json.dumps(session("s4", messages=[{"id": "x", "sender": "agent", "sent_at": "2026-13-01T00:00:00", "text": "a"}])).encode(),
    ])
    with pytest.raises(SessionImportError) as caught:
        sessions_import_file(shop=shop, data=data, fmt="jsonl", scan=False)
    assert {(e.line, e.field) for e in caught.value.errors} == {(2, ""), (3, "messages"), (4, "messages[0].sent_at")}
    assert not ChatMessage.objects.exists()


def test_command_imports_and_is_idempotent(shop, tmp_path, capsys):
    path = tmp_path / "chats.csv"
    path.write_bytes((HEADER + CSV_ROWS).encode("gbk"))
    call_command("import_sessions", str(path), "--shop", shop.code, "--no-scan")
    first = json.loads(capsys.readouterr().out)
    assert first["messages_created"] == 4
    call_command("import_sessions", str(path), "--shop", shop.code, "--format", "csv", "--no-scan")
    assert json.loads(capsys.readouterr().out)["messages_created"] == 0
    assert ChatMessage.objects.filter(shop=shop).count() == 4


def test_command_reports_bad_rows_on_stderr_with_exit_2(shop, tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "s1,b-1,m1,buyer,,not-a-time,你好\ns1,b-1,m2,alien,,2026-11-01T08:00:00,hi\n")
    with pytest.raises(CommandError) as caught:
        call_command("import_sessions", str(path), "--shop", shop.code)
    assert caught.value.returncode == 2
    err = capsys.readouterr().err
    assert f"{path}:2: sent_at:" in err and f"{path}:3: sender:" in err
    assert not ChatMessage.objects.exists()


def test_command_unknown_shop_exits_2(tmp_path, db):
    path = tmp_path / "x.jsonl"
    path.write_bytes(jsonl_bytes(session()))
    with pytest.raises(CommandError) as caught:
        call_command("import_sessions", str(path), "--shop", "nope")
    assert caught.value.returncode == 2


def test_a_session_level_fault_is_reported_once_per_line(shop):
    data = jsonl_bytes({**session("s1"), "buyer": ""})
    with pytest.raises(SessionImportError) as caught:
        sessions_import_file(shop=shop, data=data, fmt="jsonl", scan=False)
    assert [(e.line, e.field, e.message) for e in caught.value.errors] == [(1, "buyer", "is required")]
