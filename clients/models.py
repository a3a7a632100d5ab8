"""Merchants (the agency's clients) and their shops. Later: consultations, quotes, contracts, handover."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    TAOBAO = "taobao", _("淘宝")
    TMALL = "tmall", _("天猫")
    PDD = "pdd", _("拼多多")
    JD = "jd", _("京东")
    DOUYIN = "douyin", _("抖音")


class Merchant(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("商家")
        verbose_name_plural = _("商家")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Shop(models.Model):
    merchant = models.ForeignKey(Merchant, verbose_name=_("商家"), on_delete=models.PROTECT, related_name="shops")
    code = models.SlugField(_("店铺编码"), max_length=40, unique=True)
    name = models.CharField(_("店铺名称"), max_length=200)
    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("店铺")
        verbose_name_plural = _("店铺")
        ordering = ["merchant__name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"


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
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("合作项目")
        verbose_name_plural = _("合作项目")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title


# Knowledge handover lives in its own module; importing it here registers its models with the app.
from clients.handover.models import HandoverBatch, KnowledgeEntry, KnowledgeKind  # noqa: E402, F401
