"""Alerts reach people: a breach sends one robot webhook call (to a real HTTP server in this test) and one
e-mail (Django's locmem backend); reruns send nothing more; digests go once a day; in-app notices."""

from __future__ import annotations

import json
import re
import threading
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from compliance.quality.alerts.models import AlertDelivery, NotificationRule
from compliance.quality.alerts.services import (
    RETRY_MAX,
    alert_deliveries_retry,
    alerts_digest_send,
    alerts_notify,
    notification_rule_save,
)
from compliance.quality.metrics.services import metrics_refresh
from compliance.quality.models import QualityAlert
from tests.factories import SHANGHAI, AgentFactory, ShopFactory
from tests.quality.factories import EDGES, MIDNIGHT, make_scripted_session

pytestmark = pytest.mark.django_db

DINGTALK_SIGN = "p3OXD2mfkaGK8ZH5YRJtpOsgTnt++rqYO+am8yyHMbE="
FEISHU_SIGN = "bIrGwxPp8epG9G6/n3/Eqgqq/2chvrRd8SI38bKfbyM="


class _Robot(BaseHTTPRequestHandler):
    """A group robot: records every POST and answers like the real ones (errcode / code)."""

    calls: list[dict]
    answer: bytes = b'{"errcode": 0, "errmsg": "ok"}'

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.calls.append(  # type: ignore[attr-defined]
            {"path": self.path, "body": json.loads(body), "type": self.headers.get("Content-Type")}
        )
        if self.server.failures:  # type: ignore[attr-defined]
            self.server.failures -= 1  # type: ignore[attr-defined]
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.server.answer)  # type: ignore[attr-defined]

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def robot_server(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Robot)
    server.calls = []  # type: ignore[attr-defined]
    server.answer = b'{"errcode": 0, "errmsg": "ok"}'  # type: ignore[attr-defined]
    server.failures = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.ALERT_WEBHOOK_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "https://agency.example"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def pdd_shop(tenants):
    shop = ShopFactory(platform="pdd", code="notify-pdd", name="蓝心拼多多店", merchant=tenants[0].merchant)
    agent = AgentFactory(code="nt1")
    make_scripted_session(shop, "edges", EDGES, agent=agent)  # 11-03: 75%, a warning under PDD defaults
    make_scripted_session(shop, "midnight", MIDNIGHT, agent=agent)  # 11-04: 0%, a breach
    return shop


def _rule(user, **data) -> NotificationRule:
    fields = {"name": "r", "channel": "in_app", "min_level": "breach", "mode": "immediate", "digest_hour": 9,
              "active": True, **data}
    return notification_rule_save(user=user, data=fields, shops=data.pop("shops", []))


def test_a_breach_sends_one_webhook_call_and_one_email_and_reruns_send_nothing_more(
    manager, pdd_shop, robot_server, django_capture_on_commit_callbacks
):
    port = robot_server.server_address[1]
    manager.email = "lead@agency.example"
    manager.save()
    _rule(manager, name="企业微信群", channel="webhook", robot="wecom", webhook_url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k1")
    _rule(manager, name="邮件", channel="email")

    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh()
    breach = QualityAlert.objects.get(shop=pdd_shop, level="breach")
    assert QualityAlert.objects.filter(shop=pdd_shop).count() == 2  # the warning of 11-03 reaches neither rule

    assert len(robot_server.calls) == 1
    call = robot_server.calls[0]
    assert call["path"] == "/cgi-bin/webhook/send?key=k1" and call["type"].startswith("application/json")
    assert call["body"]["msgtype"] == "markdown"
    content = call["body"]["markdown"]["content"]
    assert "蓝心拼多多店" in content and "2026-11-04" in content and "未达标" in content
    assert "https://agency.example/quality/alerts/" in content

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@agency.example"] and "蓝心拼多多店" in mail.outbox[0].subject
    assert "0.0%" in mail.outbox[0].body
    assert set(AlertDelivery.objects.values_list("alert_id", "status")) == {(breach.pk, "sent")}

    # recomputing, re-queuing the same alert, or a second worker: nothing more is sent
    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh()
    assert alerts_notify(alert_ids=[breach.pk]) == 0
    assert len(robot_server.calls) == 1 and len(mail.outbox) == 1
    assert AlertDelivery.objects.count() == 2


def test_an_escalation_reaches_a_breach_rule_once_and_a_warning_rule_heard_the_warning_only(
    manager, pdd_shop, robot_server, monkeypatch, django_capture_on_commit_callbacks
):
    warning_rule = _rule(manager, name="预警起", min_level="warning")
    breach_rule = _rule(manager, name="未达标起", min_level="breach")
    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh()
    day3 = QualityAlert.objects.get(shop=pdd_shop, day="2026-11-03")
    assert day3.level == "warning"
    assert set(AlertDelivery.objects.filter(alert=day3).values_list("rule_id", "level")) == {(warning_rule.pk, "warning")}

    monkeypatch.setattr("compliance.quality.metrics.sla.contract_sla", lambda s, on: {"reply_rate_target": 0.95})
    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh()
    # escalated: the breach rule hears of it now; the warning rule already did, so not again
    assert set(AlertDelivery.objects.filter(alert=day3).values_list("rule_id", "level")) == {
        (warning_rule.pk, "warning"), (breach_rule.pk, "breach")
    }


def test_dingtalk_and_feishu_get_their_own_json_and_signature(manager, pdd_shop, robot_server, time_machine):
    time_machine.move_to(datetime(2026, 11, 5, 9, 0, tzinfo=SHANGHAI), tick=False)
    port = robot_server.server_address[1]
    _rule(manager, name="钉钉", channel="webhook", robot="dingtalk", webhook_url=f"http://127.0.0.1:{port}/robot/send?access_token=t",
          webhook_secret="SECdemo")
    _rule(manager, name="飞书", channel="webhook", robot="feishu", webhook_url=f"http://127.0.0.1:{port}/open-apis/bot/v2/hook/x",
          webhook_secret="fsdemo")
    metrics_refresh()  # on_commit not run here: notify by hand, as the task would
    breach = QualityAlert.objects.get(shop=pdd_shop, level="breach")
    robot_server.answer = b'{"errcode": 0, "code": 0, "msg": "success"}'
    assert alerts_notify(alert_ids=[breach.pk]) == 2
    by_path = {urlsplit(c["path"]).path: c for c in robot_server.calls}
    ding = by_path["/robot/send"]
    query = parse_qs(urlsplit(ding["path"]).query)
    assert query["access_token"] == ["t"] and query["timestamp"] == ["1793840400000"]
    # DingTalk: base64(HMAC-SHA256(secret, "1793840400000\nSECdemo")), computed once with openssl:
    # printf '1793840400000\nSECdemo' | openssl dgst -sha256 -hmac SECdemo -binary | base64
    assert query["sign"] == [DINGTALK_SIGN]
    assert ding["body"]["msgtype"] == "markdown" and "蓝心拼多多店" in ding["body"]["markdown"]["text"]
    feishu = by_path["/open-apis/bot/v2/hook/x"]["body"]
    assert feishu["msg_type"] == "text" and feishu["timestamp"] == "1793840400"
    # Feishu: base64(HMAC-SHA256(key="1793840400\nfsdemo", msg="")):
    # printf '' | openssl dgst -sha256 -hmac "$(printf '1793840400\nfsdemo')" -binary | base64
    assert feishu["sign"] == FEISHU_SIGN
    assert "**" not in feishu["content"]["text"] and "蓝心拼多多店" in feishu["content"]["text"]


def test_a_robot_that_refuses_marks_the_delivery_failed_and_it_is_not_resent(manager, pdd_shop, robot_server):
    port = robot_server.server_address[1]
    rule = _rule(manager, channel="webhook", robot="wecom", webhook_url=f"http://127.0.0.1:{port}/send?key=bad")
    robot_server.answer = b'{"errcode": 93000, "errmsg": "invalid webhook url"}'
    metrics_refresh()
    breach = QualityAlert.objects.get(shop=pdd_shop, level="breach")
    assert alerts_notify(alert_ids=[breach.pk]) == 0
    delivery = AlertDelivery.objects.get(rule=rule)
    assert delivery.status == "failed" and "invalid webhook url" in delivery.error
    alerts_notify(alert_ids=[breach.pk])
    assert len(robot_server.calls) == 1


def test_a_rule_hears_only_its_shops_and_metric(manager, pdd_shop, tenants):
    other_shop = ShopFactory(platform="pdd", code="notify-other", merchant=tenants[1].merchant)
    only_other = _rule(manager, name="别的店", min_level="warning", shops=[other_shop])
    only_avg = _rule(manager, name="平均响应", min_level="warning", metric="avg_response")
    everything = _rule(manager, name="全部", min_level="warning")
    metrics_refresh()
    alerts_notify(alert_ids=list(QualityAlert.objects.values_list("pk", flat=True)))
    assert not AlertDelivery.objects.filter(rule__in=[only_other, only_avg]).exists()
    assert AlertDelivery.objects.filter(rule=everything).count() == 2


def test_the_daily_digest_sends_once_a_day_from_its_hour(manager, pdd_shop, time_machine):
    manager.email = "lead@agency.example"
    manager.save()
    rule = _rule(manager, name="日报", channel="email", min_level="warning", mode="digest", digest_hour=9)
    metrics_refresh()
    alerts_notify(alert_ids=list(QualityAlert.objects.values_list("pk", flat=True)))
    assert mail.outbox == []  # a digest rule does not hear of alerts one by one

    time_machine.move_to(datetime(2026, 11, 5, 8, 5, tzinfo=SHANGHAI), tick=False)
    assert alerts_digest_send() == 0 and mail.outbox == []  # before its hour
    time_machine.move_to(datetime(2026, 11, 5, 9, 5, tzinfo=SHANGHAI), tick=False)
    assert alerts_digest_send() == 2
    assert len(mail.outbox) == 1 and "2" in mail.outbox[0].subject
    body = mail.outbox[0].body
    assert "2026-11-03" in body and "2026-11-04" in body and "预警" in body
    time_machine.move_to(datetime(2026, 11, 5, 10, 5, tzinfo=SHANGHAI), tick=False)
    assert alerts_digest_send() == 0 and len(mail.outbox) == 1  # once a day
    assert set(AlertDelivery.objects.filter(rule=rule).values_list("digest", "status")) == {(True, "sent")}


def test_in_app_notices_and_their_inbox(client, manager, pdd_shop):
    _rule(manager, name="站内")
    metrics_refresh()
    alerts_notify(alert_ids=list(QualityAlert.objects.values_list("pk", flat=True)))
    client.force_login(manager)
    page = client.get(reverse("quality:inbox"))
    assert page.status_code == 200 and "蓝心拼多多店" in page.content.decode()
    assert page.content.decode().count('class="unread"') == 1
    client.post(reverse("quality:inbox-read"))
    assert not AlertDelivery.objects.filter(read_at__isnull=True).exists()


def test_rule_form_refuses_an_incomplete_or_foreign_webhook(client, manager):
    client.force_login(manager)
    url = reverse("quality:notification-rules")
    base = {"name": "x", "channel": "webhook", "min_level": "breach", "mode": "immediate", "digest_hour": "9", "active": "on"}
    page = client.post(url, {**base, "robot": "wecom", "webhook_url": "http://10.0.0.5/internal"})
    assert page.status_code == 200 and "只能填写企业微信、钉钉或飞书机器人的 Webhook 地址" in page.content.decode()
    page = client.post(url, {**base, "robot": "", "webhook_url": ""})
    assert "须选择机器人类型" in page.content.decode() and "须填写 Webhook 地址" in page.content.decode()
    page = client.post(url, {**base, "channel": "email", "digest_hour": "99"})
    assert page.status_code == 200 and 'id="rule-form-errors"' in page.content.decode()
    assert not NotificationRule.objects.exists()
    ok = client.post(url, {**base, "robot": "feishu", "webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc"})
    assert ok.status_code == 302 and NotificationRule.objects.get().robot == "feishu"


def test_a_rule_hears_its_alerts_in_its_own_language(manager, pdd_shop, robot_server, django_capture_on_commit_callbacks):
    port = robot_server.server_address[1]
    _rule(manager, name="English group", channel="webhook", robot="wecom", language="en",
          webhook_url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=en")
    _rule(manager, name="中文群", channel="webhook", robot="wecom", language="zh-hans",
          webhook_url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=zh")
    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh()
    by_key = {call["path"].rsplit("=", 1)[1]: call["body"]["markdown"]["content"] for call in robot_server.calls}
    assert set(by_key) == {"en", "zh"}
    assert "Quality alert" in by_key["en"] and not re.search(r"[\u4e00-\u9fff]", by_key["en"].replace("蓝心拼多多店", ""))
    assert "质量告警" in by_key["zh"] and "未达标" in by_key["zh"]


@pytest.fixture
def eager_retries():
    """Run eagerly, Celery applies a task's retries in place only when task errors do not propagate (in a
    worker a retry is a new message after its countdown)."""
    from agency.celery import app

    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = True


def test_a_send_that_did_not_get_through_is_tried_again_until_it_does_and_only_once(
    manager, pdd_shop, robot_server, django_capture_on_commit_callbacks, eager_retries
):
    robot_server.failures = 2  # the robot answers 500 twice, then takes the message
    port = robot_server.server_address[1]
    rule = _rule(manager, name="群", channel="webhook", robot="wecom",
                 webhook_url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k1")
    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh()
    breach = QualityAlert.objects.get(shop=pdd_shop, level="breach")
    assert len(robot_server.calls) == 3 and robot_server.failures == 0
    assert set(AlertDelivery.objects.values_list("alert_id", "status")) == {(breach.pk, "sent")}
    # Sent once: trying again (a late retry, a second worker) sends nothing more.
    assert alert_deliveries_retry(rule_id=rule.pk, alert_ids=[breach.pk], digest=False) is False
    assert alerts_notify(alert_ids=[breach.pk]) == 0 and len(robot_server.calls) == 3


def test_a_send_that_keeps_failing_stops_after_its_tries_and_stays_failed(
    manager, pdd_shop, robot_server, django_capture_on_commit_callbacks, eager_retries
):
    robot_server.failures = 100
    port = robot_server.server_address[1]
    _rule(manager, name="群", channel="webhook", robot="wecom",
          webhook_url=f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k1")
    with django_capture_on_commit_callbacks(execute=True):
        metrics_refresh()
    assert len(robot_server.calls) == 1 + RETRY_MAX  # the first send and five retries
    delivery = AlertDelivery.objects.get()
    assert delivery.status == "failed" and "500" in delivery.error
