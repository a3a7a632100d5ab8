"""Monthly statements (对账单) of contracts and the billing terms they are computed from (contracts §9).

A statement is one version of one contract's month. A draft may be recomputed; issuing freezes it: its
scenario, result, evidence, PDF and XLSX (with their SHA-256) never change again (the models refuse, and
on PostgreSQL a trigger refuses too). The merchant then confirms it, or disputes a line with a comment;
the agency answers and issues a revised version (a new row, `previous` pointing at the old one, which
stays as it was, marked superseded), which the merchant confirms in turn.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.sales.models import Contract


class BillingTerms(models.Model):
    """How a contract is billed beyond its seat lines: session tiers, commission, the conversion target."""

    class ConversionTarget(models.TextChoices):
        NONE = "none", _("不设")
        FLOOR = "floor", _("固定下限")
        SHARE_OF_AVERAGE = "share_of_average", _("近三月均值的比例")

    contract = models.OneToOneField(
        Contract, verbose_name=_("合同"), on_delete=models.CASCADE, related_name="billing_terms"
    )
    session_tiers = models.JSONField(
        _("按会话计费阶梯"), default=list, blank=True,
        help_text=_('如 [{"up_to": 500, "unit_price": "0.90"}, {"up_to": null, "unit_price": "0.70"}]'),
    )
    commission_rate = models.DecimalField(
        _("提成比例"), max_digits=6, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("0.02 即 2%，按询单转化成交额（扣除退款）"),
    )
    commission_minimum = models.DecimalField(
        _("每月保底"), max_digits=12, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    conversion_target = models.CharField(
        _("询单转化率目标"), max_length=20, choices=ConversionTarget.choices, default=ConversionTarget.NONE
    )
    conversion_value = models.DecimalField(
        _("目标值"), max_digits=6, decimal_places=3, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("固定下限如 0.150（15%）；比例如 1.150（近三月均值的 115%）"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("计费条款")
        verbose_name_plural = _("计费条款")

    def __str__(self) -> str:
        return f"{self.contract.number}"


class Statement(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("待确认")
        DISPUTED = "disputed", _("有异议")
        CONFIRMED = "confirmed", _("已确认")
        SUPERSEDED = "superseded", _("已被修订")

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="statements")
    merchant = models.ForeignKey(
        "clients.Merchant", verbose_name=_("商家"), on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField(_("账期"), help_text=_("该月第一天"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    previous = models.OneToOneField(
        "self", verbose_name=_("上一版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="revision"
    )
    number = models.CharField(_("对账单号"), max_length=40, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    scenario = models.JSONField(_("计算输入"), default=dict)
    result = models.JSONField(_("计算结果"), default=dict)
    evidence = models.JSONField(_("依据"), default=dict)
    total = models.DecimalField(_("应付合计"), max_digits=14, decimal_places=2, default=Decimal("0.00"))
    pdf = models.BinaryField(_("对账单PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    xlsx = models.BinaryField(_("对账单XLSX"), null=True, blank=True, editable=False)
    xlsx_sha256 = models.CharField(_("XLSX SHA-256"), max_length=64, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))
    issued_at = models.DateTimeField(_("出具时间"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("出具人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("对账单")
        verbose_name_plural = _("对账单")
        ordering = ["-month", "contract_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "month", "version"], name="statement_unique_version"),
        ]
        indexes = [models.Index(fields=["merchant", "month"], name="statement_merchant_month")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


class StatementDispute(models.Model):
    """The merchant's objection to one line of an issued statement, and the agency's answer."""

    statement = models.ForeignKey(Statement, verbose_name=_("对账单"), on_delete=models.PROTECT, related_name="disputes")
    line_code = models.CharField(_("争议项"), max_length=64)
    comment = models.TextField(_("异议说明"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("提出时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("对账异议")
        verbose_name_plural = _("对账异议")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"{self.statement.number} {self.line_code}"
