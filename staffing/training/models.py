"""Training and certification: which shops an agent serves, courses and their questions, exams,
attempts and the certifications they grant."""

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


class Course(models.Model):
    """Training material: platform rules (one per platform) or a shop's products and scripts."""

    class Kind(models.TextChoices):
        PLATFORM = "platform", _("平台规则")
        SHOP = "shop", _("店铺知识")

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    platform = models.CharField(_("平台"), max_length=16, blank=True)
    shop = models.ForeignKey(
        Shop, verbose_name=_("店铺"), null=True, blank=True, on_delete=models.CASCADE, related_name="courses"
    )
    material = models.TextField(_("学习内容"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("课程")
        verbose_name_plural = _("课程")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """A single-choice question of a course's pool."""

    course = models.ForeignKey(Course, verbose_name=_("课程"), on_delete=models.CASCADE, related_name="questions")
    key = models.CharField(_("来源键"), max_length=120, help_text=_("生成来源（如规则编号），用于去重"))
    text = models.TextField(_("题目"))
    choices = models.JSONField(_("选项"))
    answer = models.PositiveSmallIntegerField(_("正确选项序号"))
    explanation = models.TextField(_("解析"), blank=True)

    class Meta:
        verbose_name = _("试题")
        verbose_name_plural = _("试题")
        ordering = ["course", "pk"]
        constraints = [models.UniqueConstraint(fields=["course", "key"], name="question_key_unique")]

    def __str__(self) -> str:
        return self.text[:40]


class Exam(models.Model):
    """An assessment drawing a random subset from its courses' questions. Passing a shop exam certifies."""

    code = models.SlugField(_("编码"), max_length=60, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    courses = models.ManyToManyField(Course, verbose_name=_("课程"), related_name="exams")
    shop = models.ForeignKey(
        Shop, verbose_name=_("认证店铺"), null=True, blank=True, on_delete=models.CASCADE, related_name="exams"
    )
    question_count = models.PositiveSmallIntegerField(_("抽题数"), default=10)
    pass_mark = models.PositiveSmallIntegerField(_("及格分（百分制）"), default=80)
    time_limit_minutes = models.PositiveSmallIntegerField(_("限时（分钟）"), default=20)
    max_attempts = models.PositiveSmallIntegerField(_("最多次数"), default=3)
    certification_days = models.PositiveSmallIntegerField(_("认证有效期（天）"), default=180)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class ExamAttempt(models.Model):
    """One sitting: the drawn questions, the answers given, the score. Submitted once."""

    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.CASCADE, related_name="attempts")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="exam_attempts"
    )
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"))
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    question_ids = models.JSONField(_("抽到的题"), default=list)
    answers = models.JSONField(_("作答"), default=dict, blank=True)
    score = models.FloatField(_("得分"), null=True, blank=True)
    passed = models.BooleanField(_("通过"), null=True)
    late = models.BooleanField(_("超时"), default=False)
    certification = models.ForeignKey(
        Certification, verbose_name=_("获得认证"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("考试记录")
        verbose_name_plural = _("考试记录")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["agent", "exam"])]

    def __str__(self) -> str:
        return f"{self.agent} · {self.exam}"
