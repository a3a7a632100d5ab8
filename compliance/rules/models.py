"""The versioned rule library: rule-set versions per platform, their rules, and merchants' own rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Platform, Shop


class ClassifierModel(models.Model):
    """One trained clause classifier (`compliance/engine/model/clause_model.npz`), stored by content.

    A rule-set version points at the model it scans with, so an old version keeps scanning with its own
    model after a new one ships (past results stay reproducible)."""

    sha256 = models.CharField(_("内容摘要"), max_length=64, unique=True)
    data = models.BinaryField(_("模型文件"))
    meta = models.JSONField(_("训练信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("分句分类模型")
        verbose_name_plural = _("分句分类模型")

    def __str__(self) -> str:
        return self.sha256[:12]


class RuleSet(models.Model):
    """One published (or draft) version of a platform's rules. Hits keep the version that found them."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        RETIRED = "retired", _("已停用")

    class Source(models.TextChoices):
        SHIPPED = "shipped", _("内置规则库")
        EDITED = "edited", _("人工编辑")

    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    version = models.PositiveIntegerField(_("版本"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.SHIPPED)
    content_hash = models.CharField(_("内容摘要"), max_length=64, blank=True)
    aliases = models.JSONField(_("变体对照表"), default=dict, blank=True)
    classifier = models.ForeignKey(
        ClassifierModel, verbose_name=_("分句分类模型"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="rulesets",
    )
    notes = models.TextField(_("版本说明"), blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("基于版本"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("规则集")
        verbose_name_plural = _("规则集")
        ordering = ["platform", "-version"]
        constraints = [models.UniqueConstraint(fields=["platform", "version"], name="ruleset_version_unique")]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} v{self.version}"


class Category(models.TextChoices):
    ABSOLUTE_CLAIM = "absolute_claim", _("绝对化用语")
    OTHER_PLATFORM = "other_platform", _("站外平台")
    OFF_PLATFORM_TRADE = "off_platform_trade", _("引导站外交易")
    CONTACT_INFO = "contact_info", _("联系方式")
    REVIEW_INDUCEMENT = "review_inducement", _("诱导好评")
    ABUSE = "abuse", _("辱骂买家")
    FORBIDDEN_PHRASE = "forbidden_phrase", _("服务禁语")
    COMMITMENT_BREACH = "commitment_breach", _("违背承诺")


class Severity(models.TextChoices):
    INFO = "info", _("提示")
    WARNING = "warning", _("警告")
    VIOLATION = "violation", _("违规")
    SEVERE = "severe", _("严重违规")


# The engine's pattern detectors (`compliance.engine.scanner.DETECTORS`), by name.
DETECTOR_LABELS = {
    "mobile": _("手机号"), "landline": _("固定电话"), "qq": _("QQ号"), "wechat": _("微信号"), "email": _("电子邮箱"),
    "url": _("网址"), "bank_card": _("银行卡号"), "id_number": _("身份证号"),
}


class Rule(models.Model):
    """One rule inside one rule-set version. Rows of a published version are never edited again."""

    ruleset = models.ForeignKey(RuleSet, verbose_name=_("规则集"), on_delete=models.CASCADE, related_name="rules")
    rule_id = models.CharField(_("规则编号"), max_length=64)
    category = models.CharField(_("类别"), max_length=32, choices=Category.choices)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    terms = models.JSONField(_("关键词"), default=list, blank=True)
    evasion = models.BooleanField(_("识别变体"), default=False, help_text=_("同时匹配谐音、形近字、拼音和缩写"))
    allow = models.JSONField(_("放行短语"), default=list, blank=True)
    detector = models.CharField(_("检测器"), max_length=16, blank=True)
    combination = models.JSONField(
        _("组合条件"), default=list, blank=True, help_text=_("每组任取一词，所有组须在同一分句（或同一条消息）内出现，顺序不限")
    )
    unless = models.JSONField(_("排除词"), default=list, blank=True)
    scope = models.CharField(_("组合范围"), max_length=16, default="clause", blank=True)
    question = models.BooleanField(_("问句也算"), default=False)
    homophones = models.BooleanField(_("按读音识别"), default=False, help_text=_("同音字、近音字（拼音）也识别"))
    negatable = models.BooleanField(_("否定句不算"), default=False, help_text=_("同一分句里有否定（不支持、请不要、不接受……）时不命中"))
    suggestion = models.CharField(_("建议用语"), max_length=300, blank=True)
    explanation = models.TextField(_("说明"), blank=True)
    platform_rule = models.CharField(_("平台规则"), max_length=300, blank=True)
    penalty = models.CharField(_("处罚"), max_length=200, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("规则")
        verbose_name_plural = _("规则")
        ordering = ["category", "rule_id"]
        constraints = [models.UniqueConstraint(fields=["ruleset", "rule_id"], name="rule_unique_per_version")]

    def __str__(self) -> str:
        return self.rule_id

    @property
    def detector_label(self) -> str:
        """What the rule's detector finds, by name (the code stays in the data)."""
        return str(DETECTOR_LABELS.get(self.detector, self.detector))

    def as_engine_dict(self) -> dict:
        return {
            "id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "terms": list(self.terms or []),
            "evasion": self.evasion,
            "allow": list(self.allow or []),
            "detector": self.detector or None,
            "suggestion": self.suggestion or None,
            "all": [list(group) for group in self.combination or []],
            "unless": list(self.unless or []),
            "scope": self.scope or "clause",
            "question": self.question,
            "homophones": self.homophones,
            "negatable": self.negatable,
        }


class ClassifierSwitch(models.Model):
    """A manager's switch for the classifier of one category on one platform (on unless a row says off).

    Respected by every scan and the pre-send check; rule-set versions are not touched, so switching back
    on restores the version's behaviour."""

    platform = models.CharField(_("平台"), max_length=16, choices=Platform.choices)
    category = models.CharField(_("类别"), max_length=32, choices=Category.choices)
    enabled = models.BooleanField(_("启用模型"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("模型开关")
        verbose_name_plural = _("模型开关")
        constraints = [models.UniqueConstraint(fields=["platform", "category"], name="classifier_switch_unique")]

    def __str__(self) -> str:
        return f"{self.platform}/{self.category}: {'on' if self.enabled else 'off'}"


class CustomRule(models.Model):
    """A merchant's own rule (e.g. a competitor's brand), for all its shops or one shop.

    Its hits carry the rule id `custom.<pk>` and the platform rule-set version that scanned them.
    """

    merchant = models.ForeignKey(
        "clients.Merchant", verbose_name=_("商家"), on_delete=models.CASCADE, related_name="custom_rules"
    )
    shop = models.ForeignKey(
        Shop, verbose_name=_("店铺"), null=True, blank=True, on_delete=models.CASCADE, related_name="custom_rules",
        help_text=_("留空表示该商家的所有店铺"),
    )
    category = models.CharField(_("类别"), max_length=32, choices=Category.choices, default=Category.OTHER_PLATFORM)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices, default=Severity.WARNING)
    terms = models.JSONField(_("关键词"), default=list)
    allow = models.JSONField(_("放行短语"), default=list, blank=True)
    suggestion = models.CharField(_("建议用语"), max_length=300, blank=True)
    explanation = models.CharField(_("说明"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Set by `custom_rule_save` on the rule it returns: the ids of the re-scan jobs it queued (not a field).
    rescan_job_ids: list[int]

    class Meta:
        verbose_name = _("自定义规则")
        verbose_name_plural = _("自定义规则")
        ordering = ["merchant_id", "shop_id", "id"]

    def __str__(self) -> str:
        return self.rule_id

    @property
    def rule_id(self) -> str:
        return f"custom.{self.pk}"

    def as_engine_dict(self) -> dict:
        return {
            "id": self.rule_id,
            "category": self.category,
            "severity": self.severity,
            "terms": list(self.terms or []),
            "evasion": False,
            "allow": list(self.allow or []),
            "detector": None,
            "suggestion": self.suggestion or None,
        }
