"""Serializers of the engagements API."""

from __future__ import annotations

from rest_framework import serializers

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
