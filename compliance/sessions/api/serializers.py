from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from compliance.masking import mask_text
from compliance.sessions.models import ChatMessage, ChatSession, Hit
from compliance.sessions.sessionfile import FORMATS


class StoredHitSerializer(serializers.ModelSerializer):
    """A stored hit (one rule-set version's finding), with the version that found it."""

    matched = serializers.SerializerMethodField()
    ruleset_version = serializers.IntegerField(source="ruleset.version", read_only=True)

    class Meta:
        model = Hit
        fields = ["rule", "category", "severity", "start", "end", "matched", "suggestion", "ruleset_version"]

    def get_matched(self, hit: Hit) -> str:
        return mask_text(hit.matched)


class MessageSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="external_id")
    agent = serializers.CharField(source="agent_code")
    text = serializers.SerializerMethodField()
    hits = serializers.SerializerMethodField()

    class Meta:
        model = ChatMessage
        fields = ["id", "sender", "agent", "sent_at", "text", "hits"]

    def get_text(self, message: ChatMessage) -> str:
        return mask_text(message.text)

    @extend_schema_field(StoredHitSerializer(many=True))
    def get_hits(self, message: ChatMessage) -> list[dict]:
        # drf-stubs type many=True as the serializer itself; it is a ListSerializer, whose data is a list.
        return StoredHitSerializer(getattr(message, "current_hits", []), many=True).data  # type: ignore[return-value]


class SessionSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code")
    session_id = serializers.CharField(source="external_id")
    message_count = serializers.IntegerField(read_only=True)
    hit_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ChatSession
        fields = ["id", "shop", "session_id", "buyer", "started_at", "ended_at", "message_count", "hit_count"]


class SessionDetailSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code")
    session_id = serializers.CharField(source="external_id")
    messages = serializers.SerializerMethodField()

    class Meta:
        model = ChatSession
        fields = ["id", "shop", "session_id", "buyer", "started_at", "ended_at", "messages"]

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, session: ChatSession) -> list[dict]:
        # drf-stubs type many=True as the serializer itself; it is a ListSerializer, whose data is a list.
        return MessageSerializer(self.context["messages"], many=True).data  # type: ignore[return-value]


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    shop = serializers.CharField(help_text="shop code")
    format = serializers.ChoiceField(choices=FORMATS, required=False, help_text="default: from the file name")
    background = serializers.BooleanField(required=False, default=False, help_text="always run as a Job")


class ImportResultSerializer(serializers.Serializer):
    shop = serializers.CharField()
    rows = serializers.IntegerField()
    sessions_created = serializers.IntegerField()
    sessions_updated = serializers.IntegerField()
    messages_created = serializers.IntegerField()
    messages_skipped = serializers.IntegerField()
    unknown_agents = serializers.ListField(child=serializers.CharField())


class ImportJobSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField()


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    # The metaclass pops declared fields, so Serializer.errors is untouched; drf-stubs see a class attribute.
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]
