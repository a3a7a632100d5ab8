"""The merchant's portal and the go-live checklist page. Thin: selectors and services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import MANAGERS, require_role
from clients.engagements.golive import GoLiveBlocked, engagement_go_live, golive_checklist, golive_missing
from clients.handover.selectors import batches_with_counts
from clients.portal.selectors import (
    engagement_timeline,
    lifecycle_steps,
    portal_contracts,
    portal_engagements,
    portal_quotes,
    portal_todo,
)

VERB_LABELS = {
    "handover.batch_create": gettext_noop("创建交接批次"),
    "handover.entry_add": gettext_noop("添加交接条目"),
    "handover.entry_remove": gettext_noop("删除交接条目"),
    "handover.products_import": gettext_noop("导入商品文件"),
    "handover.batch_acknowledge": gettext_noop("确认交接批次"),
    "handover.batch_new_version": gettext_noop("创建交接新版本"),
    "engagement.go_live": gettext_noop("客服上岗"),
}


def _timeline(engagement, user) -> list[dict]:
    rows = engagement_timeline(engagement=engagement, user=user)
    for row in rows:
        event = row.pop("event", None)
        if event is not None:
            row.update(
                label=_(VERB_LABELS[event.verb]) if event.verb in VERB_LABELS else event.verb,
                title=event.data.get("title", ""), version=event.data.get("version"),
                created=event.data.get("created"), updated=event.data.get("updated"),
            )
    return rows


def _checklist(engagement) -> dict:
    items = golive_checklist(engagement)
    return {"items": items, "missing": golive_missing(items)}


@login_required
def portal_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    engagements = list(portal_engagements(user=request.user))
    for engagement in engagements:
        engagement.steps = lifecycle_steps(engagement)
    return render(request, "clients/portal/home.html", {"engagements": engagements, "todo": portal_todo(user=request.user)})


@login_required
def portal_engagement(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(portal_engagements(user=request.user), pk=pk)
    context = {
        "engagement": engagement,
        "steps": lifecycle_steps(engagement),
        "batches": batches_with_counts(user=request.user, engagement=engagement),
        "activity": _timeline(engagement, request.user),
        "quotes": portal_quotes(user=request.user, engagement=engagement),
        "contracts": portal_contracts(user=request.user, engagement=engagement),
        "golive": _checklist(engagement),
    }
    return render(request, "clients/portal/engagement.html", context)


@login_required
def golive_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(portal_engagements(user=request.user), pk=pk)
    return render(request, "clients/golive.html", {"engagement": engagement, "golive": _checklist(engagement),
                                                   "steps": lifecycle_steps(engagement)})


@login_required
@require_POST
def golive_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    engagement = get_visible_or_404(portal_engagements(user=request.user), pk=pk)
    require_role(request.user, MANAGERS)
    try:
        engagement_go_live(engagement=engagement, by=request.user)
    except GoLiveBlocked as exc:
        messages.error(request, str(exc))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(engagement)s”已上岗，进入质检阶段。") % {"engagement": engagement})
    return redirect("clients:golive", pk=engagement.pk)
