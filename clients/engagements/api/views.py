"""API of engagements (read): the consultation and where the engagement stands."""

from __future__ import annotations

from rest_framework import viewsets

from agency.http import AuthenticatedRequest
from agency.permissions import IsManagerOrMerchant
from clients.engagements import selectors
from clients.engagements.api.serializers import EngagementSerializer


class EngagementViewSet(viewsets.ReadOnlyModelViewSet):
    """Engagements the caller may see (a merchant: their own)."""

    serializer_class = EngagementSerializer
    # As the engagement pages: managers, and a merchant for their own (volumes, budgets, the pipeline).
    permission_classes = [IsManagerOrMerchant]
    request: AuthenticatedRequest

    def get_queryset(self):
        return selectors.engagements_visible_to(user=self.request.user).order_by("pk")
