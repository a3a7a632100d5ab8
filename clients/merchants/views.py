"""Pages about merchants and shops."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agency.access import get_visible_or_404
from agency.permissions import EVERYONE, roles_required
from clients.merchants.selectors import shops_visible_to


@roles_required(EVERYONE)
def shop_list(request: HttpRequest) -> HttpResponse:
    shops = shops_visible_to(user=request.user)
    return render(request, "clients/shop_list.html", {"shops": shops})


@roles_required(EVERYONE)
def shop_detail(request: HttpRequest, code: str) -> HttpResponse:
    shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
    return render(request, "clients/shop_detail.html", {"shop": shop})
