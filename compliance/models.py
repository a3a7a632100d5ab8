"""Chat sessions and messages, the versioned rule library, and the hits a scan finds.

Merchant ownership runs through the shop: every selector scopes by `shop__merchant`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Platform, Shop


class ChatSession(models.Model):
    """One conversation between a buyer and the shop's service desk, as exported by the platform."""

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="sessions")
    external_id = models.CharField(_("会话编号"), max_length=128)
    buyer = models.CharField(_("买家（化名）"), max_length=128)
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会话")
        verbose_name_plural = _("会话")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["shop", "external_id"], name="session_unique_per_shop")]
        indexes = [models.Index(fields=["shop", "started_at"])]

    def __str__(self) -> str:
        return f"{self.shop.code}/{self.external_id}"


class Sender(models.TextChoices):
    BUYER = "buyer", _("买家")
    AGENT = "agent", _("客服")
    BOT = "bot", _("机器人")
    SYSTEM = "system", _("系统")


class ChatMessage(models.Model):
    """One message of a session. `scanned_ruleset` is the rule-set version of the message's latest scan
    (null: never scanned); the message's *current* hits are those found by that version, older versions'
    hits stay stored unchanged (see `compliance.selectors.current_hits`).

    The session and shop foreign keys carry no single-column index of their own: the composite indexes
    below lead with them, and every index slows the bulk import down.

    Bulk import speed (see `compliance.services.sessions` and `bench/bench_import.py`): PostgreSQL checks
    each foreign-key constraint once per inserted row, which cost more than all the indexes together. Two
    of the four references are therefore kept by the application, not by a database constraint:
    - `shop` repeats `session.shop` (it is there for the per-shop unique id and the per-shop indexes).
      The session's own constraint protects the shop, and every writer sets it from the session's shop.
    - `agent` is derived from `agent_code` (the code in the chat log, always kept): the import maps codes
      to users and `messages_link_agents` re-derives it. Django still nulls it when a user is deleted
      (SET_NULL runs in the ORM); nothing reads messages by agent alone, so it has no index either.
    `session` (the message's owner) keeps its database constraint.
    """

    session = models.ForeignKey(
        ChatSession, verbose_name=_("会话"), on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    shop = models.ForeignKey(
        Shop, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    external_id = models.CharField(_("消息编号"), max_length=128)
    sender = models.CharField(_("发送方"), max_length=8, choices=Sender.choices)
    agent_code = models.CharField(_("客服工号"), max_length=32, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("客服"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="chat_messages",
        db_index=False,
        db_constraint=False,
    )
    sent_at = models.DateTimeField(_("发送时间"))
    text = models.TextField(_("内容"))
    scanned_ruleset = models.ForeignKey(
        "RuleSet",
        verbose_name=_("扫描规则集"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    scanned_at = models.DateTimeField(_("扫描时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["sent_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shop", "external_id"], name="message_unique_per_shop")]
        indexes = [
            models.Index(fields=["session", "sent_at"]),
            models.Index(fields=["shop", "sent_at"]),
            models.Index(fields=["shop", "id"], condition=models.Q(scanned_ruleset__isnull=True), name="message_unscanned"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}@{self.sent_at:%Y-%m-%d %H:%M:%S}: {self.text[:30]}"


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


class Hit(models.Model):
    """One rule hit in one message, found by one rule-set version."""

    message = models.ForeignKey(ChatMessage, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="hits")
    ruleset = models.ForeignKey(RuleSet, verbose_name=_("规则集"), on_delete=models.PROTECT, related_name="hits")
    rule = models.CharField(_("规则编号"), max_length=64)
    category = models.CharField(_("类别"), max_length=32, choices=Category.choices)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    start = models.PositiveIntegerField(_("起始"))
    end = models.PositiveIntegerField(_("结束"))
    matched = models.CharField(_("命中文本"), max_length=200)
    suggestion = models.CharField(_("建议用语"), max_length=300, blank=True)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("命中")
        verbose_name_plural = _("命中")
        ordering = ["message_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "ruleset", "rule", "start"], name="hit_unique_per_message_version"
            )
        ]
        indexes = [models.Index(fields=["category", "severity"])]

    def __str__(self) -> str:
        return f"{self.rule} «{self.matched}»"


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
        }


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
