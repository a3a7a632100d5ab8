"""API of engagements (read): the consultation and where the engagement stands."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from agency.http import AuthenticatedRequest
from clients.engagements import selectors
from clients.engagements.models import Engagement
from clients.merchants.models import Shop


class EngagementSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.code", read_only=True)
    shops: serializers.SlugRelatedField[Shop] = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = Engagement
        fields = ["id", "merchant", "title", "stage", "stage_label", "shops", "daily_volume", "peak_hours",
                  "peak_hour_share", "service_start", "service_end", "presale_share", "languages",
                  "avg_handle_seconds", "concurrency", "seasonal_peaks", "next_step", "next_step_due", "updated_at"]



class EngagementViewSet(viewsets.ReadOnlyModelViewSet):
    """Engagements the caller may see (a merchant: their own)."""

    serializer_class = EngagementSerializer
    request: AuthenticatedRequest

    def get_queryset(self):
        return selectors.engagements_visible_to(user=self.request.user).order_by("pk")
