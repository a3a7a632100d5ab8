"""Stored intraday figures: one row per shop and day (the re-forecast as of the last run) and the
suggestions a manager may accept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from staffing.models import ShiftAssignment


class IntradayShopDay(models.Model):
    """A shop's day as of the last run: the day's forecast (taken once, the plan the roster was made for) and,
    per half hour, forecast, actual, re-forecast, required, rostered and gap (`half_hours`, the engine's JSON)."""

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("日期"))
    forecast = models.JSONField(_("当日预测"), default=list)
    forecast_at = models.DateTimeField(_("预测时间"))
    as_of = models.DateTimeField(_("数据截至"))
    ratio = models.FloatField(_("实际/预测比"))
    ratio_reason = models.CharField(_("比例依据"), max_length=16)
    half_hours = models.JSONField(_("各半小时"), default=list)
    short_half_hours = models.PositiveSmallIntegerField(_("缺人时段数"), default=0)
    largest_gap = models.IntegerField(_("最大缺口"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))
    # new sessions per half hour as last counted, kept so the next run only looks at messages imported since
    arrivals = models.JSONField(_("各半小时新会话"), default=list)
    message_cursor = models.BigIntegerField(_("已计入的最大消息编号"), null=True, blank=True)
    counted_at = models.DateTimeField(_("完整计数时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日内预测")
        verbose_name_plural = _("日内预测")
        ordering = ["date", "shop_id"]
        constraints = [models.UniqueConstraint(fields=["shop", "date"], name="intraday_shop_day_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.date}"


class IntradaySuggestion(models.Model):
    """Overtime or a move between shops, proposed by the last run; accepting applies it (audited).
    Proposed rows are replaced by each run; accepted ones stay and count in the rostered figures."""

    class Kind(models.TextChoices):
        OVERTIME = "overtime", _("加班")
        MOVE = "move", _("跨店支援")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("建议")
        ACCEPTED = "accepted", _("已采纳")

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    shift = models.ForeignKey(ShiftAssignment, verbose_name=_("排班"), on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="+")
    from_shop = models.ForeignKey(Shop, verbose_name=_("原店铺"), on_delete=models.CASCADE, related_name="+")
    to_shop = models.ForeignKey(Shop, verbose_name=_("支援店铺"), on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    half_hours = models.PositiveSmallIntegerField(_("补上的缺人时段"))
    created_at = models.DateTimeField(_("提出时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("采纳人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("采纳时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日内调整建议")
        verbose_name_plural = _("日内调整建议")
        ordering = ["date", "starts_at", "id"]
        indexes = [models.Index(fields=["date", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.agent_id} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
