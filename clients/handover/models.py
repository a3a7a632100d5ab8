"""Knowledge handover (客服内容交接): batches of shop knowledge the merchant hands to the agency.

A `HandoverBatch` belongs to one engagement and one of its shops and holds one kind of knowledge
(product info, shop policies, reply scripts 话术, FAQs). Its `KnowledgeEntry` rows are the knowledge
base agents search during chats. A batch is open while the merchant or manager fills it; the agency lead
(a manager) acknowledges it, after which it never changes. A change is a new version of the batch (same
`series`, version + 1); when that version is acknowledged it comes into force and the old version is
marked superseded but stays readable.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.engagements.models import Engagement
from clients.merchants.models import Shop


class KnowledgeKind(models.TextChoices):
    PRODUCT = "product", _("商品信息")
    POLICY = "policy", _("店铺政策")
    SCRIPT = "script", _("话术")
    FAQ = "faq", _("常见问题")


class HandoverBatch(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("收集中")
        ACKNOWLEDGED = "acknowledged", _("已确认")

    engagement = models.ForeignKey(
        Engagement, verbose_name=_("合作项目"), on_delete=models.PROTECT, related_name="handover_batches"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="handover_batches")
    kind = models.CharField(_("类型"), max_length=16, choices=KnowledgeKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    note = models.TextField(_("说明"), blank=True)
    series = models.UUIDField(_("系列"), default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    supersedes = models.OneToOneField(
        "self", verbose_name=_("取代版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="successor"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OPEN)
    in_force = models.BooleanField(_("生效中"), default=False, help_text=_("已确认且未被新版本取代"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("被取代时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("交接批次")
        verbose_name_plural = _("交接批次")
        ordering = ["engagement_id", "shop_id", "kind", "title", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["series", "version"], name="handover_series_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_superseded(self) -> bool:
        return self.superseded_at is not None


class KnowledgeEntry(models.Model):
    """One piece of handed-over knowledge: a product, a policy, a reply script or a FAQ.

    `search_text` is the normalised (NFKC, lower-case) text the knowledge base searches with a substring
    match; on PostgreSQL a pg_trgm GIN index serves it (migration 0003 creates it, PostgreSQL only).
    """

    batch = models.ForeignKey(HandoverBatch, verbose_name=_("交接批次"), on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("类型"), max_length=16, choices=KnowledgeKind.choices)
    title = models.CharField(_("标题"), max_length=200, help_text=_("商品名称、政策名称、场景或问题"))
    body = models.TextField(_("内容"), blank=True, help_text=_("说明、话术或答案"))
    sku = models.CharField(_("商品编码"), max_length=64, blank=True)
    price = models.DecimalField(_("价格"), max_digits=12, decimal_places=2, null=True, blank=True)
    attributes = models.JSONField(_("属性"), default=dict, blank=True)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    position = models.PositiveIntegerField(_("序号"), default=0)

    class Meta:
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        ordering = ["batch_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "sku"], condition=~models.Q(sku=""), name="knowledge_batch_sku_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title
