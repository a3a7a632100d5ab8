"""Pages about merchants and shops."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from agency.access import get_visible_or_404
from agency.http import AuthenticatedHttpRequest
from agency.permissions import EVERYONE, roles_required
from clients.merchants.selectors import shops_visible_to


@roles_required(EVERYONE)
def shop_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    shops = shops_visible_to(user=request.user)
    return render(request, "clients/shop_list.html", {"shops": shops})


@roles_required(EVERYONE)
def shop_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
    return render(request, "clients/shop_detail.html", {"shop": shop})
