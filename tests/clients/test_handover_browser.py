"""Browser journey: the merchant uploads product knowledge in their portal, a bad file is refused row by
row, the agency lead acknowledges, an agent finds it in the knowledge base, and go-live names what is missing."""

from __future__ import annotations

from datetime import date

import pytest

from clients.models import Engagement, HandoverBatch
from staffing.models import ShopAssignment
from tests.clients.factories import EngagementFactory
from tests.factories import PASSWORD, AgentFactory, ManagerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logout(page) -> None:
    page.click("form[action$='/logout/'] button")
    page.wait_for_load_state("networkidle")


def test_merchant_uploads_manager_acknowledges_agent_searches(page, login, tenants, tmp_path):
    ManagerFactory(username="lead")
    desk_agent = AgentFactory(username="desk-agent")
    ShopAssignment.objects.create(agent=desk_agent, shop=tenants[0].shop, since=date(2020, 1, 1))
    engagement = EngagementFactory(
        merchant=tenants[0].merchant, shops=[tenants[0].shop], title="租户一全店外包", stage=Engagement.Stage.HANDOVER
    )
    bad = tmp_path / "bad.csv"
    bad.write_bytes("商品编码,商品名称,价格\nK1,保温杯,abc\nK1,,12\n".encode("gbk"))
    good = tmp_path / "good.csv"
    good.write_bytes("\ufeff商品编码,商品名称,价格,售后说明\nK1,真空保温杯,89,七天无理由退货\nK2,焖烧罐,129,\n".encode())

    login(tenants[0].user.username, PASSWORD)
    page.click("[data-nav=portal]")
    page.click("text=租户一全店外包")
    page.click("text=上传交接内容")
    page.select_option("#batch-form select[name=kind]", "product")
    page.fill("#batch-form input[name=title]", "保温杯系列")
    page.click("#batch-form button[type=submit]")
    page.wait_for_selector("text=已创建交接批次")

    page.set_input_files("#import-form input[type=file]", str(bad))
    page.click("#import-form button[type=submit]")
    errors = page.locator("#import-errors li").all_inner_texts()
    assert any("第 2 行" in e and "价格" in e for e in errors)
    assert any("第 3 行" in e and "商品名称" in e for e in errors)
    assert any("第 3 行" in e and "与第 2 行重复" in e for e in errors)
    assert HandoverBatch.objects.get(title="保温杯系列").entries.count() == 0

    page.set_input_files("#import-form input[type=file]", str(good))
    page.click("#import-form button[type=submit]")
    page.wait_for_selector("text=新增 2")
    assert page.locator("#entries tbody tr").count() == 2
    assert page.locator("#acknowledge").count() == 0, "a merchant cannot acknowledge"
    logout(page)

    login("lead", PASSWORD)
    page.goto(f"/clients/engagements/{engagement.pk}/go-live/")
    assert "批次“保温杯系列 v1”（租户店铺1）待确认" in page.inner_text("#golive-checklist")
    page.click("text=查看内容交接")
    page.click("text=保温杯系列")
    page.click("#acknowledge")
    page.wait_for_selector("text=已确认交接批次")
    page.goto(f"/clients/engagements/{engagement.pk}/go-live/")
    assert page.locator("[data-key=handover_acknowledged].check-ok").count() == 1
    page.click("#go-live")
    message = page.inner_text(".messages")
    assert "不能上岗" in message and "合同已签署" in message
    engagement.refresh_from_db()
    assert engagement.stage == Engagement.Stage.HANDOVER
    logout(page)

    login("desk-agent", PASSWORD)
    page.click("[data-nav=knowledge]")
    page.fill("#q", "无理由")
    page.wait_for_selector(".knowledge-results mark.hit")
    assert "真空保温杯" in page.inner_text("#knowledge-results")
    assert "焖烧罐" not in page.inner_text("#knowledge-results")
