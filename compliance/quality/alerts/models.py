"""Who hears of an alert, how, and what was sent (at most one delivery per alert and rule)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.merchants.models import DocumentLanguage
from clients.models import Shop
from compliance.quality.metrics.models import QualityAlert


class NotificationRule(models.Model):
    """One person's wish to hear of alerts: which ones (level, metric, shops), by which channel, when."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("站内通知")
        EMAIL = "email", _("电子邮件")
        WEBHOOK = "webhook", _("群机器人")

    class Robot(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")
        FEISHU = "feishu", _("飞书")

    class Mode(models.TextChoices):
        IMMEDIATE = "immediate", _("即时")
        DIGEST = "digest", _("每日汇总")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notification_rules"
    )
    name = models.CharField(_("名称"), max_length=80)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices, default=Channel.IN_APP)
    robot = models.CharField(_("机器人类型"), max_length=12, choices=Robot.choices, blank=True)
    webhook_url = models.URLField(_("Webhook 地址"), max_length=500, blank=True)
    webhook_secret = models.CharField(
        _("加签密钥"), max_length=200, blank=True, help_text=_("钉钉、飞书机器人开启加签时填写")
    )
    email = models.EmailField(_("收件邮箱"), blank=True, help_text=_("留空则用账号邮箱"))
    min_level = models.CharField(
        _("最低级别"), max_length=12, choices=QualityAlert.Level.choices, default=QualityAlert.Level.BREACH
    )
    metric = models.CharField(
        _("指标"), max_length=24, choices=QualityAlert.Metric.choices, blank=True, help_text=_("留空则全部指标")
    )
    shops = models.ManyToManyField(
        Shop, verbose_name=_("店铺"), blank=True, related_name="+", help_text=_("不选则为可见的全部店铺")
    )
    mode = models.CharField(_("发送方式"), max_length=12, choices=Mode.choices, default=Mode.IMMEDIATE)
    digest_hour = models.PositiveSmallIntegerField(
        _("汇总发送时刻"), default=9, validators=[MaxValueValidator(23)], help_text=_("北京时间，0–23 点")
    )
    language = models.CharField(
        _("通知语言"), max_length=8, choices=DocumentLanguage.choices, default=DocumentLanguage.CHINESE,
        help_text=_("邮件和群机器人消息以此语言发出"),
    )
    active = models.BooleanField(_("启用"), default=True)
    last_digest_at = models.DateTimeField(_("上次汇总时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知规则")
        verbose_name_plural = _("通知规则")
        ordering = ["user", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="webhook") | (~models.Q(robot="") & ~models.Q(webhook_url="")),
                name="notification_rule_webhook_complete",
            ),
            models.CheckConstraint(condition=models.Q(digest_hour__lte=23), name="notification_rule_digest_hour"),
        ]

    def __str__(self) -> str:
        return self.name


class AlertDelivery(models.Model):
    """An alert handed to one rule. Unique per (rule, alert): whatever reruns, a rule hears of an alert once.

    A worker claims a pending delivery (pending → sending) before it sends, so two workers never both send;
    one that dies mid-send leaves it `sending`, never sent twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    rule = models.ForeignKey(NotificationRule, verbose_name=_("通知规则"), on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(QualityAlert, verbose_name=_("告警"), on_delete=models.CASCADE, related_name="deliveries")
    level = models.CharField(_("通知时级别"), max_length=12, choices=QualityAlert.Level.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    digest = models.BooleanField(_("汇总发送"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("告警通知")
        verbose_name_plural = _("告警通知")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "alert"], name="alert_delivery_once_per_rule")]
        indexes = [models.Index(fields=["rule", "status"])]

    def __str__(self) -> str:
        return f"{self.rule_id}→{self.alert_id} {self.status}"
