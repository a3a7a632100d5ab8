"""Exports too big for a request run as jobs: the page offers a background export (no GET writes), the POST
starts a job with progress, the worker writes the same CSV, scoped to the asker, and the job's page offers
the file; nobody else can download it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from agency.models import Job
from compliance.rules.services import ruleset_load_shipped
from compliance.sessions.services.importing import sessions_import_file
from compliance.sessions.services.scanning import shops_scan
from tests.quality.test_quality_view import MONTH, client_for, quality_data  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _download(client, job: Job) -> list[dict]:
    response = client.get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))


def test_a_big_sessions_export_runs_as_a_job_with_a_download(
    quality_data, settings, tmp_path, django_capture_on_commit_callbacks  # noqa: F811
):
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_STREAM_MAX_ROWS = 1
    one, two, mine, _theirs = quality_data
    client = client_for(one.user)
    url = reverse("quality:shop-sessions-csv", args=[one.shop.code]) + f"?month={MONTH}"
    offer = client.get(url)
    assert offer.status_code == 200 and "在后台导出" in offer.content.decode() and not Job.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.kind == "quality.export" and job.merchant_id == one.merchant.pk
    assert job.result["rows"] == len(mine) and job.result["filename"] == f"sessions-{one.shop.code}-{MONTH}.csv"
    assert "下载文件" in client.get(reverse("job-detail", args=[job.pk])).content.decode()
    rows = _download(client, job)
    assert sorted(r["会话编号"] for r in rows) == sorted(s.external_id for s in mine)  # in the asker's language
    assert client_for(two.user).get(reverse("job-download", args=[job.pk])).status_code == 404


def test_a_big_violations_export_runs_as_a_job_scoped_to_the_asker(
    tenants, settings, tmp_path, django_capture_on_commit_callbacks
):
    ruleset_load_shipped()
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_STREAM_MAX_ROWS = 1
    one, two = tenants
    for tenant in tenants:
        line = {"session_id": "s1", "buyer": "b1", "messages": [
            {"id": f"m{n}", "sender": "agent", "agent": "a01", "sent_at": f"2026-11-01T10:0{n}:00+08:00",
             "text": "加我微信 13812345678 详聊"} for n in range(3)]}
        sessions_import_file(shop=tenant.shop, data=(json.dumps(line) + "\n").encode(), fmt="jsonl", scan=False)
    shops_scan(shops=[one.shop, two.shop])
    client = client_for(one.user)
    url = reverse("compliance:violation-export")
    assert "在后台导出" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    job = Job.objects.get()
    assert job.status == Job.Status.DONE, job.message
    rows = _download(client, job)
    assert len(rows) >= 3 and {r["shop"] for r in rows} == {one.shop.code}  # the other merchant's are not there
    assert all("13812345678" not in r["text"] for r in rows)  # masked, as on the page
    assert client_for(two.user).get(reverse("job-download", args=[job.pk])).status_code == 404


def test_a_merchant_exports_all_of_their_data_as_a_zip_job(
    quality_data, settings, tmp_path, django_capture_on_commit_callbacks, manager  # noqa: F811
):
    import zipfile

    settings.MEDIA_ROOT = tmp_path
    one, two, mine, theirs = quality_data
    client = client_for(one.user)
    assert client.get(reverse("quality:merchant-data-export")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quality:merchant-data-export"))
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.DONE, job.message
    download = client.get(reverse("job-download", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert set(archive.namelist()) == {
        "shops.csv", "contracts.csv", "sessions.csv", "messages.csv", "hits.csv", "session_metrics.csv",
    }

    def table(name: str) -> list[dict]:
        return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))

    assert sorted(r["session_id"] for r in table("sessions.csv")) == sorted(s.external_id for s in mine)
    assert {r["code"] for r in table("shops.csv")} == {one.shop.code}
    messages = table("messages.csv")
    assert messages and not any("13812345678" in r["text"] for r in messages)
    assert any("138****5678" in r["text"] for r in messages)
    assert not {s.external_id for s in theirs} & {r["session_id"] for r in table("sessions.csv")}
    assert job.result["tables"]["sessions.csv"] == len(mine)
    assert client_for(two.user).get(reverse("job-download", args=[job.pk])).status_code == 404
    assert client_for(manager).get(reverse("quality:merchant-data-export")).status_code == 403
