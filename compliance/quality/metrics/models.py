"""Response-time SLAs and stored response metrics.

Grain: a `ResponseTurn` per buyer turn (contracts §7) is the base; `SessionMetrics` per session and
`ShopDayMetrics` / `AgentDayMetrics` per local day are rolled up from turns, always by the services in
`compliance.quality.metrics.services`, never by hand.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Platform, Shop
from compliance.models import ChatMessage, ChatSession


class SlaProfile(models.Model):
    """A platform's response-time rules as data (defaults from domain.md); a contract's targets override."""

    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices, unique=True)
    window_start = models.TimeField(_("服务窗口开始"), default=time(8))
    window_end = models.TimeField(_("服务窗口结束"), default=time(23), help_text=_("不含；早于开始时间表示跨午夜"))
    target_seconds = models.PositiveIntegerField(_("回复时限（秒）"), default=180)
    holiday_window_start = models.TimeField(_("法定节假日窗口开始"), null=True, blank=True)
    holiday_window_end = models.TimeField(
        _("法定节假日窗口结束"), null=True, blank=True, help_text=_("留空则节假日与平日相同")
    )
    reply_rate_target = models.FloatField(
        _("回复率目标"), default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("低于此值即违约告警（合同目标优先）"),
    )
    warning_low = models.FloatField(
        _("预警区间下限"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    warning_high = models.FloatField(
        _("预警区间上限"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    avg_response_target_seconds = models.PositiveIntegerField(_("平均响应目标（秒）"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更新人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("平台考核标准")
        verbose_name_plural = _("平台考核标准")
        ordering = ["platform"]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.window_start:%H:%M}–{self.window_end:%H:%M} {self.target_seconds}s"


class ResponseTurn(models.Model):
    """One buyer turn and its answer (contracts §7); the base every response figure is summed from."""

    session = models.ForeignKey(ChatSession, verbose_name=_("会话"), on_delete=models.CASCADE, related_name="turns")
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"), help_text=_("买家首条消息的北京时间日期"))
    started_at = models.DateTimeField(_("买家发问时间"))
    answered_at = models.DateTimeField(_("客服回复时间"), null=True, blank=True)
    response_seconds = models.FloatField(_("响应时长（秒）"), null=True, blank=True)
    counted = models.BooleanField(_("计入考核"))
    within_target = models.BooleanField(_("时限内回复"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    first_message = models.OneToOneField(
        ChatMessage, verbose_name=_("买家首条消息"), on_delete=models.CASCADE, related_name="turn",
        db_constraint=False,  # the message table is partitioned on PostgreSQL (see ChatMessage)
    )
    answer_message = models.ForeignKey(
        ChatMessage, verbose_name=_("回复消息"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        db_constraint=False,
    )

    class Meta:
        verbose_name = _("买家轮次")
        verbose_name_plural = _("买家轮次")
        ordering = ["started_at", "first_message_id"]
        indexes = [models.Index(fields=["shop", "day"]), models.Index(fields=["session", "started_at"])]

    def __str__(self) -> str:
        return f"turn@{self.started_at:%Y-%m-%d %H:%M:%S} {self.response_seconds}s"

    @property
    def nonreply(self) -> bool:
        return self.counted and (self.response_seconds is None or self.response_seconds > 300)


class SessionMetrics(models.Model):
    session = models.OneToOneField(
        ChatSession, verbose_name=_("会话"), on_delete=models.CASCADE, primary_key=True, related_name="metrics"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("主接待客服"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    counted_turns = models.PositiveIntegerField(_("计入轮次"), default=0)
    answered_turns = models.PositiveIntegerField(_("已回复轮次"), default=0)
    answered_within_target = models.PositiveIntegerField(_("时限内回复轮次"), default=0)
    reply_rate = models.FloatField(_("回复率"), null=True, blank=True)
    first_response_seconds = models.FloatField(_("首次响应（秒）"), null=True, blank=True)
    avg_response_seconds = models.FloatField(_("平均响应（秒）"), null=True, blank=True)
    five_minute_nonreply = models.BooleanField(_("5分钟未回复"), default=False)
    unserved = models.BooleanField(_("未接待"), default=False)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("会话响应指标")
        verbose_name_plural = _("会话响应指标")
        indexes = [models.Index(fields=["shop", "day"]), models.Index(fields=["agent", "day"])]

    def __str__(self) -> str:
        return f"metrics of session {self.session_id}"


class DayMetricsBase(models.Model):
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    sessions = models.PositiveIntegerField(_("会话数"), default=0)
    counted_turns = models.PositiveIntegerField(_("计入轮次"), default=0)
    answered_turns = models.PositiveIntegerField(_("已回复轮次"), default=0)
    answered_within_target = models.PositiveIntegerField(_("时限内回复轮次"), default=0)
    response_seconds_sum = models.FloatField(_("响应时长合计"), default=0)
    nonreply_turns = models.PositiveIntegerField(_("5分钟未回复轮次"), default=0)
    unserved_turns = models.PositiveIntegerField(_("未接待轮次"), default=0)
    first_response_sum = models.FloatField(_("首次响应合计"), default=0)
    first_response_count = models.PositiveIntegerField(_("首次响应会话数"), default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.shop_id}@{self.day}"

    @property
    def reply_rate(self) -> float | None:
        return self.answered_within_target / self.counted_turns if self.counted_turns else None

    @property
    def avg_response_seconds(self) -> float | None:
        return self.response_seconds_sum / self.answered_turns if self.answered_turns else None

    @property
    def avg_first_response_seconds(self) -> float | None:
        return self.first_response_sum / self.first_response_count if self.first_response_count else None


class ShopDayMetrics(DayMetricsBase):
    class Meta:
        verbose_name = _("店铺日指标")
        verbose_name_plural = _("店铺日指标")
        ordering = ["shop", "day"]
        constraints = [models.UniqueConstraint(fields=["shop", "day"], name="shopday_metrics_unique")]


class AgentDayMetrics(DayMetricsBase):
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("客服日指标")
        verbose_name_plural = _("客服日指标")
        ordering = ["shop", "day", "agent"]
        constraints = [models.UniqueConstraint(fields=["agent", "shop", "day"], name="agentday_metrics_unique")]


class MetricsCursor(models.Model):
    """How far the incremental roll-up has read the message table (one row)."""

    key = models.CharField(max_length=32, unique=True, default="messages")
    last_message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("指标增量游标")
        verbose_name_plural = _("指标增量游标")

    def __str__(self) -> str:
        return f"{self.key}: {self.last_message_id}"


class QualityAlert(models.Model):
    """A shop's day that entered the warning band or breached a target: one per shop/day/metric.

    The level only goes up: a day first seen in the warning band and later breached is the same alert,
    escalated (`escalated_at`), and reopened if someone had acknowledged the warning."""

    class Metric(models.TextChoices):
        REPLY_RATE = "reply_rate", _("回复率")
        AVG_RESPONSE = "avg_response", _("平均响应")
        CONVERSION = "conversion_rate", _("询单转化率")

    class Level(models.TextChoices):
        WARNING = "warning", _("预警")
        BREACH = "breach", _("未达标")

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="quality_alerts")
    day = models.DateField(_("日期"))
    metric = models.CharField(_("指标"), max_length=24, choices=Metric.choices)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    value = models.FloatField(_("实际值"))
    threshold = models.FloatField(_("阈值"))
    source = models.CharField(_("阈值来源"), max_length=16, default="platform")
    sessions = models.ManyToManyField(ChatSession, verbose_name=_("相关会话"), blank=True, related_name="+")
    created_at = models.DateTimeField(_("首次告警"), auto_now_add=True)
    escalated_at = models.DateTimeField(_("升级为未达标时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("最近计算"), auto_now=True)
    acknowledged_at = models.DateTimeField(_("已确认时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("质量告警")
        verbose_name_plural = _("质量告警")
        ordering = ["-day", "shop"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "metric"], name="quality_alert_once_per_metric")
        ]
        indexes = [models.Index(fields=["acknowledged_at", "day"])]

    def __str__(self) -> str:
        return f"{self.shop.code} {self.day} {self.metric} {self.level}"


# How serious a level is: an alert's level only rises, and a notification rule fires from its minimum level up.
LEVEL_RANK = {QualityAlert.Level.WARNING.value: 1, QualityAlert.Level.BREACH.value: 2}
