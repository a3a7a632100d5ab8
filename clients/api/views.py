from rest_framework import viewsets

from clients.api.serializers import ShopSerializer
from clients.selectors import shops_visible_to


class ShopViewSet(viewsets.ReadOnlyModelViewSet):
    """Shops the caller may see; another merchant's shop is a 404."""

    serializer_class = ShopSerializer
    lookup_field = "code"

    def get_queryset(self):
        return shops_visible_to(user=self.request.user).order_by("code")
