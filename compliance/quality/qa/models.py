"""Auto-QA, scorecards, sampling, reviews, disputes and calibration.

Auto-QA (`AutoQACheck` configuration, one `AutoQAResult` per session with its `AutoQADeduction`s) runs on
every session. Manual QA: versioned `Scorecard`s, `SamplingPlan`s that produce `ReviewAssignment`s for
inspectors, `Review`s with one `ReviewScore` per scorecard item, agents' `Dispute`s, and
`CalibrationRound`s where several inspectors score the same sessions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop
from compliance.models import ChatMessage, ChatSession


class AutoQACheck(models.Model):
    """One configurable auto-QA check; managers edit the deduction and parameters."""

    class Key(models.TextChoices):
        GREETING = "greeting", _("问候语")
        CLOSING = "closing", _("结束语")
        SLOW_NO_APOLOGY = "slow_no_apology", _("回复慢且未致歉")
        BUYER_REPEAT = "buyer_repeat", _("买家重复提问")
        ABUSIVE_TONE = "abusive_tone", _("语气不当")
        COMPLIANCE_HITS = "compliance_hits", _("合规命中（按严重程度）")
        UNRESOLVED = "unresolved", _("问题未解决")

    key = models.CharField(_("检查项"), max_length=32, choices=Key.choices, unique=True)
    enabled = models.BooleanField(_("启用"), default=True)
    points = models.DecimalField(_("每次扣分"), max_digits=5, decimal_places=1, default=5)
    max_occurrences = models.PositiveIntegerField(_("每会话最多扣分次数"), default=1, help_text=_("0 表示不限"))
    params = models.JSONField(_("参数"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("更新人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("自动质检项")
        verbose_name_plural = _("自动质检项")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_key_display()


class AutoQAConfigVersion(models.Model):
    """Every saved auto-QA configuration, numbered: what the checks were, who changed which check, when.
    A result's `config_hash` names the version it was scored under."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    config_hash = models.CharField(_("配置摘要"), max_length=12, db_index=True)
    checks = models.JSONField(_("检查项配置"))
    changed_check = models.CharField(_("修改的检查项"), max_length=32, choices=AutoQACheck.Key.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("自动质检配置版本")
        verbose_name_plural = _("自动质检配置版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number} {self.config_hash}"


class AutoQAResult(models.Model):
    """The auto-QA score of one session under one configuration (`config_hash`); rescoring replaces it."""

    session = models.OneToOneField(
        ChatSession, verbose_name=_("会话"), on_delete=models.CASCADE, related_name="autoqa"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="autoqa_results",
    )
    day = models.DateField(_("日期"), help_text=_("会话开始的日期（上海时间）"))
    score = models.DecimalField(_("自动质检分"), max_digits=5, decimal_places=1)
    deduction_count = models.PositiveIntegerField(_("扣分项数"), default=0)
    has_violation = models.BooleanField(_("有违规"), default=False)
    config_hash = models.CharField(_("配置版本"), max_length=16)
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = _("自动质检结果")
        verbose_name_plural = _("自动质检结果")
        indexes = [
            models.Index(fields=["shop", "day"]),
            models.Index(fields=["agent", "day"]),
            models.Index(fields=["config_hash"]),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.score}"


class AutoQADeduction(models.Model):
    result = models.ForeignKey(AutoQAResult, verbose_name=_("结果"), on_delete=models.CASCADE, related_name="deductions")
    check_key = models.CharField(_("检查项"), max_length=32, choices=AutoQACheck.Key.choices)
    points = models.DecimalField(_("扣分"), max_digits=5, decimal_places=1)
    message = models.ForeignKey(
        ChatMessage, verbose_name=_("消息"), null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        db_constraint=False,  # the message table is partitioned on PostgreSQL (see ChatMessage)
    )
    detail = models.CharField(_("说明"), max_length=300)

    class Meta:
        verbose_name = _("自动质检扣分")
        verbose_name_plural = _("自动质检扣分")
        ordering = ["result_id", "id"]

    def __str__(self) -> str:
        return f"-{self.points} {self.detail}"


class Scorecard(models.Model):
    """One version of a QA scorecard. A version that has been used by a review is never changed in place:
    editing it makes the next version (same `key`), so old reviews keep the items they were scored on."""

    key = models.SlugField(_("标识"), max_length=60)
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=120)
    description = models.TextField(_("说明"), blank=True)
    is_current = models.BooleanField(_("当前版本"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="scorecard_version_unique")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ScorecardCategory(models.Model):
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("评分表"), on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("类别"), max_length=100)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分类别")
        verbose_name_plural = _("评分类别")
        ordering = ["scorecard_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class ScorecardItem(models.Model):
    """One question. Scored 0..`scale_max`; a critical item scored 0 fails the whole review."""

    category = models.ForeignKey(ScorecardCategory, verbose_name=_("类别"), on_delete=models.CASCADE, related_name="items")
    label = models.CharField(_("评分项"), max_length=200)
    guidance = models.CharField(_("评分说明"), max_length=300, blank=True)
    scale_max = models.PositiveSmallIntegerField(_("满分"), default=5)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, default=1)
    critical = models.BooleanField(_("致命项"), default=False, help_text=_("得 0 分则整单不合格"))
    position = models.PositiveIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["category_id", "position", "id"]

    def __str__(self) -> str:
        return self.label


class SamplingPlan(models.Model):
    """Which sessions inspectors review: every day or week, filtered, a random share of what is left."""

    class Cadence(models.TextChoices):
        DAILY = "daily", _("每日")
        WEEKLY = "weekly", _("每周")

    name = models.CharField(_("名称"), max_length=120)
    cadence = models.CharField(_("频率"), max_length=8, choices=Cadence.choices, default=Cadence.DAILY)
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="+")
    shops = models.ManyToManyField(Shop, verbose_name=_("店铺"), blank=True, related_name="+")
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), blank=True, related_name="+",
    )
    max_auto_score = models.DecimalField(
        _("自动质检分不高于"), max_digits=5, decimal_places=1, null=True, blank=True,
        help_text=_("只抽自动质检分低的会话；留空不限"),
    )
    only_violations = models.BooleanField(_("只抽有违规的会话"), default=False)
    random_share = models.DecimalField(_("随机抽取比例"), max_digits=4, decimal_places=3, default=1)
    max_sessions = models.PositiveIntegerField(_("每期最多"), default=20)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("质检员"), related_name="+")
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("抽检计划")
        verbose_name_plural = _("抽检计划")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SamplingRun(models.Model):
    """One period of one plan; running a period again finds this row and adds nothing."""

    plan = models.ForeignKey(SamplingPlan, verbose_name=_("抽检计划"), on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("结束日期"))
    pool_size = models.PositiveIntegerField(_("候选会话数"), default=0)
    assigned = models.PositiveIntegerField(_("分配数"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("抽检批次")
        verbose_name_plural = _("抽检批次")
        ordering = ["-period_start"]
        constraints = [models.UniqueConstraint(fields=["plan", "period_start"], name="sampling_run_once_per_period")]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_start}"


class CalibrationRound(models.Model):
    """Several inspectors score the same sessions with the same scorecard; alignment is shown after."""

    title = models.CharField(_("标题"), max_length=120)
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="+")
    sessions = models.ManyToManyField(ChatSession, verbose_name=_("会话"), related_name="+")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("质检员"), related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("校准")
        verbose_name_plural = _("校准")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class ReviewAssignment(models.Model):
    """A session an inspector has to review, from a sampling run or a calibration round."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待质检")
        DONE = "done", _("已完成")

    session = models.ForeignKey(ChatSession, verbose_name=_("会话"), on_delete=models.CASCADE, related_name="+")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("质检员"), on_delete=models.CASCADE, related_name="review_assignments"
    )
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(
        SamplingRun, verbose_name=_("抽检批次"), null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    calibration = models.ForeignKey(
        CalibrationRound, verbose_name=_("校准"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="assignments",
    )
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("质检任务")
        verbose_name_plural = _("质检任务")
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["inspector", "status"])]

    def __str__(self) -> str:
        return f"{self.inspector} ← {self.session_id}"


class Review(models.Model):
    """An inspector's scoring of one session on one scorecard version."""

    assignment = models.OneToOneField(
        ReviewAssignment, verbose_name=_("质检任务"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="review",
    )
    session = models.ForeignKey(ChatSession, verbose_name=_("会话"), on_delete=models.CASCADE, related_name="reviews")
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="qa_reviews",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("质检员"), on_delete=models.PROTECT, related_name="reviews_given"
    )
    scorecard = models.ForeignKey(Scorecard, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="reviews")
    calibration = models.ForeignKey(
        CalibrationRound, verbose_name=_("校准"), null=True, blank=True, on_delete=models.CASCADE, related_name="reviews"
    )
    day = models.DateField(_("日期"), help_text=_("会话开始的日期（上海时间）"))
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=1)
    final_score = models.DecimalField(_("最终得分"), max_digits=5, decimal_places=1, help_text=_("申诉改判后的得分"))
    failed_critical = models.BooleanField(_("致命项不合格"), default=False)
    comment = models.TextField(_("评语"), blank=True)
    created_at = models.DateTimeField(_("质检时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("质检评分")
        verbose_name_plural = _("质检评分")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["shop", "day"]), models.Index(fields=["agent", "day"])]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.final_score}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, verbose_name=_("质检评分"), on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(ScorecardItem, verbose_name=_("评分项"), on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("得分"))
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("评分项得分")
        verbose_name_plural = _("评分项得分")
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="review_score_once_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id}={self.score}"


class Dispute(models.Model):
    """An agent contests a review (a comment is required); a manager or the agent's team lead resolves it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACCEPTED = "accepted", _("申诉成立")
        REJECTED = "rejected", _("申诉驳回")

    review = models.OneToOneField(Review, verbose_name=_("质检评分"), on_delete=models.CASCADE, related_name="dispute")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="qa_disputes"
    )
    comment = models.TextField(_("申诉理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("申诉时间"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    resolution = models.TextField(_("处理意见"), blank=True)
    revised_score = models.DecimalField(_("改判得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(comment=""), name="dispute_comment_required"),
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.get_status_display()}"
