"""The agent's pre-send check: a form, and its result part (htmx) with the hits marked and explained."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agency.http import AuthenticatedHttpRequest
from clients.models import Platform
from compliance.precheck.forms import CheckForm
from compliance.precheck.selectors import shops_for_check
from compliance.precheck.services import reply_check


def _check_form(request: AuthenticatedHttpRequest, data=None) -> CheckForm:
    form = CheckForm(data)
    cast(forms.ModelChoiceField, form.fields["shop"]).queryset = shops_for_check(user=request.user).order_by("merchant__name", "name")
    # The platform is the chosen shop's; the list only matters without a shop (blank: the shop decides).
    cast(forms.ChoiceField, form.fields["platform"]).choices = [("", _("按所选店铺的平台"))] + list(Platform.choices)
    return form


@login_required
def precheck(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _check_form(request)
    return render(request, "compliance/rules/precheck.html", {"form": form})


@login_required
@require_POST
def precheck_result(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _check_form(request, request.POST)
    context: dict = {"hits": [], "segments": [], "text": ""}
    if form.is_valid():
        shop = form.cleaned_data.get("shop")
        platform = shop.platform if shop else (form.cleaned_data.get("platform") or Platform.PDD)
        context.update(reply_check(text=form.cleaned_data.get("text") or "", platform=platform, shop=shop))
    else:
        context["errors"] = form.errors
    return render(request, "compliance/rules/_precheck_result.html", context)
