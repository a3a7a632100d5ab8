"""Training, certification, forecasts, seasonal plans, rosters and shifts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop


class ShopAssignment(models.Model):
    """An agent serves a shop from `since` (and until `until`, when set). Rosters pick only from these."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="shop_assignments"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="assignments")
    since = models.DateField(_("开始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("店铺分配")
        verbose_name_plural = _("店铺分配")
        constraints = [models.UniqueConstraint(fields=["agent", "shop", "since"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.agent} → {self.shop}"


class Certification(models.Model):
    """An agent may serve a shop once certified for it (by passing the shop's exam); it expires."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="certifications"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="certifications")
    granted_at = models.DateTimeField(_("认证时间"))
    expires_at = models.DateTimeField(_("到期时间"))
    revoked = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("上岗认证")
        verbose_name_plural = _("上岗认证")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["agent", "shop", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.agent} @ {self.shop} → {self.expires_at:%Y-%m-%d}"


# --- forecasts ---------------------------------------------------------------------------------------------


class StaffingProfile(models.Model):
    """A shop's staffing parameters for Erlang C; a shop without a row uses its platform's defaults."""

    shop = models.OneToOneField(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="staffing_profile")
    aht_seconds = models.PositiveIntegerField(_("平均处理时长（秒）"), default=240)
    answer_seconds = models.PositiveIntegerField(_("响应目标（秒）"), default=180)
    service_level = models.FloatField(_("服务水平目标"), default=0.8)
    max_occupancy = models.FloatField(_("占用率上限"), default=0.85)
    shrinkage = models.FloatField(_("缺勤/非在线率"), default=0.2)
    concurrency = models.PositiveSmallIntegerField(_("并发会话数"), default=3)
    window_start = models.TimeField(_("服务开始"), default="08:00")
    window_end = models.TimeField(_("服务结束"), default="23:00")

    class Meta:
        verbose_name = _("排班参数")
        verbose_name_plural = _("排班参数")

    def __str__(self) -> str:
        return f"{self.shop}"


class IntervalVolume(models.Model):
    """History: consultations that arrived at a shop in one half hour. Fed by whoever has the data
    (compliance's session import, an upload, demo data) through `staffing.services.demand_history_record`."""

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


# --- training, exams --------------------------------------------------------------------------------------


class Course(models.Model):
    """Training material: platform rules (one per platform) or a shop's products and scripts."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("平台规则")
        SHOP = "shop", _("店铺知识")

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    platform = models.CharField(_("平台"), max_length=16, blank=True)
    shop = models.ForeignKey(
        Shop, verbose_name=_("店铺"), null=True, blank=True, on_delete=models.CASCADE, related_name="courses"
    )
    material = models.TextField(_("学习内容"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A single-choice question of a course's pool."""

    course = models.ForeignKey(Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(_("来源键"), max_length=120, help_text=_("生成来源（如规则编号），用于去重"))
    text = models.TextField(_("题目"))
    choices = models.JSONField(_("选项"))
    answer = models.PositiveSmallIntegerField(_("正确选项序号"))
    explanation = models.TextField(_("解析"), blank=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["course", "pk"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="question_key_unique")]

    def __str__(self) -> str:
        return self.text[:40]


class Exam(models.Model):
    """An assessment drawing a random subset from its courses' questions. Passing a shop exam certifies."""

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    courses = models.ManyToManyField(Course, verbose_name=_("课程"), related_name="exams")
    shop = models.ForeignKey(
        Shop, verbose_name=_("认证店铺"), null=True, blank=True, on_delete=models.CASCADE, related_name="exams"
    )
    question_count = models.PositiveSmallIntegerField(_("抽题数"), default=10)
    pass_mark = models.PositiveSmallIntegerField(_("及格分（百分制）"), default=80)
    time_limit_minutes = models.PositiveSmallIntegerField(_("限时（分钟）"), default=20)
    max_attempts = models.PositiveSmallIntegerField(_("最多次数"), default=3)
    certification_days = models.PositiveSmallIntegerField(_("认证有效期（天）"), default=180)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class ExamAttempt(models.Model):
    """One sitting: the drawn questions, the answers given, the score. Submitted once."""

    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.CASCADE, related_name="attempts")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="exam_attempts"
    )
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    question_ids = models.JSONField(_("抽到的题"), default=list)
    answers = models.JSONField(_("作答"), default=dict, blank=True)
    score = models.FloatField(_("得分"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True)
    late = models.BooleanField(_("超时"), default=False)
    certification = models.ForeignKey(
        Certification, verbose_name=_("获得认证"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考试记录")
        verbose_name_plural = _("考试记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["agent", "exam"])]

    def __str__(self) -> str:
        return f"{self.agent} · {self.exam}"


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


# Rosters live in their own module; importing them here registers them with the staffing app.
from staffing.roster_models import (  # noqa: E402, F401
    Leave,
    Roster,
    RosterDemand,
    ShiftAssignment,
    ShiftTemplate,
    SwapRequest,
)
