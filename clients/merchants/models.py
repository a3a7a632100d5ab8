"""Merchants (the agency's clients) and their shops."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    TAOBAO = "taobao", _("淘宝")
    TMALL = "tmall", _("天猫")
    PDD = "pdd", _("拼多多")
    JD = "jd", _("京东")
    DOUYIN = "douyin", _("抖音")


class DocumentLanguage(models.TextChoices):
    """The language a merchant's documents are written in; each named in itself, as the language switch does."""

    CHINESE = "zh-hans", "简体中文"
    ENGLISH = "en", "English"


class Merchant(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    language = models.CharField(
        _("文件语言"), max_length=8, choices=DocumentLanguage.choices, default=DocumentLanguage.CHINESE,
        help_text=_("报价单、合同、对账单和月度报告以此语言出具"),
    )
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
