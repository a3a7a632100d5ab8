"""The draft's impact preview as a background job: the whole window in chunks, progress, a JSON result with
masked, highlighted examples, one running job per draft, managers only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agency.models import Job
from agency.services import job_finish
from compliance.models import RuleSet
from compliance.rules.impact import ABANDONED_AFTER, excerpt, ruleset_impact, ruleset_impact_queue
from compliance.rules.services import rule_save, ruleset_draft_create, ruleset_load_shipped, ruleset_publish
from tests.factories import ChatMessageFactory, ChatSessionFactory, ShopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(manager):
    """A Pinduoduo draft that adds 同城闪送 and no longer flags 最好."""
    ruleset_load_shipped()
    draft = ruleset_draft_create(platform="pdd", by=manager)
    rule_save(ruleset=draft, by=manager, rule_id="pdd.shan-song", data={
        "category": "off_platform_trade", "severity": "warning", "terms": ["同城闪送"],
    })
    rule_save(ruleset=draft, by=manager, rule_id="abs.zui-hao", rule=draft.rules.get(rule_id="abs.zui-hao"),
              data={"enabled": False})
    # and the category's classifier, whose second opinion would otherwise still flag 最好的
    rule_save(ruleset=draft, by=manager, rule_id="ml.absolute_claim",
              rule=draft.rules.get(rule_id="ml.absolute_claim"), data={"enabled": False})
    return draft


def say(shop, text, *, ago=timedelta(hours=1), sender="agent"):
    session = ChatSessionFactory(shop=shop, started_at=timezone.now() - ago)
    return ChatMessageFactory(session=session, text=text, sender=sender, sent_at=session.started_at)


def test_the_whole_window_is_walked_in_chunks_with_progress(draft):
    shop = ShopFactory(platform="pdd")
    for n in range(7):
        say(shop, f"第{n}单支持同城闪送")
    say(shop, "这是最好的")
    say(shop, "同城闪送吗", sender="buyer")  # buyers' words are not the agency's
    say(shop, "同城闪送", ago=timedelta(days=8))  # outside the window
    say(ShopFactory(platform="jd"), "同城闪送")  # another platform
    reports = []
    with CaptureQueriesContext(connection) as queries:
        impact = ruleset_impact(draft=draft, days=7, chunk_size=3, progress=lambda done, total: reports.append((done, total)))
    assert impact["messages"] == 8
    assert (impact["added"], impact["removed"]) == (7, 1)
    rows = {r["rule"]: r for r in impact["rules"]}
    assert rows["pdd.shan-song"]["added"] == 7 and len(rows["pdd.shan-song"]["added_examples"]) == 5
    assert rows["abs.zui-hao"]["removed"] == 1 and rows["abs.zui-hao"]["removed_examples"][0]["matched"] == "最好"
    assert reports == [(3, 8), (6, 8), (8, 8)]
    # keyset pages of 3 messages each (and one empty page at the end), never the whole window at once
    pages = [q["sql"] for q in queries.captured_queries if '"text"' in q["sql"] and "compliance_chatmessage" in q["sql"]]
    assert len(pages) == 4 and all("LIMIT 3" in sql for sql in pages)
    json.dumps(impact)  # plain data, ready for Job.result


def test_examples_are_masked_excerpts_whose_offsets_fit(draft):
    shop = ShopFactory(platform="pdd")
    text = "亲，" + "这款商品很受欢迎。" * 12 + "可以同城闪送，电话13812345678"
    say(shop, text)
    example = ruleset_impact(draft=draft, days=7)["rules"][0]["added_examples"][0]
    assert example["text"].startswith("…") and len(example["text"]) < len(text)
    assert example["text"][example["start"]:example["end"]] == example["matched"] == "同城闪送"
    assert "13812345678" not in example["text"] and "138****5678" in example["text"]
    assert excerpt("abcdef", 2, 3, context=1) == ("…bcd…", 2, 3)


def test_a_second_request_reuses_the_running_job(draft, manager):
    job, started = ruleset_impact_queue(draft=draft, days=30, by=manager)
    again, started_again = ruleset_impact_queue(draft=draft, days=7, by=manager)
    assert started and not started_again and again.pk == job.pk
    assert Job.objects.filter(kind="compliance.impact").count() == 1
    job_finish(job_id=job.pk, result={**job.result, "messages": 0})
    fresh, started = ruleset_impact_queue(draft=draft, days=7, by=manager)
    assert started and fresh.pk != job.pk and fresh.result["days"] == 7
    Job.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - ABANDONED_AFTER - timedelta(minutes=1))
    assert ruleset_impact_queue(draft=draft, days=7, by=manager)[1]  # a lost job does not block for ever


def test_the_task_stores_the_result_and_fails_on_a_published_draft(draft, manager, django_capture_on_commit_callbacks):
    shop = ShopFactory(platform="pdd")
    say(shop, "支持同城闪送")
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = ruleset_impact_queue(draft=draft, days=7, by=manager)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.progress == 1.0
    assert job.result["draft"] == draft.pk and job.result["added"] == 1 and job.result["days"] == 7
    assert job.result["url"] == f"/compliance/rules/{draft.pk}/impact/?job={job.pk}"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second, _ = ruleset_impact_queue(draft=draft, days=7, by=manager)
    ruleset_publish(ruleset=draft, by=manager)
    callbacks[0]()  # the worker picks the task up after the draft was published
    second.refresh_from_db()
    assert second.status == Job.Status.FAILED and second.message == "草稿已发布或已删除"


def test_the_page_starts_polls_and_shows_the_result(client, draft, manager, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    shop = ShopFactory(platform="pdd")
    message = say(shop, "可以同城闪送，加微信13812345678")
    client.force_login(manager)
    assert "impact-none" in client.get(f"/compliance/rules/{draft.pk}/impact/").content.decode()
    # queued (the task runs once the request's transaction commits): the page polls the job
    with django_capture_on_commit_callbacks(execute=False) as pending:
        started = client.post(f"/compliance/rules/{draft.pk}/impact/", {"days": "14"})
    job = Job.objects.get(kind="compliance.impact")
    assert started.url == f"/compliance/rules/{draft.pk}/impact/?job={job.pk}"
    running = client.get(started.url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="impact-job"' in running and "hx-get" in running and 'data-status="queued"' in running
    again = client.post(f"/compliance/rules/{draft.pk}/impact/", {"days": "30"})
    assert again.url == started.url  # the running job, not a second one
    for callback in pending:
        callback()
    with django_assert_max_num_queries(8):
        done = client.get(started.url, HTTP_HX_REQUEST="true")
    body = done.content.decode()
    assert "hx-get" not in body and 'data-status="done"' in body
    assert 'data-rule="pdd.shan-song"' in body and ">同城闪送</mark>" in body
    assert "13812345678" not in body
    assert f"/compliance/sessions/{message.session_id}/#msg-{message.external_id}" in body
    # the draft's page links to that result with its window
    draft_page = client.get(f"/compliance/rules/{draft.pk}/").content.decode()
    assert f"?job={job.pk}" in draft_page and "最近 14 天" in draft_page
    english = client.get(started.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Messages of the last 14 days" in english and "Compute in the background" in english
    assert "Latest impact preview: last 14 days" in client.get(f"/compliance/rules/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # the draft changes after the preview: the result says it may be out of date
    rule_save(ruleset=draft, by=manager, rule_id="pdd.extra", data={"category": "abuse", "severity": "warning", "terms": ["笨蛋"]})
    assert "impact-stale" in client.get(started.url).content.decode()


def test_only_managers_run_or_see_previews(client, draft, manager, inspector, tenants):
    job, _ = ruleset_impact_queue(draft=draft, days=7, by=manager)
    for user in (inspector, tenants[0].user):
        client.force_login(user)
        assert client.get(f"/compliance/rules/{draft.pk}/impact/?job={job.pk}").status_code == 403
        assert client.post(f"/compliance/rules/{draft.pk}/impact/", {"days": "7"}).status_code == 403
    client.force_login(manager)
    other_draft = ruleset_draft_create(platform="jd", by=manager)
    assert client.get(f"/compliance/rules/{other_draft.pk}/impact/?job={job.pk}").status_code == 404
    published = RuleSet.objects.get(platform="pdd", status="published")
    assert client.get(f"/compliance/rules/{published.pk}/impact/").status_code == 404
