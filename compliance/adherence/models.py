"""Stored schedule adherence: one row per rostered shift (contracts §10 figures), recomputed by Celery."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from staffing.models import ShiftAssignment


class ShiftAdherence(models.Model):
    """How one rostered shift was worked, measured on the shop's chat log (contracts §10)."""

    assignment = models.OneToOneField(
        ShiftAssignment, verbose_name=_("排班"), on_delete=models.CASCADE, related_name="adherence"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="+"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("日期"))
    demand_slots = models.PositiveIntegerField(_("有咨询的时段"))
    active_demand_slots = models.PositiveIntegerField(_("在线接待的时段"))
    adherence = models.FloatField(_("遵守率"), null=True, blank=True)
    first_activity = models.DateTimeField(_("首次接待"), null=True, blank=True)
    last_activity = models.DateTimeField(_("最后接待"), null=True, blank=True)
    late_minutes = models.PositiveIntegerField(_("迟到（分钟）"), null=True, blank=True)
    no_show = models.BooleanField(_("缺勤"), default=False)
    idle_waits = models.PositiveIntegerField(_("空挂次数"), default=0)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("排班遵守")
        verbose_name_plural = _("排班遵守")
        ordering = ["date", "shop_id", "agent_id"]
        indexes = [models.Index(fields=["agent", "date"]), models.Index(fields=["shop", "date"])]

    def __str__(self) -> str:
        return f"{self.assignment_id}: {self.active_demand_slots}/{self.demand_slots}"
