from rest_framework import serializers

from compliance.quality.metrics.models import QualityAlert


class DayMetricsSerializer(serializers.Serializer):
    day = serializers.DateField()
    sessions = serializers.IntegerField()
    counted_turns = serializers.IntegerField()
    reply_rate = serializers.FloatField(allow_null=True)
    avg_response = serializers.FloatField(allow_null=True)
    avg_first_response = serializers.FloatField(allow_null=True)
    nonreply = serializers.IntegerField()
    unserved = serializers.IntegerField()


class SessionMetricsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    session_id = serializers.CharField(source="external_id")
    shop = serializers.CharField(source="shop.code")
    started_at = serializers.DateTimeField()
    agent = serializers.SerializerMethodField()
    counted_turns = serializers.IntegerField(source="metrics.counted_turns", default=None, allow_null=True)
    answered_within_target = serializers.IntegerField(source="metrics.answered_within_target", default=None, allow_null=True)
    reply_rate = serializers.FloatField(source="metrics.reply_rate", default=None, allow_null=True)
    first_response_seconds = serializers.FloatField(source="metrics.first_response_seconds", default=None, allow_null=True)
    avg_response_seconds = serializers.FloatField(source="metrics.avg_response_seconds", default=None, allow_null=True)
    five_minute_nonreply = serializers.BooleanField(source="metrics.five_minute_nonreply", default=None, allow_null=True)
    unserved = serializers.BooleanField(source="metrics.unserved", default=None, allow_null=True)
    hits = serializers.IntegerField(source="hit_count")
    violations = serializers.IntegerField(source="violation_count")

    def get_agent(self, obj) -> str | None:
        metrics = getattr(obj, "metrics", None)
        return metrics.agent.code if metrics and metrics.agent else None


class AlertSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code")
    sessions = serializers.IntegerField(source="session_count")

    class Meta:
        model = QualityAlert
        fields = ["id", "shop", "day", "metric", "level", "value", "threshold", "source", "sessions", "created_at",
                  "acknowledged_at"]
