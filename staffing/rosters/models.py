"""Rosters and shifts: shift templates, rosters (a period for some shops), the shifts in them, agents' leave
and swap requests. Imported by `staffing.models`, so they belong to the `staffing` app."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Shop


class ShiftTemplate(models.Model):
    """A shift's clock times; an end at or before the start means the shift ends the next day.

    A row is one version of a template and never changes once a roster uses it: editing a template makes a
    new row (same code, next `version`) and marks this one `superseded_by` it, so rosters and their shifts
    keep the times they were solved with. The current template of a code is its `current` row."""

    code = models.SlugField(_("编码"), max_length=16)
    name = models.CharField(_("名称"), max_length=50)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"), help_text=_("早于或等于开始时间表示次日结束"))
    active = models.BooleanField(_("启用"), default=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    current = models.BooleanField(_("当前版本"), default=True)
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("新版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("班次模板")
        verbose_name_plural = _("班次模板")
        ordering = ["start", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="shift_template_code_version"),
            models.UniqueConstraint(fields=["code"], condition=models.Q(current=True),
                                    name="shift_template_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def ends_next_day(self) -> bool:
        return self.end <= self.start

    @property
    def minutes(self) -> int:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return end - start if end > start else end + 1440 - start

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def interval_on(self, day: date, tz) -> tuple[datetime, datetime]:
        """Aware start and end of this shift when it starts on `day` (in `tz`, the agency's time zone)."""
        starts = datetime.combine(day, self.start, tzinfo=tz)
        return starts, starts + timedelta(minutes=self.minutes)


class RosterRules(models.Model):
    """One numbered version of the rosters' default rules and shift templates. Editing a template or a rule
    makes a new version; a roster records the version it was made from and keeps its templates (rows that
    never change) and its own copy of the rule values, so a published roster keeps what it was solved with."""

    number = models.PositiveIntegerField(_("版本号"), unique=True)
    min_rest_hours = models.FloatField(
        _("最短休息（小时）"), default=11, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    max_consecutive_days = models.PositiveSmallIntegerField(
        _("最多连续工作天数"), default=6, validators=[MinValueValidator(1), MaxValueValidator(13)]
    )
    max_hours_per_week = models.FloatField(
        _("每周工时上限"), default=44, validators=[MinValueValidator(1), MaxValueValidator(84)]
    )
    min_coverage = models.PositiveSmallIntegerField(
        _("每店最低在岗人数"), default=1, validators=[MaxValueValidator(50)]
    )
    templates = models.ManyToManyField(ShiftTemplate, verbose_name=_("班次模板"), related_name="rule_versions")
    change = models.CharField(_("变更"), max_length=32, blank=True)  # a code, rendered by `change_label`
    change_detail = models.CharField(_("变更对象"), max_length=50, blank=True)  # the template code it concerns
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("修改人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("修改时间"), auto_now_add=True)

    CHANGE_LABELS = {
        "initial": _("初始版本"), "rules": _("修改默认规则"), "template_add": _("新增班次模板"),
        "template_edit": _("修改班次模板"),
    }

    class Meta:
        verbose_name = _("排班规则版本")
        verbose_name_plural = _("排班规则版本")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"v{self.number}"

    def change_label(self) -> str:
        label = str(self.CHANGE_LABELS.get(self.change, self.change))
        return f"{label} {self.change_detail}".strip()


class Roster(models.Model):
    """A roster for some shops over a period: solved as a draft, then published day by day."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    name = models.CharField(_("名称"), max_length=200)
    start_date = models.DateField(_("开始日期"))
    days = models.PositiveSmallIntegerField(_("天数"), default=28, validators=[MinValueValidator(1), MaxValueValidator(92)])
    shops = models.ManyToManyField(Shop, verbose_name=_("店铺"), related_name="rosters")
    templates = models.ManyToManyField(ShiftTemplate, verbose_name=_("班次模板"), related_name="rosters")
    window_start = models.TimeField(_("服务开始"), default="08:00")
    window_end = models.TimeField(_("服务结束"), default="23:00")
    min_rest_hours = models.FloatField(
        _("最短休息（小时）"), default=11, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    max_consecutive_days = models.PositiveSmallIntegerField(
        _("最多连续工作天数"), default=6, validators=[MinValueValidator(1), MaxValueValidator(13)]
    )
    max_hours_per_week = models.FloatField(
        _("每周工时上限"), default=44, validators=[MinValueValidator(1), MaxValueValidator(84)]
    )
    min_coverage = models.PositiveSmallIntegerField(
        _("每店最低在岗人数"), default=1, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    rules_version = models.ForeignKey(
        RosterRules, verbose_name=_("规则版本"), null=True, blank=True, on_delete=models.PROTECT, related_name="rosters"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_through = models.DateField(_("已发布至"), null=True, blank=True)
    solve_status = models.CharField(_("求解结果"), max_length=16, blank=True)
    objective = models.FloatField(_("目标值"), null=True, blank=True)
    bound = models.FloatField(_("下界"), null=True, blank=True)
    solve_seconds = models.FloatField(_("求解耗时（秒）"), null=True, blank=True)
    shortfall = models.JSONField(_("缺口"), default=list, blank=True)
    explanation = models.TextField(_("无解原因"), blank=True)
    solve_detail = models.JSONField(_("无解原因（数据）"), default=dict, blank=True)
    solved_at = models.DateTimeField(_("求解时间"), null=True, blank=True)
    job = models.ForeignKey(
        "agency.Job", verbose_name=_("后台任务"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("排班表")
        verbose_name_plural = _("排班表")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def end_date(self) -> date:
        return self.start_date + timedelta(days=self.days - 1)

    @property
    def dates(self) -> list[date]:
        return [self.start_date + timedelta(days=d) for d in range(self.days)]

    SOLVE_STATUS_LABELS = {
        "optimal": _("最优"), "feasible": _("可行"), "infeasible": _("无可行解"), "failed": _("求解出错"),
    }
    SOLVED = ("optimal", "feasible")  # the statuses whose shifts keep every hard rule

    def solve_status_label(self) -> str:
        """The solver's word for the result, in the reader's language."""
        return str(self.SOLVE_STATUS_LABELS.get(self.solve_status, self.solve_status or _("未求解")))

    @property
    def solved_ok(self) -> bool:
        """The last solve produced a roster keeping every hard rule (never after an infeasible or failed one)."""
        return self.solve_status in self.SOLVED

    @property
    def solve_failed(self) -> bool:
        return self.solve_status in ("infeasible", "failed")

    @property
    def shortfall_total(self) -> int:
        return sum(row.get("missing", 0) for row in self.shortfall or [])


class RosterDemand(models.Model):
    """Agents wanted in one half hour for a shop, entered or uploaded by a manager (overrides the forecast)."""

    roster = models.ForeignKey(Roster, verbose_name=_("排班表"), on_delete=models.CASCADE, related_name="demand")
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("日期"))
    slot = models.TimeField(_("时段"))
    agents = models.PositiveSmallIntegerField(_("需要人数"))

    class Meta:
        verbose_name = _("排班需求")
        verbose_name_plural = _("排班需求")
        constraints = [models.UniqueConstraint(fields=["roster", "shop", "date", "slot"], name="roster_demand_unique")]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.date} {self.slot:%H:%M} × {self.agents}"


class ShiftAssignment(models.Model):
    """One agent's shift for one shop on one day. Pinned shifts (published days) stay when re-solving."""

    roster = models.ForeignKey(Roster, verbose_name=_("排班表"), on_delete=models.CASCADE, related_name="assignments")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="shifts"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("店铺"), on_delete=models.CASCADE, related_name="shifts")
    date = models.DateField(_("日期"))
    template = models.ForeignKey(ShiftTemplate, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    pinned = models.BooleanField(_("已固定"), default=False)

    class Meta:
        verbose_name = _("排班")
        verbose_name_plural = _("排班")
        ordering = ["date", "starts_at", "shop_id", "agent_id"]
        constraints = [models.UniqueConstraint(fields=["roster", "agent", "date"], name="one_shift_a_day")]
        indexes = [models.Index(fields=["agent", "date"]), models.Index(fields=["shop", "date"])]

    def __str__(self) -> str:
        return f"{self.agent} {self.date} {self.template.code} @ {self.shop.code}"


class Leave(models.Model):
    """Days an agent cannot work (leave, sickness, training off-site). An agent requests it, a manager
    approves it; approved leave is a hard rule for the solver (never rostered on those days)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年假")
        SICK = "sick", _("病假")
        PERSONAL = "personal", _("事假")
        COMP = "comp", _("调休")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已拒绝")
        CANCELLED = "cancelled", _("已撤回")

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="leaves"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ANNUAL)
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    # Leave entered by a manager (or before requests existed) is approved from the start.
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.APPROVED)
    requested_at = models.DateTimeField(_("申请时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        ordering = ["-first_day"]
        indexes = [models.Index(fields=["agent", "status", "first_day"])]

    def __str__(self) -> str:
        return f"{self.agent} {self.first_day}–{self.last_day}"

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


class LeaveBalance(models.Model):
    """Days of one kind of leave an agent is entitled to in a year; used = approved leave of that kind."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="leave_balances"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Leave.Kind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    entitled_days = models.DecimalField(_("额度（天）"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("假期额度")
        verbose_name_plural = _("假期额度")
        constraints = [models.UniqueConstraint(fields=["agent", "kind", "year"], name="leave_balance_unique")]

    def __str__(self) -> str:
        return f"{self.agent} {self.year} {self.kind}: {self.entitled_days}"


class AgentPreference(models.Model):
    """An agent's wishes for rosters: soft goals for the solver, never hard rules."""

    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("客服"), on_delete=models.CASCADE, related_name="roster_preference"
    )
    prefer_shifts = models.JSONField(_("想上的班次"), default=list, blank=True)  # shift template codes
    avoid_shifts = models.JSONField(_("不想上的班次"), default=list, blank=True)
    unwanted_weekdays = models.JSONField(_("希望休息的星期"), default=list, blank=True)  # 0 = Monday … 6 = Sunday
    preferred_weekdays = models.JSONField(_("想上班的星期"), default=list, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("排班偏好")
        verbose_name_plural = _("排班偏好")

    def __str__(self) -> str:
        return f"{self.agent}"


class SwapRequest(models.Model):
    """An agent asks to hand a shift to a colleague (a give-away) or to trade it for one of theirs; checked
    by the solver's hard rules. The colleague accepts or declines first (`proposed`); once accepted it waits
    for a manager (`pending`), who approves or rejects it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("待同事确认")
        DECLINED = "declined", _("同事已拒绝")
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已拒绝")
        CANCELLED = "cancelled", _("已撤回")

    assignment = models.ForeignKey(
        ShiftAssignment, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="swap_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="swaps_requested"
    )
    taker = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接班人"), on_delete=models.CASCADE, related_name="swaps_offered"
    )
    # A two-way trade: the taker's shift the requester takes in exchange (empty for a give-away).
    counterpart = models.ForeignKey(
        ShiftAssignment, verbose_name=_("换回的班次"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PROPOSED)
    answered_at = models.DateTimeField(_("同事答复时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    OPEN = (Status.PROPOSED, Status.PENDING)  # still waiting for the colleague or a manager

    class Meta:
        verbose_name = _("换班申请")
        verbose_name_plural = _("换班申请")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.requester} → {self.taker}: {self.assignment_id} ({self.status})"
