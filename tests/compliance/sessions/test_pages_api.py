"""Session and violation pages and the sessions API: tenancy, masking, highlighting, export, query counts."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from django.urls import reverse

from agency.models import Job
from compliance.models import ChatMessage, ChatSession, Hit
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.scanning import shop_scan
from compliance.sessions.sessionfile import SHANGHAI
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


def load(shop, n: int, prefix: str = "s") -> None:
    """n sessions in `shop`, each: buyer gives a phone number, agent answers with banned words."""
    start = datetime(2026, 11, 3, 9, 0, tzinfo=SHANGHAI)
    lines = []
    for i in range(n):
        at = start + timedelta(minutes=7 * i)
        lines.append(json.dumps({
            "session_id": f"{prefix}{i}", "buyer": f"{prefix}-buyer-{i}",
            "messages": [
                {"id": f"{prefix}{i}-1", "sender": "buyer", "sent_at": at.isoformat(),
                 "text": f"我的电话{PHONE}，身份证110105199003071234"},
                {"id": f"{prefix}{i}-2", "sender": "agent", "agent": "a01",
                 "sent_at": (at + timedelta(seconds=40)).isoformat(), "text": "亲，加微信<b>最好</b>"},
            ],
        }, ensure_ascii=False))
    sessions_import_file(shop=shop, data="\n".join(lines).encode(), fmt="jsonl", scan=False)
    shop_scan(shop=shop)


@pytest.fixture
def data(tenants, library):
    AgentFactory(code="a01", username="agent-a01")
    one, two = tenants
    load(one.shop, 3, prefix="one-")
    load(two.shop, 2, prefix="two-")
    return one, two


def test_session_list_is_scoped_for_merchants(client, data):
    one, two = data
    client.force_login(one.user)
    body = client.get(reverse("compliance:session-list")).content.decode()
    assert 'data-session="one-0"' in body and 'data-session="two-0"' not in body
    # search and filter cannot reach the other merchant either
    body = client.get(reverse("compliance:session-list"), {"q": "two-0"}).content.decode()
    assert 'data-session="two-0"' not in body
    body = client.get(reverse("compliance:session-list"), {"q": "one-1"}).content.decode()
    assert 'data-session="one-1"' in body and 'data-session="one-0"' not in body
    body = client.get(reverse("compliance:session-list"), {"shop": two.shop.code}).content.decode()
    assert 'data-session="two-0"' not in body


def test_other_merchants_session_is_404_by_page_and_api(client, api_client_for, data):
    one, two = data
    theirs = ChatSession.objects.get(shop=two.shop, external_id="two-0")
    mine = ChatSession.objects.get(shop=one.shop, external_id="one-0")
    client.force_login(one.user)
    assert client.get(reverse("compliance:session-detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("compliance:session-detail", args=[mine.pk])).status_code == 200
    api = api_client_for(one.user)
    assert api.get(f"/api/sessions/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/sessions/{mine.pk}/").status_code == 200
    listed = api.get("/api/sessions/").json()
    assert {s["session_id"] for s in listed["results"]} == {"one-0", "one-1", "one-2"}


def test_viewer_masks_highlights_and_explains(client, manager, data):
    one, _two = data
    session = ChatSession.objects.get(shop=one.shop, external_id="one-0")
    client.force_login(manager)
    body = client.get(reverse("compliance:session-detail", args=[session.pk])).content.decode()
    assert PHONE not in body and "138****5678" in body
    assert "110105199003071234" not in body
    assert '<mark class="hit sev-severe"' in body and ">微信</mark>" in body
    assert '<mark class="hit sev-violation"' in body and "很好" in body  # the suggestion
    assert "&lt;b&gt;" in body and "<b>最好" not in body  # message text is escaped


def test_api_detail_masks_text_and_keeps_offsets(api_client_for, inspector, data):
    one, _two = data
    session = ChatSession.objects.get(shop=one.shop, external_id="one-0")
    payload = api_client_for(inspector).get(f"/api/sessions/{session.pk}/").json()
    buyer, agent = payload["messages"]
    assert PHONE not in json.dumps(payload) and "138****5678" in buyer["text"]
    hit = agent["hits"][0]
    assert agent["text"][hit["start"]:hit["end"]] == hit["matched"]


def test_violation_list_filters_and_scopes(client, data, manager):
    one, two = data
    client.force_login(one.user)
    body = client.get(reverse("compliance:violation-list")).content.decode()
    assert body.count('<tr data-rule="test.other_platform"') == 3  # only agent messages of their own shop
    client.force_login(manager)
    url = reverse("compliance:violation-list")
    assert client.get(url).content.decode().count("<tr data-rule=") == 10
    body = client.get(url, {"category": "absolute_claim", "shop": two.shop.code}).content.decode()
    assert body.count("<tr data-rule=") == 2
    body = client.get(url, {"date_from": "2026-11-04"}).content.decode()
    assert body.count("<tr data-rule=") == 0


def test_export_is_masked_and_scoped(client, data):
    one, _two = data
    client.force_login(one.user)
    response = client.get(reverse("compliance:violation-export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6 and {r["shop"] for r in rows} == {one.shop.code}
    assert {r["matched"] for r in rows} == {"微信", "最好"}


def test_export_masks_phone_hits(client, manager, tenants, library):
    one, _two = tenants
    library.scanner.words = {PHONE: ("contact_info", "severe", None)}
    lines = json.dumps({"session_id": "p1", "buyer": "b", "messages": [
        {"id": "p1-1", "sender": "agent", "sent_at": "2026-11-03T10:00:00+08:00", "text": f"打我电话{PHONE}"}]})
    sessions_import_file(shop=one.shop, data=lines.encode(), fmt="jsonl", scan=False)
    shop_scan(shop=one.shop)
    client.force_login(manager)
    text = b"".join(client.get(reverse("compliance:violation-export")).streaming_content).decode("utf-8-sig")
    assert PHONE not in text and "138****5678" in text


def test_agents_cannot_read_sessions(client, agent, data):
    client.force_login(agent)
    assert client.get(reverse("compliance:session-list")).status_code == 403


@pytest.mark.parametrize("size", [2, 12])
def test_query_counts_do_not_grow_with_data(client, manager, tenants, library, django_assert_max_num_queries, size):
    one, two = tenants
    AgentFactory(code="a01", username="agent-a01")
    load(one.shop, size, prefix="one-")
    load(two.shop, size, prefix="two-")
    client.force_login(manager)
    session = ChatSession.objects.get(shop=one.shop, external_id="one-0")
    with django_assert_max_num_queries(8):
        assert client.get(reverse("compliance:session-list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("compliance:violation-list")).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(reverse("compliance:session-detail", args=[session.pk])).status_code == 200
    # 7: the size check that sends a big export to a job, and the page's messages fetched by id
    with django_assert_max_num_queries(7):
        response = client.get(reverse("compliance:violation-export"))
        b"".join(response.streaming_content)


@pytest.mark.parametrize("size", [2, 12])
def test_api_query_counts(api_client_for, manager, tenants, library, django_assert_max_num_queries, size):
    one, _two = tenants
    load(one.shop, size)
    api = api_client_for(manager)
    session = ChatSession.objects.get(shop=one.shop, external_id="s0")
    with django_assert_max_num_queries(5):
        assert api.get("/api/sessions/").status_code == 200
    with django_assert_max_num_queries(7):  # one of them the audit line of a manager seeing the buyer in clear
        assert api.get(f"/api/sessions/{session.pk}/").status_code == 200


CSV = (
    "session_id,buyer,message_id,sender,agent,sent_at,text\n"
    "s1,b-1,m1,buyer,,2026-11-01T08:03:12+08:00,在吗\n"
    "s1,b-1,m2,agent,a01,2026-11-01T08:04:00+08:00,亲，加微信吧\n"
)


JSONL = (
    '{"session_id": "s1", "buyer": "b-1", "messages": [{"id": "m1", "sender": "buyer", "sent_at": "2026-11-01T08:03:12+08:00", "text": "在吗"},'
    ' {"id": "m2", "sender": "agent", "agent": "a01", "sent_at": "2026-11-01T08:04:00+08:00", "text": "亲，加微信吧"}]}\n'
)


def test_api_import_small_jsonl_file_at_once(api_client_for, inspector, tenants, library, django_capture_on_commit_callbacks):
    one, _two = tenants
    api = api_client_for(inspector)
    upload = io.BytesIO(JSONL.encode())
    upload.name = "chats.jsonl"
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/sessions/import/", {"file": upload, "shop": one.shop.code}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["messages_created"] == 2
    assert Hit.objects.filter(message__shop=one.shop, category="other_platform").count() == 1  # scanned after commit


def test_api_import_small_csv_file_is_parsed_by_a_worker(
    api_client_for, manager, tenants, library, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    one, _two = tenants
    upload = io.BytesIO(CSV.encode("gbk"))
    upload.name = "chats.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(manager).post(
            "/api/sessions/import/", {"file": upload, "shop": one.shop.code}, format="multipart"
        )
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == Job.Status.DONE and job.result["messages_created"] == 2


def test_api_import_bad_file_reports_every_row(api_client_for, manager, tenants):
    one, _two = tenants
    bad = (
        '{"session_id": "s1", "buyer": "b-1", "messages": [{"id": "m3", "sender": "nobody", "sent_at": "2026-11-01T08:05:00", "text": "x"}]}\n'
        '{"session_id": "s1", "buyer": "b-1", "messages": [{"id": "m4", "sender": "agent", "sent_at": "soon", "text": "x"}]}\n'
    )
    upload = io.BytesIO((JSONL + bad).encode())
    upload.name = "bad.jsonl"
    response = api_client_for(manager).post("/api/sessions/import/", {"file": upload, "shop": one.shop.code}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert [(e["line"], e["field"]) for e in body["errors"]] == [(2, "messages[0].sender"), (3, "messages[0].sent_at")]
    assert "detail" in body and not ChatMessage.objects.exists()


def test_api_import_bad_csv_file_fails_its_job_with_every_row(
    api_client_for, manager, tenants, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    one, _two = tenants
    upload = io.BytesIO((CSV + "s1,b-1,m3,nobody,,2026-11-01T08:05:00,x\ns1,b-1,m4,agent,,soon,x\n").encode())
    upload.name = "bad.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(manager).post(
            "/api/sessions/import/", {"file": upload, "shop": one.shop.code}, format="multipart"
        )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == Job.Status.FAILED
    assert [(e["line"], e["field"]) for e in job.result["errors"]] == [(4, "sender"), (5, "sent_at")]
    assert not ChatMessage.objects.exists()


def test_merchants_cannot_import_sessions_through_the_api(api_client_for, tenants):
    """An import puts violations on the agency's agents' records: merchants are refused, even for their own
    shop (issue 12), and nothing is written."""
    one, two = tenants
    for shop in (one.shop, two.shop):
        upload = io.BytesIO(CSV.encode())
        upload.name = "x.csv"
        response = api_client_for(one.user).post("/api/sessions/import/", {"file": upload, "shop": shop.code}, format="multipart")
        assert response.status_code == 403
    assert not ChatMessage.objects.exists() and not Job.objects.exists()


def test_api_import_into_a_shop_that_does_not_exist_is_refused(api_client_for, manager, tenants):
    upload = io.BytesIO(CSV.encode())
    upload.name = "x.csv"
    response = api_client_for(manager).post("/api/sessions/import/", {"file": upload, "shop": "no-such"}, format="multipart")
    assert response.status_code == 400 and "shop" in response.json()["errors"]
    assert not ChatMessage.objects.exists()


def test_api_import_in_background_runs_a_job(api_client_for, manager, tenants, library, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    one, _two = tenants
    upload = io.BytesIO(CSV.encode())
    upload.name = "big.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(manager).post(
            "/api/sessions/import/", {"file": upload, "shop": one.shop.code, "background": "true"}, format="multipart"
        )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == Job.Status.DONE and job.result["messages_created"] == 2
    assert (tmp_path / "jobs").is_dir() and not list(tmp_path.glob("jobs/*"))  # the upload is removed once done


def test_import_page_runs_a_job_and_shows_bad_rows(client, manager, tenants, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    one, _two = tenants
    client.force_login(manager)
    upload = io.BytesIO((CSV + "s1,b-1,m3,nobody,,2026-11-01T08:05:00,x\n").encode())
    upload.name = "bad.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("compliance:session-import"), {"shop": one.shop.code, "file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in page and "sender" in page
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.result["error_count"] == 1


def test_merchants_cannot_import_sessions_on_the_page(client, tenants):
    one, _two = tenants
    client.force_login(one.user)
    assert client.get(reverse("compliance:session-import")).status_code == 403
    upload = io.BytesIO(CSV.encode())
    upload.name = "x.csv"
    response = client.post(reverse("compliance:session-import"), {"shop": one.shop.code, "file": upload})
    assert response.status_code == 403 and not Job.objects.exists()



def test_dashboard_widget_counts_only_own_recent_violations(client, tenants, library):
    one, two = tenants
    now = datetime.now(tz=SHANGHAI) - timedelta(hours=1)
    for tenant, n in ((one, 2), (two, 5)):
        lines = "\n".join(json.dumps({"session_id": f"w{i}", "buyer": "b", "messages": [
            {"id": f"w{i}", "sender": "agent", "sent_at": now.isoformat(), "text": "加微信"}]}) for i in range(n))
        sessions_import_file(shop=tenant.shop, data=lines.encode(), fmt="jsonl", scan=False)
        shop_scan(shop=tenant.shop)
    client.force_login(one.user)
    body = client.get("/").content.decode()
    assert 'id="widget-violations"' in body
    assert '<span class="badge sev-violation">2</span>' in body


def test_export_neutralises_formula_cells(client, manager, tenants, library):
    """A buyer's or agent's text, a session id or a message id that a spreadsheet would run as a formula is
    written with a leading apostrophe (issue 12: `=HYPERLINK(…)`, `@SUM(…)`, `-2+3+cmd|…` were raw)."""
    one, _two = tenants
    library.scanner.words = {"微信": ("other_platform", "violation", None)}
    payloads = ['=HYPERLINK("http://x.example","微信")', "@SUM(1+1) 微信", "-2+3+cmd|' /C calc'!A0 微信"]
    lines = "\n".join(json.dumps({"session_id": f"@s{i}", "buyer": "b", "messages": [
        {"id": f"-{i}+1", "sender": "agent", "agent": "a01", "sent_at": f"2026-11-03T10:0{i}:00+08:00",
         "text": text}]}, ensure_ascii=False) for i, text in enumerate(payloads))
    sessions_import_file(shop=one.shop, data=lines.encode(), fmt="jsonl", scan=False)
    shop_scan(shop=one.shop)
    client.force_login(manager)
    text = b"".join(client.get(reverse("compliance:violation-export")).streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["text"] for r in rows) == sorted("'" + p for p in payloads)
    assert {r["session"] for r in rows} == {"'@s0", "'@s1", "'@s2"}
    assert {r["message_id"] for r in rows} == {"'-0+1", "'-1+1", "'-2+1"}
    assert all(not cell.startswith(("=", "@", "+", "-")) for r in rows for cell in r.values())
