"""The commercial records of an engagement: the price book, quotes with their immutable revisions and
the merchant's decisions, contracts with signatures and amendments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.engagements.models import Engagement
from clients.merchants.models import DocumentLanguage, Merchant, Platform

# ---------------------------------------------------------------- price book


class ServiceType(models.TextChoices):
    PRESALE = "presale", _("售前")
    AFTERSALE = "aftersale", _("售后")


class Shift(models.TextChoices):
    DAY = "day", _("白班 8:00–16:00")
    EVENING = "evening", _("晚班 15:00–23:00")
    NIGHT = "night", _("夜班 23:00–8:00")


class PriceBook(models.Model):
    """The agency's prices as data: a quote is priced from the book valid on the day it is made."""

    name = models.CharField(_("名称"), max_length=100)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"))
    night_premium_pct = models.DecimalField(_("夜班溢价(%)"), max_digits=5, decimal_places=2, default=30)
    holiday_premium_pct = models.DecimalField(_("节假日溢价(%)"), max_digits=5, decimal_places=2, default=100)
    surge_premium_pct = models.DecimalField(_("大促临时席位溢价(%)"), max_digits=5, decimal_places=2, default=20)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("价格表")
        verbose_name_plural = _("价格表")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gte=models.F("valid_from")), name="pricebook_dates")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from}–{self.valid_until})"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_until


class SeatRate(models.Model):
    """Monthly price of one seat (one agent on one shift, every day of the month)."""

    price_book = models.ForeignKey(PriceBook, verbose_name=_("价格表"), on_delete=models.CASCADE, related_name="rates")
    service_type = models.CharField(_("服务类型"), max_length=16, choices=ServiceType.choices)
    shift = models.CharField(_("班次"), max_length=16, choices=Shift.choices)
    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    monthly_rate = models.DecimalField(_("月费/席"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("席位单价")
        verbose_name_plural = _("席位单价")
        ordering = ["platform", "service_type", "shift"]
        constraints = [
            models.UniqueConstraint(fields=["price_book", "service_type", "shift", "platform"], name="seatrate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.get_service_type_display()} {self.get_shift_display()}"


class PriceAddOn(models.Model):
    """Extras such as QA reports or service in another language."""

    class Unit(models.TextChoices):
        PER_MONTH = "month", _("每月")
        PER_SEAT_MONTH = "seat_month", _("每席每月")

    price_book = models.ForeignKey(
        PriceBook, verbose_name=_("价格表"), on_delete=models.CASCADE, related_name="addons"
    )
    code = models.SlugField(_("编码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    unit = models.CharField(_("计价单位"), max_length=16, choices=Unit.choices)
    price = models.DecimalField(_("单价"), max_digits=10, decimal_places=2)
    language = models.CharField(
        _("对应语言"), max_length=8, blank=True, help_text=_("咨询要求该语言时自动加入，如 en")
    )

    class Meta:
        verbose_name = _("附加服务")
        verbose_name_plural = _("附加服务")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["price_book", "code"], name="addon_unique")]

    def __str__(self) -> str:
        return self.name


class PricingAlternative(models.Model):
    """Another way to charge: commission on converted sales, or a price per consultation."""

    class Kind(models.TextChoices):
        COMMISSION = "commission", _("按成交额提成")
        PER_CONSULTATION = "per_consultation", _("按咨询量计费")

    price_book = models.ForeignKey(
        PriceBook, verbose_name=_("价格表"), on_delete=models.CASCADE, related_name="alternatives"
    )
    kind = models.CharField(_("方式"), max_length=20, choices=Kind.choices)
    rate = models.DecimalField(
        _("费率"), max_digits=10, decimal_places=4, help_text=_("提成为比例(0.03=3%)，按咨询为元/次")
    )
    minimum_monthly = models.DecimalField(_("每月保底"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("其他计费方式")
        verbose_name_plural = _("其他计费方式")
        constraints = [models.UniqueConstraint(fields=["price_book", "kind"], name="alternative_unique")]

    def __str__(self) -> str:
        return self.get_kind_display()


# ---------------------------------------------------------------- quotes


class ImmutableQuerySet(models.QuerySet):
    """Rows that are a record of what was offered or signed: no bulk update or delete."""

    def update(self, **kwargs):
        raise ImmutableRecord(f"{self.model._meta.verbose_name} 不可修改")

    def delete(self):
        raise ImmutableRecord(f"{self.model._meta.verbose_name} 不可删除")


class ImmutableRecord(Exception):
    pass


class ImmutableModel(models.Model):
    """Written once; `save` on an existing row and `delete` refuse. Corrections are new rows."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecord(f"{self._meta.verbose_name} 一经生成不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"{self._meta.verbose_name} 不可删除")


class Quote(models.Model):
    """A priced offer to a merchant. Its content lives in revisions; this row tracks where it stands."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("已发送")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已拒绝")

    engagement = models.ForeignKey(Engagement, verbose_name=_("合作项目"), on_delete=models.PROTECT, related_name="quotes")
    merchant = models.ForeignKey(Merchant, verbose_name=_("商家"), on_delete=models.PROTECT, related_name="quotes")
    number = models.CharField(_("报价单号"), max_length=32, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    current_revision = models.PositiveIntegerField(_("当前版本"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = _("报价单")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number


class QuoteRevision(ImmutableModel):
    """One version of a quote, exactly as it was offered. Never changed: a change is a new revision."""

    quote = models.ForeignKey(Quote, verbose_name=_("报价单"), on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("版本号"))
    price_book = models.ForeignKey(PriceBook, verbose_name=_("价格表"), on_delete=models.PROTECT, related_name="+")
    platform = models.CharField(_("计价平台"), max_length=16, choices=Platform.choices)
    valid_until = models.DateField(_("有效期至"))
    term_months = models.PositiveSmallIntegerField(_("合同期(月)"), default=12)
    inputs = models.JSONField(_("测算输入"), default=dict)
    derivation = models.JSONField(_("席位测算"), default=dict)
    seats = models.PositiveIntegerField(_("席位数"))
    lines = models.JSONField(_("报价明细"), default=list)
    surges = models.JSONField(_("大促临时席位"), default=list)
    alternatives = models.JSONField(_("其他计费方式"), default=list)
    monthly_total = models.DecimalField(_("月费合计"), max_digits=12, decimal_places=2)
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("报价版本")
        verbose_name_plural = _("报价版本")
        ordering = ["quote", "-number"]
        constraints = [models.UniqueConstraint(fields=["quote", "number"], name="quoterevision_unique")]

    def __str__(self) -> str:
        return f"{self.quote.number} v{self.number}"


class QuoteDecision(ImmutableModel):
    """The merchant's answer to one revision."""

    revision = models.OneToOneField(
        QuoteRevision, verbose_name=_("报价版本"), on_delete=models.PROTECT, related_name="decision"
    )
    accepted = models.BooleanField(_("接受"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("报价答复")
        verbose_name_plural = _("报价答复")

    def __str__(self) -> str:
        return f"{self.revision} {'accepted' if self.accepted else 'declined'}"


# ---------------------------------------------------------------- contracts


class Contract(models.Model):
    """A contract made from an accepted quote revision. Once sent, its PDF and terms are frozen: the
    parties sign that exact document (its SHA-256 is stored with each signature)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SENT = "sent", _("待签署")
        ACTIVE = "active", _("生效中")
        ENDED = "ended", _("已终止")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("合作项目"), on_delete=models.PROTECT, related_name="contracts"
    )
    merchant = models.ForeignKey(Merchant, verbose_name=_("商家"), on_delete=models.PROTECT, related_name="contracts")
    revision = models.OneToOneField(
        QuoteRevision, verbose_name=_("报价版本"), on_delete=models.PROTECT, related_name="contract"
    )
    number = models.CharField(_("合同编号"), max_length=32, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    seats = models.PositiveIntegerField(_("席位数"))
    monthly_price = models.DecimalField(_("月服务费"), max_digits=12, decimal_places=2)
    sla_reply_rate = models.DecimalField(
        _("回复率目标"), max_digits=4, decimal_places=3, default=0.95,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    sla_first_response_seconds = models.PositiveIntegerField(_("首次响应目标(秒)"), default=30)
    sla_qa_score = models.DecimalField(_("质检分目标"), max_digits=5, decimal_places=2, default=90)
    service_credit_pct = models.DecimalField(
        _("每项未达标抵扣(%)"), max_digits=5, decimal_places=2, default=5,
        help_text=_("当月每有一项SLA未达标，按月服务费的该比例抵扣"),
    )
    service_credit_cap_pct = models.DecimalField(_("抵扣上限(%)"), max_digits=5, decimal_places=2, default=15)
    confidentiality = models.TextField(_("买家数据保密条款"))
    buyer_data_retention_days = models.PositiveIntegerField(
        _("买家数据保留天数"), default=180,
        help_text=_("会话结束后保留买家消息原文和买家标识的天数；到期后由系统去标识化，统计数字和命中保留。"),
    )
    pdf = models.BinaryField(_("合同文件"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("文件SHA-256"), max_length=64, blank=True)
    language = models.CharField(
        _("文件语言"), max_length=8, choices=DocumentLanguage.choices, default=DocumentLanguage.CHINESE,
        help_text=_("发送时按商家的文件语言确定，之后不变"),
    )
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    activated_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="contract_dates")
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_frozen(self) -> bool:
        return self.status != self.Status.DRAFT

    @property
    def sla_reply_rate_percent(self) -> str:
        """The reply-rate target as people read it: 0.950 → "95"."""
        value = (Decimal(self.sla_reply_rate) * 100).normalize()
        return f"{value:f}"


class ContractSignature(ImmutableModel):
    class Party(models.TextChoices):
        AGENCY = "agency", _("服务方（外包公司）")
        MERCHANT = "merchant", _("委托方（商家）")

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(_("签署方"), max_length=16, choices=Party.choices)
    class Method(models.TextChoices):
        TYPED = "typed", _("输入姓名")
        DRAWN = "drawn", _("手写签名")

    signer_name = models.CharField(_("签署人"), max_length=100)
    signer_title = models.CharField(_("职务"), max_length=100, blank=True)
    signer_company = models.CharField(_("单位"), max_length=200, blank=True)
    method = models.CharField(_("签名方式"), max_length=8, choices=Method.choices, default=Method.TYPED)
    image = models.BinaryField(_("手写签名图片（PNG）"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签署时间"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("签署来源地址"), null=True, blank=True)
    user_agent = models.CharField(_("签署浏览器"), max_length=300, blank=True)
    pdf_sha256 = models.CharField(_("所签文件SHA-256"), max_length=64)

    class Meta:
        verbose_name = _("合同签署")
        verbose_name_plural = _("合同签署")
        ordering = ["signed_at"]
        constraints = [models.UniqueConstraint(fields=["contract", "party"], name="one_signature_per_party")]

    def __str__(self) -> str:
        return f"{self.contract} {self.party} {self.signer_name}"


class ContractAmendment(ImmutableModel):
    """A later change to an active contract (e.g. extra seats for a promotion window); never an edit."""

    contract = models.ForeignKey(Contract, verbose_name=_("合同"), on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveIntegerField(_("补充协议号"))
    description = models.TextField(_("内容"))
    extra_seats = models.IntegerField(_("增加席位"), default=0)
    effective_from = models.DateField(_("生效日期"))
    effective_until = models.DateField(_("截止日期"))
    price_change = models.DecimalField(_("费用变化"), max_digits=12, decimal_places=2, default=0)
    pdf_sha256 = models.CharField(_("文件SHA-256"), max_length=64)
    pdf = models.BinaryField(_("补充协议文件"), editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("补充协议")
        verbose_name_plural = _("补充协议")
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="amendment_unique"),
            models.CheckConstraint(
                condition=models.Q(effective_until__gte=models.F("effective_from")), name="amendment_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number}-A{self.number}"
