"""The manager's journey: a preview queued for a draft shows its progress, and the page swaps in the result
with highlighted examples once the worker is done, without a reload."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agency.models import Job
from compliance.rules import tasks
from compliance.rules.services import rule_save, ruleset_draft_create, ruleset_load_shipped
from tests.factories import PASSWORD, ChatMessageFactory, ChatSessionFactory, ManagerFactory, ShopFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_watches_a_preview_finish(page, login):
    manager = ManagerFactory(username="manager-browser")
    ruleset_load_shipped()
    draft = ruleset_draft_create(platform="pdd", by=manager)
    rule_save(ruleset=draft, by=manager, rule_id="pdd.shan-song", data={
        "category": "off_platform_trade", "severity": "warning", "terms": ["同城闪送"],
    })
    session = ChatSessionFactory(shop=ShopFactory(platform="pdd"), started_at=timezone.now() - timedelta(hours=1))
    ChatMessageFactory(session=session, text="亲，可以同城闪送", sent_at=session.started_at)
    # queued, as when no worker has taken it yet
    until = timezone.now()
    job = Job.objects.create(kind="compliance.impact", title="影响预览", created_by=manager,
                             result={"draft": draft.pk, "days": 7, "until": until.isoformat()})
    login("manager-browser", PASSWORD)
    page.goto(f"/compliance/rules/{draft.pk}/")
    page.click("#impact-latest a")
    page.locator('#impact-job[data-status="queued"]').wait_for()
    tasks.ruleset_impact_run(job_id=job.pk, draft_id=draft.pk, days=7, until=until.isoformat())
    page.locator('#impact-job[data-status="done"]').wait_for()
    assert page.locator("#impact-added").inner_text() == "1"
    assert page.locator('tr[data-rule="pdd.shan-song"] mark').all_inner_texts() == ["同城闪送"]
