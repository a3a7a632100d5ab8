"""Forecasting: a shop's staffing parameters, demand history, the promotion calendar, managers'
overrides and seasonal plans."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop


class StaffingProfile(models.Model):
    """A shop's staffing parameters for Erlang C; a shop without a row uses its platform's defaults."""

    shop = models.OneToOneField(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="staffing_profile")
    aht_seconds = models.PositiveIntegerField(
        _("平均处理时长（秒）"), default=240, validators=[MinValueValidator(10), MaxValueValidator(3600)]
    )
    answer_seconds = models.PositiveIntegerField(
        _("响应目标（秒）"), default=180, validators=[MinValueValidator(1), MaxValueValidator(3600)]
    )
    service_level = models.FloatField(
        _("服务水平目标"), default=0.8, validators=[MinValueValidator(0.01), MaxValueValidator(0.99)],
        help_text=_("0.01–0.99，如 0.8 表示八成咨询在响应目标内接起"),
    )
    max_occupancy = models.FloatField(
        _("占用率上限"), default=0.85, validators=[MinValueValidator(0.3), MaxValueValidator(1)]
    )
    shrinkage = models.FloatField(_("缺勤/非在线率"), default=0.2, validators=[MinValueValidator(0), MaxValueValidator(0.9)])
    concurrency = models.PositiveSmallIntegerField(
        _("并发会话数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    window_start = models.TimeField(_("服务开始"), default="08:00")
    window_end = models.TimeField(_("服务结束"), default="23:00")

    class Meta:
        verbose_name = _("排班参数")
        verbose_name_plural = _("排班参数")

    def __str__(self) -> str:
        return f"{self.shop}"


class IntervalVolume(models.Model):
    """History: consultations that arrived at a shop in one half hour. Fed by whoever has the data
    (compliance's session import, an upload, demo data) through `staffing.forecasting.services.demand_history_record`."""

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="interval_volumes")
    start = models.DateTimeField(_("时段开始"))
    volume = models.PositiveIntegerField(_("咨询量"))
    source = models.CharField(_("来源"), max_length=20, default="import")

    class Meta:
        verbose_name = _("历史咨询量")
        verbose_name_plural = _("历史咨询量")
        ordering = ["shop", "start"]
        constraints = [models.UniqueConstraint(fields=["shop", "start"], name="interval_volume_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.start:%Y-%m-%d %H:%M} {self.volume}"


class Promotion(models.Model):
    """Our promotion calendar: pre-sale, peak days and after-sales tail, each with a volume multiplier."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    presale_start = models.DateField(_("预售开始"))
    peak_start = models.DateField(_("高峰开始"))
    peak_end = models.DateField(_("高峰结束"))
    tail_end = models.DateField(_("售后期结束"))
    presale_uplift = models.FloatField(_("预售倍数"), default=1.5)
    peak_uplift = models.FloatField(_("高峰倍数"), default=3.0)
    tail_uplift = models.FloatField(_("售后倍数"), default=1.4)
    platforms = models.JSONField(_("适用平台"), default=list, blank=True, help_text=_("空表示全部平台"))

    class Meta:
        verbose_name = _("大促日历")
        verbose_name_plural = _("大促日历")
        ordering = ["presale_start"]

    def __str__(self) -> str:
        return self.name


class ForecastOverride(models.Model):
    """A manager's figure replacing the forecast: a whole day's volume (slot empty), or one half hour's
    volume and/or required agents."""

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="forecast_overrides")
    date = models.DateField(_("日期"))
    slot = models.TimeField(_("时段"), null=True, blank=True)
    volume = models.FloatField(_("咨询量"), null=True, blank=True)
    agents = models.PositiveIntegerField(_("所需客服"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调整人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("调整时间"), auto_now=True)

    class Meta:
        verbose_name = _("预测调整")
        verbose_name_plural = _("预测调整")
        ordering = ["date", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "date", "slot"], condition=models.Q(slot__isnull=False), name="override_slot_unique"
            ),
            models.UniqueConstraint(
                fields=["shop", "date"], condition=models.Q(slot__isnull=True), name="override_day_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.date} {self.slot or '*'}"


# --- seasonal plans -------------------------------------------------------------------------------------


class SeasonalPlan(models.Model):
    """Seats per shop and day for a promotion window, against certified capacity."""

    promotion = models.ForeignKey(Promotion, verbose_name=_("大促"), on_delete=models.PROTECT, related_name="plans")
    title = models.CharField(_("名称"), max_length=200)
    shops = models.ManyToManyField(Shop, verbose_name=_("店铺"), through="SeasonalPlanShop", related_name="+")
    shift_hours = models.FloatField(_("每班时长（小时）"), default=8.0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("大促人力计划")
        verbose_name_plural = _("大促人力计划")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SeasonalPlanShop(models.Model):
    """One shop in a plan, with the seed's after-sales inputs for the promotion's tail."""

    plan = models.ForeignKey(SeasonalPlan, verbose_name=_("计划"), on_delete=models.CASCADE, related_name="lines")
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    expected_orders = models.PositiveIntegerField(_("预计订单数"), default=0)
    refund_rate = models.FloatField(_("预计退款率"), default=0.05)
    refunds_per_agent = models.PositiveIntegerField(_("每人每日处理退款数"), default=80)

    class Meta:
        verbose_name = _("计划店铺")
        verbose_name_plural = _("计划店铺")
        constraints = [models.UniqueConstraint(fields=["plan", "shop"], name="plan_shop_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} · {self.shop_id}"


# --- forecast accuracy ------------------------------------------------------------------------------------


class ForecastSnapshot(models.Model):
    """A shop's forecast for one day as it stood some days before it (the horizon), kept so it can later be
    held against what happened: the model's own forecast, and, when a manager changed that day's volumes,
    the forecast with the overrides. `actual` and `absolute_error` are filled once the day's sessions are in
    (half-hour sums; see `staffing.forecasting.accuracy`)."""

    class Horizon(models.TextChoices):
        DAY = "day", _("提前一天")
        WEEK = "week", _("提前一周")

    class Source(models.TextChoices):
        MODEL = "model", _("模型预测")
        OVERRIDE = "override", _("经理调整后")

    HORIZON_DAYS = {Horizon.DAY: 1, Horizon.WEEK: 7}

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="forecast_snapshots")
    target_date = models.DateField(_("预测日期"))
    horizon = models.CharField(_("提前期"), max_length=8, choices=Horizon.choices)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    made_on = models.DateField(_("预测于"))
    volumes = models.JSONField(_("半小时咨询量"), default=list)  # 48 floats, 00:00 … 23:30
    total = models.FloatField(_("预测总量"))
    promotion_code = models.CharField(_("大促"), max_length=40, blank=True)
    phase = models.CharField(_("大促阶段"), max_length=10, blank=True, choices=[
        ("", _("平日")), ("presale", _("预售")), ("peak", _("高峰")), ("tail", _("售后")),
    ])
    actual = models.FloatField(_("实际咨询量"), null=True, blank=True)
    absolute_error = models.FloatField(_("绝对误差合计"), null=True, blank=True)
    scored_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now=True)

    class Meta:
        verbose_name = _("预测快照")
        verbose_name_plural = _("预测快照")
        ordering = ["shop", "target_date", "horizon", "source"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "target_date", "horizon", "source"], name="forecast_snapshot_unique"),
        ]
        indexes = [models.Index(fields=["target_date", "shop"], name="forecast_snapshot_day")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.target_date} {self.horizon} {self.source}"
