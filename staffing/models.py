"""Training, certification, forecasts, seasonal plans, rosters and shifts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop


class ShopAssignment(models.Model):
    """An agent serves a shop from `since` (and until `until`, when set). Rosters pick only from these."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="shop_assignments"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="assignments")
    since = models.DateField(_("开始日期"))
    until = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("店铺分配")
        verbose_name_plural = _("店铺分配")
        constraints = [models.UniqueConstraint(fields=["agent", "shop", "since"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.agent} → {self.shop}"


class Certification(models.Model):
    """An agent may serve a shop once certified for it (by passing the shop's exam); it expires."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="certifications"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="certifications")
    granted_at = models.DateTimeField(_("认证时间"))
    expires_at = models.DateTimeField(_("到期时间"))
    revoked = models.BooleanField(_("已撤销"), default=False)

    class Meta:
        verbose_name = _("上岗认证")
        verbose_name_plural = _("上岗认证")
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["agent", "shop", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.agent} @ {self.shop} → {self.expires_at:%Y-%m-%d}"


# Rosters live in their own module; importing them here registers them with the staffing app.
from staffing.roster_models import (  # noqa: E402, F401
    Leave,
    Roster,
    RosterDemand,
    ShiftAssignment,
    ShiftTemplate,
    SwapRequest,
)
