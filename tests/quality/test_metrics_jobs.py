"""The Celery entry points and the demo loader of the metrics half of quality."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agency.models import Job
from compliance.models import ChatSession
from compliance.quality import metric_demo as demo
from compliance.quality.metric_tasks import metrics_refresh_new_task
from compliance.quality.models import QualityAlert, SessionMetrics, ShopDayMetrics
from tests.factories import AgentFactory, ShopFactory
from tests.quality.metrics_factories import EDGES, make_session

pytestmark = pytest.mark.django_db


def test_incremental_task_picks_up_new_sessions_once():
    shop = ShopFactory(platform="pdd")
    make_session(shop, "t1", EDGES, agent=AgentFactory(code="j01"))
    assert metrics_refresh_new_task.delay().get()["sessions"] == 1
    assert metrics_refresh_new_task.delay().get()["sessions"] == 0
    assert SessionMetrics.objects.count() == 1


def test_manager_recompute_runs_as_a_job(manager):
    shop = ShopFactory(platform="jd")
    make_session(shop, "t2", EDGES, agent=AgentFactory(code="j02"))
    client = Client()
    client.force_login(manager)
    response = client.post(reverse("quality:metrics-recompute"))
    job = Job.objects.get(kind="quality.metrics")
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.result["sessions"] == 1


def test_demo_loader_is_idempotent(tenants):
    for n in range(3):
        AgentFactory(code=f"d{n:02d}")
    demo.load_metrics(password="x", log=lambda line: None)
    counts = (ChatSession.objects.count(), ShopDayMetrics.objects.count(), QualityAlert.objects.count())
    assert counts[0] == 2 * demo.DAYS * demo.SESSIONS_PER_DAY and counts[1] > 0
    demo.load_metrics(password="x", log=lambda line: None)
    assert (ChatSession.objects.count(), ShopDayMetrics.objects.count(), QualityAlert.objects.count()) == counts
