"""The page shell: role-aware navigation, language switch, background-job progress."""

import pytest
from django.urls import reverse

from agency.services import job_create, job_finish, job_progress
from tests.factories import AgentFactory


def nav_keys(response) -> set[str]:
    return {item["key"] for item in response.context["nav_items"]}


def test_navigation_differs_by_role(client, manager, agent, tenants):
    client.force_login(manager)
    manager_nav = nav_keys(client.get("/"))
    client.force_login(agent)
    agent_nav = nav_keys(client.get("/"))
    client.force_login(tenants[0].user)
    merchant_nav = nav_keys(client.get("/"))
    assert {"dashboard", "shops", "jobs", "api-docs"} <= manager_nav
    assert "jobs" not in agent_nav and "shops" not in agent_nav
    assert "shops" in merchant_nav and "api-docs" not in merchant_nav


def test_default_language_is_chinese_and_english_is_one_switch_away(client, manager):
    client.force_login(manager)
    assert "工作台" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Dashboard" in client.get("/").content.decode()


def test_job_progress_page_polls_until_finished(client, manager):
    job = job_create(kind="test", title="导入会话", created_by=manager)
    job_progress(job_id=job.pk, progress=0.4, message="40/100")
    client.force_login(manager)
    partial = client.get(reverse("job-detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "40%" in partial and "hx-trigger" in partial
    job_finish(job_id=job.pk, result={"imported": 100})
    partial = client.get(reverse("job-detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "100%" in partial and "hx-trigger" not in partial


def test_someone_elses_job_is_404_for_an_agent(client, manager, db):
    job = job_create(kind="test", title="x", created_by=manager)
    client.force_login(AgentFactory(username="other-agent"))
    assert client.get(reverse("job-detail", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("size", [1, 10])
def test_job_list_query_count_is_constant(client, manager, django_assert_max_num_queries, size):
    for n in range(size):
        job_create(kind="test", title=f"job {n}", created_by=manager)
    client.force_login(manager)
    with django_assert_max_num_queries(6):
        client.get(reverse("job-list"))
