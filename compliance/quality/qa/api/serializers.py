"""Serializers of the QA API (read models, plus the dispute input)."""

from __future__ import annotations

from rest_framework import serializers

from compliance.quality.qa.models import AutoQADeduction, AutoQAResult, Dispute, Review, ReviewScore


class ReviewScoreSerializer(serializers.ModelSerializer):
    item = serializers.CharField(source="item.label")
    category = serializers.CharField(source="item.category.name")
    scale_max = serializers.IntegerField(source="item.scale_max")
    critical = serializers.BooleanField(source="item.critical")

    class Meta:
        model = ReviewScore
        fields = ["item", "category", "score", "scale_max", "critical", "note"]


class DisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dispute
        fields = ["id", "status", "comment", "created_at", "resolution", "revised_score", "resolved_at"]


class ReviewSerializer(serializers.ModelSerializer):
    session = serializers.CharField(source="session.external_id")
    shop = serializers.CharField(source="shop.code")
    agent = serializers.CharField(source="agent.code", allow_null=True, default=None)
    inspector = serializers.CharField(source="inspector.username")
    scorecard = serializers.CharField(source="scorecard.__str__")
    dispute = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "session", "shop", "agent", "inspector", "scorecard", "day", "score", "final_score",
                  "failed_critical", "comment", "created_at", "dispute"]

    def get_dispute(self, review) -> dict | None:
        dispute = getattr(review, "dispute", None)
        return DisputeSerializer(dispute).data if dispute else None


class ReviewDetailSerializer(ReviewSerializer):
    scores = ReviewScoreSerializer(many=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "scores"]


class DeductionSerializer(serializers.ModelSerializer):
    message = serializers.CharField(source="message.external_id", allow_null=True, default=None)

    class Meta:
        model = AutoQADeduction
        fields = ["check_key", "points", "message", "detail"]


class AutoQAResultSerializer(serializers.ModelSerializer):
    session = serializers.CharField(source="session.external_id")
    shop = serializers.CharField(source="shop.code")
    agent = serializers.CharField(source="agent.code", allow_null=True, default=None)
    deductions = DeductionSerializer(many=True)

    class Meta:
        model = AutoQAResult
        fields = ["session_id", "session", "shop", "agent", "day", "score", "has_violation", "scored_at", "deductions"]


class DisputeInputSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, help_text="Required: why the agent contests the review")
