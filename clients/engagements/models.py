"""The engagement: one merchant's outsourcing from first consultation to live service, and its activity log."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.merchants.models import Merchant, Shop


def validate_peak_hours(value: str) -> None:
    """Peak hours as one or more `HH:MM-HH:MM` ranges within a day, separated by commas."""
    for part in (p.strip() for p in value.replace("，", ",").split(",")):
        if not part:
            continue
        pieces = [p.strip() for p in part.replace("–", "-").split("-")]
        try:
            start, end = (time.fromisoformat(p if len(p) == 5 else f"0{p}") for p in pieces) if len(pieces) == 2 else (None, None)
        except ValueError:
            start = end = None
        if start is None or end is None:
            raise ValidationError(_("“%(part)s”不是有效的时段，应写成 10:00-12:00"), params={"part": part}, code="format")
        # A range may run past midnight into the small hours (23:00-01:00); otherwise the end comes later.
        if end == start or (end < start and end > time(6, 0)):
            raise ValidationError(_("时段“%(part)s”的结束时间应晚于开始时间"), params={"part": part}, code="order")


# Languages an engagement's buyers may be served in, by code (stored) and name (shown).
SERVICE_LANGUAGES = {"zh": _("中文"), "en": _("英语"), "ja": _("日语"), "ko": _("韩语"), "ru": _("俄语"),
                     "fr": _("法语"), "de": _("德语"), "es": _("西班牙语")}

validate_languages = RegexValidator(
    r"^\s*[a-z]{2}(-[a-z]{2,4})?(\s*,\s*[a-z]{2}(-[a-z]{2,4})?)*\s*$",
    _("服务语言应为逗号分隔的语言代码，如 zh,en"),
)


class Engagement(models.Model):
    """One merchant's outsourcing engagement, from first consultation to live service under QA.

    The lifecycle of seed 002: consultation → quote → contract → knowledge handover → training →
    go-live → ongoing QA. The consultation's details, quotes, contracts and handover hang off it.
    """

    class Stage(models.TextChoices):
        CONSULTATION = "consultation", _("业务咨询")
        QUOTING = "quoting", _("报价")
        CONTRACTING = "contracting", _("签约")
        HANDOVER = "handover", _("内容交接")
        TRAINING = "training", _("客服培训")
        LIVE = "live", _("已上岗·质检中")
        LOST = "lost", _("未成交")
        ENDED = "ended", _("已结束")

    merchant = models.ForeignKey(Merchant, verbose_name=_("商家"), on_delete=models.PROTECT, related_name="engagements")
    title = models.CharField(_("名称"), max_length=200)
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.CONSULTATION)
    shops = models.ManyToManyField(Shop, verbose_name=_("店铺"), blank=True, related_name="engagements")
    next_step = models.CharField(_("下一步"), max_length=200, blank=True)
    next_step_due = models.DateField(_("下一步截止"), null=True, blank=True)
    # The consultation (业务咨询): what the merchant told us about their shops and their buyers.
    daily_volume = models.PositiveIntegerField(
        _("日咨询量"), default=0, help_text=_("每天的买家咨询数"), validators=[MaxValueValidator(500_000)]
    )
    peak_hours = models.CharField(
        _("高峰时段"), max_length=100, blank=True, help_text=_("如 10:00-12:00, 20:00-22:00"),
        validators=[validate_peak_hours],
    )
    peak_hour_share = models.DecimalField(
        _("高峰小时占比"), max_digits=4, decimal_places=3, default=Decimal("0.12"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(1)],
        help_text=_("最忙的一小时占全天咨询量的比例"),
    )
    service_start = models.TimeField(_("服务开始"), default=time(8, 0))
    service_end = models.TimeField(_("服务结束"), default=time(23, 0))
    presale_share = models.PositiveSmallIntegerField(
        _("售前占比(%)"), default=60, validators=[MaxValueValidator(100)]
    )
    languages = models.CharField(
        _("服务语言"), max_length=100, default="zh", help_text=_("逗号分隔，如 zh,en"), validators=[validate_languages]
    )
    avg_handle_seconds = models.PositiveIntegerField(
        _("平均处理时长(秒)"), default=240, validators=[MinValueValidator(10), MaxValueValidator(3600)]
    )
    concurrency = models.PositiveSmallIntegerField(
        _("并发接待数"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    seasonal_peaks = models.JSONField(
        _("大促高峰"), default=list, blank=True,
        help_text=_('[{"name": "双11", "start": "2026-11-01", "end": "2026-11-12", "multiplier": 3}]'),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Set by the portal's home page on each engagement it lists: `lifecycle_steps` of it (not a field).
    steps: list[dict]

    class Meta:
        verbose_name = _("合作项目")
        verbose_name_plural = _("合作项目")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def aftersale_share(self) -> int:
        return 100 - self.presale_share

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    @property
    def next_step_shown(self) -> str:
        """The next step as typed; once a stage change has cleared it, the stage's usual next step."""
        if self.next_step:
            return self.next_step
        return str(STAGE_NEXT_STEPS.get(self.stage, ""))

    @property
    def language_names(self) -> str:
        """The service languages by name, in the reader's language (a code we do not know stays a code)."""
        return str(_("、")).join(str(SERVICE_LANGUAGES.get(code.split("-")[0], code)) for code in self.language_list)


class EngagementActivity(models.Model):
    """The engagement's log: notes, calls, stage changes, quotes and signatures, newest first."""

    class Kind(models.TextChoices):
        NOTE = "note", _("备注")
        STAGE = "stage", _("阶段变更")
        QUOTE = "quote", _("报价")
        CONTRACT = "contract", _("合同")
        NEXT_STEP = "next_step", _("下一步")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("合作项目"), on_delete=models.CASCADE, related_name="activities"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.NOTE)
    # A note keeps what the person wrote in `text`; a system step keeps an event code and its parameters,
    # rendered in the reader's language when shown (`clients.engagements.activity.activity_message`).
    text = models.TextField(_("内容"), blank=True)
    event = models.CharField(_("事件"), max_length=32, blank=True)
    params = models.JSONField(_("参数"), default=dict, blank=True)

    class Meta:
        verbose_name = _("项目动态")
        verbose_name_plural = _("项目动态")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.message[:40]}"

    @property
    def message(self) -> str:
        """The line in the reader's language: a note as written, a system step rendered from its code."""
        from clients.engagements.activity import activity_message

        return activity_message(self.event, self.params, self.text)


# What usually comes next in each stage, shown while nobody has typed a next step of the stage.
STAGE_NEXT_STEPS: dict[str, Any] = {
    Engagement.Stage.CONSULTATION: _("补充咨询信息，生成报价"),
    Engagement.Stage.QUOTING: _("发送报价，等待商家答复"),
    Engagement.Stage.CONTRACTING: _("发出合同，完成双方签署"),
    Engagement.Stage.HANDOVER: _("完成知识交接并由商家确认"),
    Engagement.Stage.TRAINING: _("完成客服培训与认证，发布两周排班"),
    Engagement.Stage.LIVE: _("按月质检，发送月度报告"),
}
