"""Pages of the rule library: browse, draft, edit, impact preview, publish; custom rules."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency import charts
from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import AGENCY, MANAGERS, STAFF_AND_MERCHANTS, has_role, roles_required
from clients.models import Platform
from compliance.rules.forms import CustomRuleForm, RuleForm
from compliance.rules.impact import MAX_DAYS, ruleset_impact_queue
from compliance.rules.models import Category, Rule, RuleSet, Severity
from compliance.rules.selectors import (
    classifier_panel,
    custom_rules_visible_to,
    open_draft,
    rule_hit_counts,
    rule_hit_trend,
    ruleset_impact_jobs,
    ruleset_rules,
    ruleset_versions,
)
from compliance.rules.services import (
    RuleSetError,
    active_ruleset,
    classifier_switch_set,
    custom_rule_save,
    rule_save,
    ruleset_digest,
    ruleset_draft_create,
    ruleset_publish,
)


def _platform_param(request: AuthenticatedHttpRequest) -> str:
    platform = request.GET.get("platform") or Platform.PDD
    return platform if platform in Platform.values else Platform.PDD


@roles_required(AGENCY)
def rule_library(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The platform's active version. Reading never loads anything: before the shipped library is loaded
    (`manage.py load_rules`, `demo_data`, or the first scan) the page says so."""
    platform = _platform_param(request)
    ruleset = active_ruleset(platform=platform)
    if ruleset is None:
        return render(request, "compliance/rules/library_empty.html", {
            "platform": platform, "platforms": Platform.choices, "can_edit": has_role(request.user, MANAGERS),
        })
    return _ruleset_page(request, ruleset)


@roles_required(AGENCY)
def ruleset_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _ruleset_page(request, get_object_or_404(RuleSet, pk=pk))


def _ruleset_page(request: AuthenticatedHttpRequest, ruleset: RuleSet) -> HttpResponse:
    category = request.GET.get("category", "")
    severity = request.GET.get("severity", "")
    query = (request.GET.get("q") or "").strip()
    rules = ruleset_rules(ruleset=ruleset, category=category, query=query, severity=severity)
    page = Paginator(rules, 25).get_page(request.GET.get("page"))
    last = timezone.localdate()
    first = last - timedelta(days=29)
    trend = rule_hit_trend(platform=ruleset.platform, first=first, last=last)
    hit_chart = charts.chart(
        title=_("近 30 天命中趋势"),
        labels=[f"{first + timedelta(days=n):%m-%d}" for n in range(30)],
        series_list=[
            charts.series(label, trend[value], kind="bar", colors=[value] * 30)
            for value, label in Severity.choices
        ],
        axes=[charts.axis(_("命中"))],
    )
    hits = rule_hit_counts(platform=ruleset.platform, rule_ids=[r.rule_id for r in page.object_list],
                           first=first, last=last)
    rows = [(rule, hits.get(rule.rule_id, 0)) for rule in page.object_list]
    versions = ruleset_versions(platform=ruleset.platform)
    draft = open_draft(platform=ruleset.platform)
    can_edit = has_role(request.user, MANAGERS)
    impact_job = None
    if can_edit and ruleset.status == RuleSet.Status.DRAFT:
        impact_job = ruleset_impact_jobs(draft_id=ruleset.pk).first()
    return render(request, "compliance/rules/library.html", {
        "ruleset": ruleset,
        "page": page,
        "platforms": Platform.choices,
        "categories": Category.choices,
        "category": category,
        "severity": severity,
        "severities": Severity.choices,
        "q": query,
        "rows": rows,
        "hit_chart": hit_chart,
        "has_hits": charts.has_data(hit_chart) and any(any(v) for v in trend.values()),
        "versions": versions,
        "draft": draft,
        "can_edit": can_edit,
        "impact_job": impact_job,
        "total": ruleset.rules.count(),
        "classifier": classifier_panel(ruleset=ruleset),
    })


@login_required
@require_POST
@roles_required(MANAGERS)
def classifier_switch(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A manager switches one category's classifier on or off for one platform."""
    platform = request.POST.get("platform") or ""
    category = request.POST.get("category") or ""
    enabled = request.POST.get("enabled") == "1"
    try:
        classifier_switch_set(platform=platform, category=category, enabled=enabled, by=request.user)
    except RuleSetError as exc:
        messages.error(request, str(exc))
    else:
        label = dict(Category.choices).get(category, category)
        if enabled:
            messages.success(request, _("已启用“%(c)s”的分句分类模型") % {"c": label})
        else:
            messages.success(request, _("已关闭“%(c)s”的分句分类模型") % {"c": label})
    back = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect(f"{reverse('compliance:rule-library')}?platform={platform if platform in Platform.values else Platform.PDD}")


@login_required
@require_POST
@roles_required(MANAGERS)
def draft_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    platform = request.POST.get("platform")
    if platform not in Platform.values:
        messages.error(request, _("请选择一个平台。"))
        return redirect("compliance:rule-library")
    draft = ruleset_draft_create(platform=platform, by=request.user)
    return redirect("compliance:ruleset-detail", pk=draft.pk)


@roles_required(MANAGERS)
def rule_edit(request: AuthenticatedHttpRequest, pk: int, rule_pk: int | None = None) -> HttpResponse:
    ruleset = get_object_or_404(RuleSet, pk=pk, status=RuleSet.Status.DRAFT)
    rule = get_object_or_404(Rule, pk=rule_pk, ruleset=ruleset) if rule_pk else None
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            rule_id = data.pop("rule_id")
            if rule is not None and rule_id != rule.rule_id:
                form.add_error("rule_id", _("规则编号不能修改"))
            else:
                try:
                    rule_save(ruleset=ruleset, by=request.user, rule_id=rule_id, data=data, rule=rule)
                except RuleSetError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("规则已保存到草稿 v%(v)s") % {"v": ruleset.version})
                    return redirect("compliance:ruleset-detail", pk=ruleset.pk)
    else:
        form = RuleForm(initial=RuleForm.initial_from(rule) if rule else {"enabled": True})
    return render(request, "compliance/rules/rule_form.html", {"form": form, "ruleset": ruleset, "rule": rule})


def _days_param(value, default: int) -> int:
    try:
        return max(1, min(int(value), MAX_DAYS))
    except (TypeError, ValueError):
        return default


@roles_required(MANAGERS)
def ruleset_impact_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The draft's impact preview: POST starts one (or finds the one running), GET shows the latest (or
    `?job=`) with its progress while it runs and its result once done; htmx polls the job's part."""
    draft = get_object_or_404(RuleSet, pk=pk, status=RuleSet.Status.DRAFT)
    if request.method == "POST":
        days = _days_param(request.POST.get("days"), 30)
        try:
            queued, started = ruleset_impact_queue(draft=draft, days=days, by=request.user)
        except RuleSetError as exc:
            messages.error(request, str(exc))
            return redirect("compliance:ruleset-impact", pk=draft.pk)
        if not started:
            messages.info(request, _("这份草稿的影响预览正在计算，显示的是进行中的任务。"))
        return redirect(f"{reverse('compliance:ruleset-impact', args=[draft.pk])}?job={queued.pk}")
    jobs = ruleset_impact_jobs(draft_id=draft.pk)
    job = get_object_or_404(jobs, pk=request.GET["job"]) if request.GET.get("job", "").isdigit() else jobs.first()
    context = {
        "draft": draft, "job": job, "max_days": MAX_DAYS,
        "days": _days_param(request.GET.get("days") or (job.result.get("days") if job else None), 30),
        "draft_changed": bool(job and job.status == job.Status.DONE
                              and job.result.get("draft_digest") != ruleset_digest(ruleset=draft)),
    }
    if request.htmx and job is not None:
        return render(request, "compliance/rules/_impact_job.html", context)
    return render(request, "compliance/rules/impact.html", context)


@login_required
@require_POST
@roles_required(MANAGERS)
def ruleset_publish_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    draft = get_object_or_404(RuleSet, pk=pk)
    try:
        rescan_days = max(0, min(int(request.POST.get("rescan_days") or 0), 180))
    except ValueError:
        rescan_days = 0
    try:
        ruleset_publish(ruleset=draft, by=request.user, notes=request.POST.get("notes", ""), rescan_days=rescan_days)
    except RuleSetError as exc:
        messages.error(request, str(exc))
        return redirect("compliance:ruleset-detail", pk=draft.pk)
    messages.success(request, _("已发布 %(platform)s v%(v)s；此前的命中记录保留原版本。") % {
        "platform": draft.get_platform_display(), "v": draft.version})
    return redirect(f"{request.build_absolute_uri('/compliance/rules/')}?platform={draft.platform}")


# ------------------------------------------------------------------------------------ custom rules
@roles_required(STAFF_AND_MERCHANTS)
def custom_rule_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rules = custom_rules_visible_to(user=request.user).order_by("merchant__name", "shop__name", "id")
    return render(request, "compliance/rules/custom_list.html", {
        "rules": rules, "can_edit": has_role(request.user, MANAGERS),
    })


@roles_required(MANAGERS)
def custom_rule_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    rule = get_visible_or_404(custom_rules_visible_to(user=request.user), pk=pk) if pk else None
    if request.method == "POST":
        form = CustomRuleForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            merchant, shop = data.pop("merchant"), data.pop("shop")
            rescan_days = data.pop("rescan_days") or 0
            try:
                saved = custom_rule_save(
                    merchant=merchant, shop=shop, by=request.user, data=data, rule=rule, rescan_days=rescan_days,
                )
            except RuleSetError as exc:
                form.add_error(None, str(exc))
            else:
                if saved.rescan_job_ids:
                    messages.success(request, format_html(
                        '{} <a href="{}">{}</a>',
                        _("自定义规则已保存，正在重新扫描最近 %(days)s 天的消息。") % {"days": rescan_days},
                        reverse("job-detail", args=[saved.rescan_job_ids[0]]), _("查看进度"),
                    ))
                else:
                    messages.success(request, _("自定义规则已保存"))
                return redirect("compliance:custom-rules")
    else:
        form = CustomRuleForm(initial=CustomRuleForm.initial_from(rule) if rule else {"active": True})
    return render(request, "compliance/rules/custom_form.html", {"form": form, "rule": rule})
