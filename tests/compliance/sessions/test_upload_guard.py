"""Uploads are checked for size, row count and (XLSX) what the workbook claims before anything parses them,
and CSV and XLSX files are parsed only by a worker (a Job), never in the web request."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from agency.models import Job
from compliance.sessions import sessionfile
from compliance.sessions.models import ChatMessage
from compliance.sessions.sessionfile import FileFormatError, check_upload, parse_file

HEADER = ["session_id", "buyer", "message_id", "sender", "agent", "sent_at", "text"]
ROW = ["s1", "b1", "m1", "buyer", "", "2026-11-01T08:00:00+08:00", "在吗"]


def _xlsx(dimension: str | None = None, rows: int = 1) -> bytes:
    """A small workbook; `dimension` rewrites what its first sheet claims to span."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append([f"s{n}", "b1", f"m{n}", "buyer", "", "2026-11-01T08:00:00+08:00", "在吗"])
    plain = io.BytesIO()
    book.save(plain)
    if dimension is None:
        return plain.getvalue()
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{dimension}"'.encode(), data)
                assert count == 1
            target.writestr(info.filename, data)
    return out.getvalue()


def test_a_dimension_bomb_is_refused_by_what_it_claims():
    bomb = _xlsx("A1:XFD1048576")
    assert len(bomb) < 8000
    with pytest.raises(FileFormatError, match="16384 columns"):
        check_upload(io.BytesIO(bomb), size=len(bomb), fmt="xlsx")
    with pytest.raises(FileFormatError, match="16384 columns"):
        parse_file(bomb, "xlsx")  # the worker (and the command) check it too


def test_a_sheet_claiming_too_many_rows_is_refused_and_an_honest_one_passes():
    tall = _xlsx(f"A1:G{sessionfile.MAX_ROWS + 2}")
    with pytest.raises(FileFormatError, match="rows"):
        check_upload(io.BytesIO(tall), size=len(tall), fmt="xlsx")
    honest = _xlsx(rows=3)
    stream = io.BytesIO(honest)
    check_upload(stream, size=len(honest), fmt="xlsx")
    assert stream.tell() == 0
    assert len(parse_file(honest, "xlsx").rows) == 3


def test_a_workbook_that_lies_small_is_still_read_within_the_bounds(monkeypatch):
    monkeypatch.setattr(sessionfile, "MAX_ROWS", 2)
    liar = _xlsx("A1:G2", rows=5)  # claims two rows, holds six
    with pytest.raises(FileFormatError, match="more than 2 rows"):
        parse_file(liar, "xlsx")


def test_row_count_and_size_are_checked_without_parsing(monkeypatch):
    monkeypatch.setattr(sessionfile, "MAX_ROWS", 3)
    data = ("\n".join([",".join(HEADER)] + [",".join(ROW)] * 5) + "\n").encode()
    with pytest.raises(FileFormatError, match="6 lines; at most 3"):
        check_upload(io.BytesIO(data), size=len(data), fmt="csv")
    with pytest.raises(FileFormatError, match="bytes"):
        check_upload(io.BytesIO(b""), size=sessionfile.MAX_FILE_BYTES + 1, fmt="jsonl")
    with pytest.raises(FileFormatError, match="zip"):
        check_upload(io.BytesIO(b"not a zip"), size=9, fmt="xlsx")


@pytest.mark.django_db
def test_the_api_refuses_a_bomb_with_a_400_and_queues_nothing(api_client_for, manager, tenants):
    upload = SimpleUploadedFile("bomb.xlsx", _xlsx("A1:XFD1048576"))
    response = api_client_for(manager).post(
        "/api/sessions/import/", {"file": upload, "shop": tenants[0].shop.code}, format="multipart"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["field"] == "file" and "16384 columns" in body["errors"][0]["message"]
    assert not Job.objects.exists()


@pytest.mark.django_db
def test_the_import_page_refuses_a_bomb_on_the_form(client, manager, tenants):
    client.force_login(manager)
    upload = SimpleUploadedFile("bomb.xlsx", _xlsx("A1:XFD1048576"))
    response = client.post("/compliance/sessions/import/", {"file": upload, "shop": tenants[0].shop.code})
    assert response.status_code == 200 and "16384 columns" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_csv_and_xlsx_are_parsed_by_a_worker_even_when_small(
    api_client_for, manager, tenants, fmt, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    data = _xlsx(rows=2) if fmt == "xlsx" else (
        ",".join(HEADER) + "\n" + ",".join(ROW) + "\n" + ",".join(["s1", "b1", "m2", "agent", "", ROW[5], "您好"]) + "\n"
    ).encode()
    upload = SimpleUploadedFile(f"small.{fmt}", data)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(manager).post(
            "/api/sessions/import/", {"file": upload, "shop": tenants[0].shop.code}, format="multipart"
        )
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == Job.Status.DONE and job.kind == "compliance.import"  # eager in unit tests
    assert ChatMessage.objects.filter(shop=tenants[0].shop).count() == 2
