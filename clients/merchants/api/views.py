"""API of merchants' shops (read)."""

from __future__ import annotations

from rest_framework import viewsets

from agency.http import AuthenticatedRequest
from clients.merchants.api.serializers import ShopSerializer
from clients.merchants.selectors import shops_visible_to


class ShopViewSet(viewsets.ReadOnlyModelViewSet):
    """Shops the caller may see; another merchant's shop is a 404."""

    serializer_class = ShopSerializer
    lookup_field = "code"
    request: AuthenticatedRequest

    def get_queryset(self):
        return shops_visible_to(user=self.request.user).order_by("code")
