"""The agency's people: users and their roles, teams, the audit log, and background jobs."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MANAGER = "manager", _("机构经理")
    INSPECTOR = "inspector", _("质检员")
    AGENT = "agent", _("客服")
    MERCHANT = "merchant", _("商家用户")


class Team(models.Model):
    name = models.CharField(_("名称"), max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("组长"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
    )

    class Meta:
        verbose_name = _("团队")
        verbose_name_plural = _("团队")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Every person who signs in. A merchant user belongs to exactly one merchant; staff belong to none.

    `merchant` points at `clients.Merchant` by its label only: the agency app imports nothing of
    `clients`, but the database must know which merchant a merchant user belongs to.
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.AGENT)
    display_name = models.CharField(_("显示名"), max_length=100, blank=True)
    code = models.CharField(
        _("工号"),
        max_length=32,
        unique=True,
        null=True,
        blank=True,
        help_text=_("客服在聊天记录中的标识，如 a01"),
    )
    merchant = models.ForeignKey(
        "clients.Merchant",
        verbose_name=_("所属商家"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("团队"), null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(role="merchant", merchant__isnull=False) | ~models.Q(role="merchant"))
                & (models.Q(role="merchant") | models.Q(merchant__isnull=True)),
                name="merchant_user_has_exactly_one_merchant",
            )
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER or self.is_superuser

    @property
    def is_inspector(self) -> bool:
        return self.role == Role.INSPECTOR

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    @property
    def is_merchant_user(self) -> bool:
        return self.role == Role.MERCHANT


class AuditEvent(models.Model):
    """Who did what to which object. Written by services, never edited."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    verb = models.CharField(_("动作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象"), max_length=64)
    merchant_id = models.BigIntegerField(_("商家"), null=True, blank=True, db_index=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}#{self.object_id}"


class Job(models.Model):
    """A piece of long work run by Celery, with progress a page can poll (imports, scans, roster solves)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=64)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(_("进度"), default=0.0, help_text=_("0 到 1"))
    message = models.TextField(_("说明"), blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    merchant_id = models.BigIntegerField(_("商家"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # What was queued, so a failed job can be queued again (`job_retry`) and a re-delivered task can tell
    # whether its job still wants it; the worker's heartbeat tells beat whether a running job's worker lives.
    task = models.CharField(_("任务"), max_length=100, blank=True)
    arguments = models.JSONField(_("参数"), default=dict, blank=True)
    retryable = models.BooleanField(_("可重试"), default=False)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    worker = models.CharField(_("执行节点"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def upload_path(self) -> str | None:
        path = self.arguments.get("path") if isinstance(self.arguments, dict) else None
        return path if isinstance(path, str) else None

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)
