"""The merchant's quality view, its drill-down, monthly PDF and CSV export; alerts; SLA profiles.

Thin: parse the request, call selectors/services, render. Another merchant's shop or session is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency import charts
from agency.access import get_visible_or_404
from agency.exports import export_too_big
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, MERCHANTS, STAFF, STAFF_AND_MERCHANTS, require_role, roles_required
from clients.merchants.selectors import shops_visible_to
from compliance.models import ChatSession
from compliance.quality.masking import highlighted_segments, mask_buyer
from compliance.quality.metrics import selectors as sel
from compliance.quality.metrics.exports import csv_rows
from compliance.quality.metrics.forms import AlertFilterForm, SlaProfileForm
from compliance.quality.metrics.merchant_export import merchant_data_export_start
from compliance.quality.metrics.models import SlaProfile
from compliance.quality.metrics.names import reply_rate_definition, reply_rate_name
from compliance.quality.metrics.reports import monthly_report_pdf
from compliance.quality.metrics.scores import session_scores, shop_scores
from compliance.quality.metrics.services import (
    alert_acknowledge,
    metrics_recompute_start,
    shop_sessions_export_start,
    sla_profile_update,
)
from compliance.quality.metrics.sla import TargetResolver


@dataclass(frozen=True)
class _SessionRow:
    """A row of the sessions table: the session and what the template shows beside its own fields."""

    session: ChatSession
    masked_buyer: str
    scores: dict[str, float | None]


@roles_required(STAFF_AND_MERCHANTS)
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    shops = shops_visible_to(user=request.user)
    period = sel.period_for(month=request.GET.get("month"), shops=shops)
    rows = sel.quality_overview(user=request.user, period=period)
    daily = sel.overview_daily(user=request.user, period=period)
    trend_chart = charts.chart(
        title=_("每日服务趋势（全部可见店铺）"),
        labels=[f"{d['day']:%m-%d}" for d in daily],
        series_list=[
            charts.series(_("回复率"), [d["reply_rate"] for d in daily]),
            charts.series(_("平均响应（秒，右轴）"), [d["avg_response"] for d in daily], on_axis=1),
        ],
        axes=[charts.axis(_("回复率"), percent=True, top=1.0), charts.axis(_("秒"), unit="s")],
    )
    return render(request, "quality/overview.html", {"rows": rows, "period": period, "trend_chart": trend_chart,
                                                     "has_trend": charts.has_data(trend_chart)})


@login_required
def shop_quality(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    shop = sel.shop_visible_or_404(user=request.user, code=code)
    period = sel.period_for(month=request.GET.get("month"), shops=shops_visible_to(user=request.user).filter(pk=shop.pk))
    daily = sel.shop_daily(shop=shop, period=period)
    targets = TargetResolver().targets(shop, period.end)
    band = (targets.warning_low, targets.warning_high) if targets.warning_low is not None and targets.warning_high else None
    labels = [f"{d['day']:%m-%d}" for d in daily]
    reply_chart = charts.chart(
        title=_("每日%(name)s") % {"name": reply_rate_name(shop.platform, targets.sla.target_seconds)},
        labels=labels,
        series_list=[charts.series(_("回复率"), [d["reply_rate"] for d in daily])],
        axes=[charts.axis(percent=True, top=1.0)],
        target=targets.reply_rate_target,
        target_label=_("目标 %(rate)s%%") % {"rate": f"{targets.reply_rate_target * 100:.0f}"},
        band=band,
    )
    response_chart = charts.chart(
        title=_("每日平均响应（秒）"),
        labels=labels,
        series_list=[charts.series(_("平均响应"), [d["avg_response"] for d in daily])],
        axes=[charts.axis(unit=_("秒"))],
        target=targets.avg_response_target_seconds,
        target_label=_("目标") if targets.avg_response_target_seconds else "",
    )
    violations = sel.violations_by_category(shop=shop, period=period)
    violation_chart = charts.chart(
        title=_("违规类别"),
        labels=[str(v["label"]) for v in violations],
        series_list=[charts.series(_("命中"), [v["count"] for v in violations], kind="bar")],
        horizontal=True,
    )
    alerts = sel.alerts_visible_to(user=request.user).filter(shop=shop, day__gte=period.start, day__lte=period.end)
    context = {
        "shop": shop,
        "period": period,
        "totals": sel.shop_totals(shop=shop, period=period),
        "targets": targets,
        "daily": daily,
        "reply_chart": reply_chart,
        "response_chart": response_chart,
        "violations": violations,
        "violation_chart": violation_chart,
        "agents": sel.agent_table(shop=shop, period=period),
        "alerts": list(alerts[:20]),
        "scores": shop_scores(shop.pk, period.start, period.end),
        "rate_name": reply_rate_name(shop.platform, targets.sla.target_seconds),
        "rate_help": reply_rate_definition(shop.platform, targets.sla.target_seconds),
        "avg_response_target": targets.avg_response_target_seconds,
    }
    return render(request, "quality/shop_quality.html", context)


@login_required
def shop_sessions(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    shop = sel.shop_visible_or_404(user=request.user, code=code)
    period = sel.period_for(month=request.GET.get("month"), shops=shops_visible_to(user=request.user).filter(pk=shop.pk))
    flag = request.GET.get("flag", "")
    has_hits = request.GET.get("hits") == "1"
    agent = request.GET.get("agent", "")
    sessions = sel.shop_sessions(
        user=request.user, shop=shop, period=period, flag=flag, has_hits=has_hits, agent=agent
    )
    page = Paginator(sessions, 50).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    scores = session_scores([s.pk for s in on_page])
    rows = [
        _SessionRow(session=session, masked_buyer=mask_buyer(session.buyer), scores=scores.get(session.pk, {}))
        for session in on_page
    ]
    context = {
        "shop": shop, "period": period, "page": page, "rows": rows, "flag": flag, "has_hits": has_hits, "agent": agent,
    }
    sla = TargetResolver().targets(shop, period.end).sla
    context["rate_name"] = reply_rate_name(shop.platform, sla.target_seconds)
    context["rate_help"] = reply_rate_definition(shop.platform, sla.target_seconds)
    return render(request, "quality/shop_sessions.html", context)


@login_required
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = sel.session_for_drilldown(user=request.user, pk=pk)
    chat = list(session.messages.select_related("agent").prefetch_related("hits").order_by("sent_at", "pk"))
    turns = {t.first_message_id: t for t in session.turns.all()}
    for message in chat:
        message.turn = turns.get(message.pk)
    metrics = getattr(session, "metrics", None)
    context = {
        "session": session,
        "masked_buyer": mask_buyer(session.buyer),
        "chat": [(message, highlighted_segments(message.text, list(message.hits.all()))) for message in chat],
        "metrics": metrics,
        "scores": session_scores([session.pk]).get(session.pk, {}),
    }
    return render(request, "quality/session_detail.html", context)


@login_required
def shop_report_pdf(request: AuthenticatedHttpRequest, code: str, month: str) -> HttpResponse:
    shop = sel.shop_visible_or_404(user=request.user, code=code)
    start = sel.parse_month(month)
    if start is None:
        return HttpResponse(_("月份格式应为 YYYY-MM"), status=400)
    pdf = monthly_report_pdf(shop=shop, period=sel.month_period(start))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="quality-{shop.code}-{month}.pdf"'
    return response


@login_required
def shop_sessions_csv(request: AuthenticatedHttpRequest, code: str) -> HttpResponse | StreamingHttpResponse:
    """The month's sessions as CSV: streamed when small, otherwise (more than EXPORT_STREAM_MAX_ROWS rows) a
    page offering to run it as a job (POST), whose page then offers the file."""
    shop = sel.shop_visible_or_404(user=request.user, code=code)
    period = sel.period_for(month=request.GET.get("month"), shops=shops_visible_to(user=request.user).filter(pk=shop.pk))
    if request.method == "POST":
        job = shop_sessions_export_start(by=request.user, shop=shop, month=period.label, language=get_language())
        return redirect("job-detail", job.pk)
    rows = sel.shop_sessions(user=request.user, shop=shop, period=period).count()
    if export_too_big(rows=rows):
        return render(request, "agency/export_as_job.html", {"rows": rows, "title": _("导出会话明细")})
    response = StreamingHttpResponse(
        csv_rows(user=request.user, shop=shop, period=period, language=get_language()),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="sessions-{shop.code}-{period.label}.csv"'
    return response


@roles_required(STAFF)
def alert_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Alerts grouped by shop, filtered (open ones by default), with bulk acknowledgement."""
    form = AlertFilterForm(request.GET or None, shops=shops_visible_to(user=request.user).order_by("name"))
    filters = form.filters()
    alerts = sel.alerts_filtered(user=request.user, **filters)
    page = Paginator(alerts, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": page, "form": form, "query": query.urlencode(), "filters": filters}
    return render(request, "quality/alert_list.html", context)


@login_required
def alert_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alert = get_visible_or_404(sel.alerts_visible_to(user=request.user), pk=pk)
    sessions = alert.sessions.select_related("metrics").order_by("started_at")[:200]
    return render(request, "quality/alert_detail.html", {"alert": alert, "sessions": sessions})


@login_required
@require_POST
def alert_ack(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, STAFF)
    alert = get_visible_or_404(sel.alerts_visible_to(user=request.user), pk=pk)
    alert_acknowledge(alert=alert, by=request.user)
    messages.success(request, _("告警已确认。"))
    target = request.POST.get("next") or ""
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("quality:alert-list")
    return redirect(target)


@roles_required(STAFF)
def sla_profile_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "quality/sla_profiles.html", {"profiles": sel.sla_profiles()})


@roles_required(MANAGERS)
def sla_profile_edit(request: AuthenticatedHttpRequest, platform: str) -> HttpResponse:
    profile = get_object_or_404(SlaProfile, platform=platform)
    form = SlaProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        sla_profile_update(profile=profile, data=form.cleaned_data, by=request.user)
        messages.success(request, _("考核标准已保存，指标将重新计算。"))
        return redirect("quality:sla-profiles")
    return render(request, "quality/sla_profile_edit.html", {"form": form, "profile": profile})


@login_required
@require_POST
def metrics_recompute(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_role(request.user, MANAGERS)
    job = metrics_recompute_start(by=request.user)
    return redirect("job-detail", pk=job.pk)


@roles_required(MERCHANTS)
def merchant_data_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A merchant takes all of their data (e.g. when a contract ends): POST starts a job, its page offers the ZIP."""
    if request.method == "POST":
        job = merchant_data_export_start(by=request.user)
        return redirect("job-detail", job.pk)
    return render(request, "quality/merchant_data_export.html")
