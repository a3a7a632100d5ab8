"""Serializers of the handover API."""

from __future__ import annotations

from rest_framework import serializers

from agency.models import User
from clients.handover.models import HandoverBatch, KnowledgeEntry


class KnowledgeEntrySerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="batch.shop.code")
    batch = serializers.IntegerField(source="batch_id")
    version = serializers.IntegerField(source="batch.version")

    class Meta:
        model = KnowledgeEntry
        fields = ["id", "kind", "title", "body", "sku", "price", "attributes", "shop", "batch", "version"]


class HandoverBatchSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code")
    entry_count = serializers.IntegerField(read_only=True)
    acknowledged_by: serializers.StringRelatedField[User] = serializers.StringRelatedField(allow_null=True)

    class Meta:
        model = HandoverBatch
        fields = ["id", "engagement", "shop", "kind", "title", "version", "series", "supersedes", "status",
                  "in_force", "entry_count", "acknowledged_by", "acknowledged_at", "superseded_at", "created_at"]
