"""Pages about merchants and shops."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agency.access import get_visible_or_404
from clients.merchants.selectors import shops_visible_to


@login_required
def shop_list(request: HttpRequest) -> HttpResponse:
    shops = shops_visible_to(user=request.user)
    return render(request, "clients/shop_list.html", {"shops": shops})


@login_required
def shop_detail(request: HttpRequest, code: str) -> HttpResponse:
    shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
    return render(request, "clients/shop_detail.html", {"shop": shop})
