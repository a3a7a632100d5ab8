"""Pages of the alert notifications: a user's rules, their in-app inbox, and bulk acknowledgement."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import STAFF, roles_required
from clients.merchants.selectors import shops_visible_to
from compliance.quality.alerts import selectors as sel
from compliance.quality.alerts.forms import NotificationRuleForm
from compliance.quality.alerts.services import (
    alerts_acknowledge_bulk,
    deliveries_mark_read,
    notification_rule_delete,
    notification_rule_save,
)
from compliance.quality.metrics.forms import AlertFilterForm
from compliance.quality.metrics.selectors import alerts_filtered, alerts_visible_to


def _rule_form(request: AuthenticatedHttpRequest, instance=None) -> NotificationRuleForm:
    shops = shops_visible_to(user=request.user).order_by("name")
    return NotificationRuleForm(request.POST or None, instance=instance, shops=shops)


@roles_required(STAFF)
def rule_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _rule_form(request)
    if request.method == "POST" and form.is_valid():
        notification_rule_save(user=request.user, data=form.cleaned_data, shops=form.cleaned_data["shops"])
        messages.success(request, _("通知规则已保存。"))
        return redirect("quality:notification-rules")
    return render(request, "quality/notification_rules.html", {"rules": sel.rules_of(user=request.user), "form": form})


@roles_required(STAFF)
def rule_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_visible_or_404(sel.rules_of(user=request.user), pk=pk)
    form = _rule_form(request, instance=rule)
    if request.method == "POST" and form.is_valid():
        notification_rule_save(user=request.user, rule=rule, data=form.cleaned_data, shops=form.cleaned_data["shops"])
        messages.success(request, _("通知规则已保存。"))
        return redirect("quality:notification-rules")
    return render(request, "quality/notification_rule_edit.html", {"rule": rule, "form": form})


@roles_required(STAFF)
@require_POST
def rule_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = get_visible_or_404(sel.rules_of(user=request.user), pk=pk)
    notification_rule_delete(rule=rule, by=request.user)
    messages.success(request, _("通知规则已删除。"))
    return redirect("quality:notification-rules")


@roles_required(STAFF)
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(sel.inbox_of(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "quality/inbox.html", {"page": page})


@roles_required(STAFF)
@require_POST
def inbox_mark_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    deliveries_mark_read(user=request.user)
    return redirect("quality:inbox")


@roles_required(STAFF)
@require_POST
def alerts_bulk_ack(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Acknowledge the ticked alerts, one shop's (`shop_all`), or every alert the posted filters select."""
    visible = alerts_visible_to(user=request.user)
    if request.POST.get("shop_all"):
        chosen = visible.filter(shop_id=_int_or_none(request.POST["shop_all"]) or 0)
    elif request.POST.get("scope") == "filtered":
        form = AlertFilterForm(request.POST, shops=shops_visible_to(user=request.user))
        chosen = alerts_filtered(user=request.user, **form.filters())
    else:
        ids = [i for i in (_int_or_none(v) for v in request.POST.getlist("ids")) if i is not None]
        chosen = visible.filter(pk__in=ids)
    count = alerts_acknowledge_bulk(alerts=chosen, by=request.user)
    if count:
        messages.success(request, _("已确认 %(n)s 条告警。") % {"n": count})
    else:
        messages.info(request, _("没有可确认的告警：请先勾选。"))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "quality:alert-list"
    return redirect(target)


def _int_or_none(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
