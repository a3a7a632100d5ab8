"""The Celery entry points and the demo loader of the metrics half of quality."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agency.models import Job
from compliance.models import ChatSession
from compliance.quality.metrics import demo
from compliance.quality.metrics.tasks import metrics_refresh_new_task
from compliance.quality.models import QualityAlert, SessionMetrics, ShopDayMetrics
from tests.factories import AgentFactory, ShopFactory
from tests.quality.factories import EDGES, make_scripted_session

pytestmark = pytest.mark.django_db


def test_incremental_task_picks_up_new_sessions_once():
    shop = ShopFactory(platform="pdd")
    make_scripted_session(shop, "t1", EDGES, agent=AgentFactory(code="j01"))
    assert metrics_refresh_new_task.delay().get()["sessions"] == 1
    assert metrics_refresh_new_task.delay().get()["sessions"] == 0
    assert SessionMetrics.objects.count() == 1


def test_manager_recompute_runs_as_a_job(manager, django_capture_on_commit_callbacks):
    shop = ShopFactory(platform="jd")
    make_scripted_session(shop, "t2", EDGES, agent=AgentFactory(code="j02"))
    client = Client()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("quality:metrics-recompute"))
    job = Job.objects.get(kind="quality.metrics")
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.result["sessions"] == 1


def test_demo_loader_is_idempotent(tenants):
    for n in range(3):
        AgentFactory(code=f"d{n:02d}")
    demo.load(password="x", log=lambda line: None)
    counts = (ChatSession.objects.count(), ShopDayMetrics.objects.count(), QualityAlert.objects.count())
    assert counts[0] == 2 * demo.DAYS * demo.SESSIONS_PER_DAY and counts[1] > 0
    demo.load(password="x", log=lambda line: None)
    assert (ChatSession.objects.count(), ShopDayMetrics.objects.count(), QualityAlert.objects.count()) == counts


def test_recent_refresh_catches_a_message_the_cursor_skipped():
    from compliance.models import ChatMessage
    from compliance.quality.metrics.tasks import metrics_refresh_recent_task
    from compliance.quality.models import MetricsCursor

    shop = ShopFactory(platform="pdd")
    agent = AgentFactory(code="j03")
    session = make_scripted_session(shop, "late", [("buyer", "2026-11-03 10:00:00")], agent=agent)
    metrics_refresh_new_task.delay().get()
    assert SessionMetrics.objects.get(session=session).unserved is True
    # an answer that lands below the cursor (committed late by a concurrent import)
    ChatMessage.objects.create(session=session, shop=shop, external_id="late-answer", sender="agent", agent=agent,
                               sent_at=session.started_at.replace(minute=1), text="在的")
    MetricsCursor.objects.update(last_message_id=10**9)
    assert metrics_refresh_new_task.delay().get()["sessions"] == 0
    from django.utils import timezone

    ChatSession.objects.filter(pk=session.pk).update(ended_at=timezone.now())
    assert metrics_refresh_recent_task.delay(2).get()["sessions"] == 1
    assert SessionMetrics.objects.get(session=session).unserved is False
