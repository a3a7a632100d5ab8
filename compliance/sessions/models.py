"""Chat sessions and messages, and the hits a scan finds in them.

Merchant ownership runs through the shop: every selector scopes by `shop__merchant`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from compliance.rules.models import Category, RuleSet, Severity


class ChatSession(models.Model):
    """One conversation between a buyer and the shop's service desk, as exported by the platform."""

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="sessions")
    external_id = models.CharField(_("会话编号"), max_length=128)
    buyer = models.CharField(_("买家（化名）"), max_length=128)
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"))
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    buyer_data_purged_at = models.DateTimeField(
        _("买家数据去标识化时间"), null=True, blank=True,
        help_text=_("保留期满后，买家标识换成化名、买家消息原文清除的时间"),
    )

    class Meta:
        verbose_name = _("会话")
        verbose_name_plural = _("会话")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["shop", "external_id"], name="session_unique_per_shop")]
        # (shop, buyer): sales attribution (contracts §8) finds a buyer's sessions in a shop.
        indexes = [models.Index(fields=["shop", "started_at"]), models.Index(fields=["shop", "buyer"], name="session_shop_buyer")]

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
    hits stay stored unchanged (see `compliance.sessions.selectors.current_hits`).

    The session and shop foreign keys carry no single-column index of their own: the composite indexes
    below lead with them, and every index slows the bulk import down.

    Bulk import speed (see `compliance.sessions.services.importing` and `bench/bench_import.py`): PostgreSQL checks
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
        RuleSet,
        verbose_name=_("扫描规则集"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    scanned_at = models.DateTimeField(_("扫描时间"), null=True, blank=True)

    # Set by `compliance.sessions.selectors.session_messages` on the messages it returns (not a field).
    current_hits: list[Hit]

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["sent_at", "id"]
        # A unique key of a partitioned table must hold the partition key (`sent_at`): the database keeps
        # (shop, external_id, sent_at) unique, and the import keeps (shop, external_id) unique by checking
        # which ids the shop already has before it inserts (one import per shop at a time).
        constraints = [
            models.UniqueConstraint(fields=["shop", "external_id", "sent_at"], name="message_unique_per_shop")
        ]
        indexes = [
            models.Index(fields=["session", "sent_at"]),
            models.Index(fields=["shop", "sent_at"]),
            models.Index(fields=["shop", "id"], condition=models.Q(scanned_ruleset__isnull=True), name="message_unscanned"),
            # Which agents wrote in a shop (the filter boxes), read by skipping from one code to the next.
            models.Index(fields=["shop", "agent_code"], condition=~models.Q(agent_code=""), name="message_shop_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}@{self.sent_at:%Y-%m-%d %H:%M:%S}: {self.text[:30]}"


class Hit(models.Model):
    """One rule hit in one message, found by one rule-set version."""

    # Kept by the application, not the database: on PostgreSQL the message table is partitioned by month
    # and its key is (id, sent_at), which a single-column reference cannot name. Django's collector still
    # deletes a message's hits with it; the retention purge deletes them explicitly.
    message = models.ForeignKey(
        ChatMessage, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="hits", db_constraint=False
    )
    ruleset = models.ForeignKey(RuleSet, verbose_name=_("规则集"), on_delete=models.PROTECT, related_name="hits")
    rule = models.CharField(_("规则编号"), max_length=64)
    category = models.CharField(_("类别"), max_length=32, choices=Category.choices)
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    start = models.PositiveIntegerField(_("起始"))
    end = models.PositiveIntegerField(_("结束"))
    matched = models.CharField(_("命中文本"), max_length=200)
    suggestion = models.CharField(_("建议用语"), max_length=300, blank=True)
    found_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    # Copied from the message when the hit is stored (a message never changes shop, time, sender or agent
    # code), so that the violation lists, counts and exports filter, sort and page on the hits alone
    # instead of joining every message of a year.
    shop = models.ForeignKey(
        Shop, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    sent_at = models.DateTimeField(_("发送时间"))
    agent_code = models.CharField(_("客服工号"), max_length=32, blank=True)
    from_buyer = models.BooleanField(_("买家消息"), default=False)
    # True while `ruleset` is the version that scanned the message last (`ChatMessage.scanned_ruleset`):
    # the message's current hits. Older versions' hits stay stored with False.
    current = models.BooleanField(_("当前结果"), default=True)

    class Meta:
        verbose_name = _("命中")
        verbose_name_plural = _("命中")
        ordering = ["message_id", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "ruleset", "rule", "start"], name="hit_unique_per_message_version"
            )
        ]
        indexes = [
            models.Index(fields=["category", "severity"]),
            # The violation list: a shop's current hits in agents' messages, newest first.
            models.Index(
                fields=["shop", "-sent_at", "-message"], name="hit_current_violations",
                condition=models.Q(current=True, from_buyer=False),
            ),
            # The same across shops, in the list's own order: staff's list and a merchant's several shops read
            # it newest first and stop after a page (with the shop first, every hit was sorted: 80 ms at 20,000).
            models.Index(
                fields=["-sent_at", "-message", "start"], name="hit_current_violations_all",
                condition=models.Q(current=True, from_buyer=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} «{self.matched}»"
