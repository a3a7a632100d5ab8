"""Orders imported from the platforms, their stored attribution (contracts §8) and daily sales figures.

Merchant ownership runs through the shop, as for sessions. An order keeps the platform's facts (buyer,
times, amounts); what §8 says about it lives in its `OrderAttribution`, kept current by `sales_refresh`:
the attributing message (the drill-down to the session that converted it) and the reminder (催付). A
re-import that changes an order (paid later, refunded) records an `OrderChange` with the moment it
arrived and puts the order on the `OrderPending` list, so the next refresh re-attributes it and recomputes
its days.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from compliance.sessions.models import ChatMessage


class Order(models.Model):
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.PROTECT, related_name="orders")
    external_id = models.CharField(_("订单号"), max_length=128)
    buyer = models.CharField(_("买家（化名）"), max_length=128)
    created_at = models.DateTimeField(_("下单时间"))
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)
    amount = models.DecimalField(_("实付金额"), max_digits=12, decimal_places=2)
    refund_amount = models.DecimalField(_("退款金额"), max_digits=12, decimal_places=2, default=0)
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    changed_at = models.DateTimeField(_("最近变更时间"))

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["shop", "external_id"], name="order_unique_per_shop")]
        indexes = [
            models.Index(fields=["shop", "buyer", "created_at"], name="order_shop_buyer_created"),
            models.Index(fields=["shop", "created_at"], name="order_shop_created"),
        ]

    def __str__(self) -> str:
        return f"{self.shop.code}/{self.external_id}"

    @property
    def paid(self) -> bool:
        return self.paid_at is not None

    @property
    def net_amount(self):
        return self.amount - self.refund_amount

    # What §8 says of the order, read through its `attribution` row (absent until the first refresh).
    def _attribution(self) -> OrderAttribution | None:
        try:
            return self.attribution
        except ObjectDoesNotExist:
            return None

    @property
    def stale(self) -> bool:
        """Waiting for the next refresh to (re-)attribute it: never attributed, or changed since."""
        try:
            return self.pending is not None
        except ObjectDoesNotExist:
            return self._attribution() is None

    @property
    def silent(self) -> bool:
        return not self.stale and self.attributed_at is None

    @property
    def agent_code(self) -> str:
        found = self._attribution()
        return found.agent_code if found else ""

    @property
    def attributed_at(self):
        found = self._attribution()
        return found.attributed_at if found else None

    @property
    def attributed_message(self):
        found = self._attribution()
        return found.attributed_message if found else None

    @property
    def reminder_agent_code(self) -> str:
        found = self._attribution()
        return found.reminder_agent_code if found else ""

    @property
    def reminded_at(self):
        found = self._attribution()
        return found.reminded_at if found else None

    @property
    def reminder_message(self):
        found = self._attribution()
        return found.reminder_message if found else None

    @property
    def reminder_paid(self) -> bool:
        found = self._attribution()
        return found.reminder_paid if found else False


class OrderAttribution(models.Model):
    """What §8 says of one order, written by `compliance.quality.sales.services.sales_refresh`: the
    attributing message (the drill-down to the session that converted it) and the reminder (催付).

    A row of its own, replaced whole (deleted and inserted) whenever the order is re-attributed, rather than
    columns updated in place on the order: inserting a narrow row costs a fraction of rewriting the wide,
    many-indexed order row (measured in bench/bench_sales.py), and the order keeps only the platform's facts."""

    order = models.OneToOneField(Order, verbose_name=_("订单"), primary_key=True, on_delete=models.CASCADE,
                                 related_name="attribution")
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+",
                             db_index=False)
    agent_code = models.CharField(_("归因客服工号"), max_length=32, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("归因客服"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False, db_constraint=False,
    )
    attributed_at = models.DateTimeField(_("归因消息时间"), null=True, blank=True)
    attributed_day = models.DateField(_("归因日期"), null=True, blank=True)
    attributed_message = models.ForeignKey(
        ChatMessage, verbose_name=_("归因消息"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False, db_constraint=False,
    )
    reminder_agent_code = models.CharField(_("催付客服工号"), max_length=32, blank=True)
    reminded_at = models.DateTimeField(_("催付时间"), null=True, blank=True)
    reminder_day = models.DateField(_("催付日期"), null=True, blank=True)
    reminder_message = models.ForeignKey(
        ChatMessage, verbose_name=_("催付消息"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False, db_constraint=False,
    )
    reminder_paid = models.BooleanField(_("催付成功"), default=False)

    class Meta:
        verbose_name = _("订单归因")
        verbose_name_plural = _("订单归因")
        indexes = [
            models.Index(fields=["shop", "attributed_day"], name="attribution_shop_day"),
            models.Index(fields=["shop", "reminder_day"], name="attribution_shop_reminder_day"),
            models.Index(fields=["agent"], name="attribution_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} → {self.agent_code or '-'}"


class OrderPending(models.Model):
    """The refresh's work list: orders created or changed by an import, or touched by new agent messages,
    whose attribution must be computed again. Rows go when the refresh has attributed them."""

    order = models.OneToOneField(Order, primary_key=True, on_delete=models.CASCADE, related_name="pending")

    class Meta:
        verbose_name = _("待归因订单")
        verbose_name_plural = _("待归因订单")

    def __str__(self) -> str:
        return str(self.order_id)


class OrderChange(models.Model):
    """One arrival of an order's data: its creation or a later change (paid, refunded), field by field."""

    order = models.ForeignKey(Order, verbose_name=_("订单"), on_delete=models.CASCADE, related_name="changes")
    arrived_at = models.DateTimeField(_("到达时间"))
    created = models.BooleanField(_("新订单"), default=False)
    changes = models.JSONField(_("变更"), default=dict, help_text=_("字段 → [原值, 新值]"))

    class Meta:
        verbose_name = _("订单变更")
        verbose_name_plural = _("订单变更")
        ordering = ["order_id", "arrived_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} @ {self.arrived_at:%Y-%m-%d %H:%M}"


class SalesDayMetrics(models.Model):
    """§8's figures of one shop and local day: per agent code, and the shop row (`agent_code` "")."""

    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    agent_code = models.CharField(_("客服工号"), max_length=32, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_constraint=False,
    )
    inquiring_buyers = models.PositiveIntegerField(_("询单人数"), default=0)
    converted_buyers = models.PositiveIntegerField(_("成交人数"), default=0)
    sales = models.DecimalField(_("销售额"), max_digits=14, decimal_places=2, default=0)
    paying_buyers = models.PositiveIntegerField(_("付款人数"), default=0)
    reminded_orders = models.PositiveIntegerField(_("催付订单"), default=0)
    reminders_paid = models.PositiveIntegerField(_("催付成功"), default=0)

    class Meta:
        verbose_name = _("每日销售指标")
        verbose_name_plural = _("每日销售指标")
        ordering = ["shop_id", "day", "agent_code"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "day", "agent_code"], name="sales_day_unique"),
        ]
        indexes = [models.Index(fields=["agent", "day"], name="sales_day_agent")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.agent_code or '*'}"

    @property
    def is_shop_row(self) -> bool:
        return self.agent_code == ""


class SalesCursor(models.Model):
    """The last message id whose agent messages the sales refresh has taken into account."""

    name = models.CharField(max_length=32, unique=True, default="messages")
    last_message_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("销售归因进度")
        verbose_name_plural = _("销售归因进度")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_message_id}"
