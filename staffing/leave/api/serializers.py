"""Leave over the API."""

from __future__ import annotations

from datetime import date

from rest_framework import serializers

from staffing.rosters.api.serializers import PersonSerializer, check_year
from staffing.rosters.models import Leave


class LeaveSerializer(serializers.ModelSerializer):
    agent = PersonSerializer(read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)
    days = serializers.IntegerField(read_only=True)

    class Meta:
        model = Leave
        fields = ["id", "agent", "kind", "first_day", "last_day", "days", "reason", "status", "requested_at",
                  "decided_by", "decided_at"]
        read_only_fields = fields


class LeaveRequestSerializer(serializers.Serializer):
    """An agent's request for their own leave (the same rules as the page)."""

    kind = serializers.ChoiceField(choices=Leave.Kind.choices)
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate_first_day(self, value: date) -> date:
        return check_year(value)

    def validate_last_day(self, value: date) -> date:
        return check_year(value)


class LeaveDecisionSerializer(LeaveSerializer):
    shifts_removed = serializers.IntegerField(
        read_only=True, help_text="The agent's shifts on those days (from today) that approving cancelled."
    )

    class Meta(LeaveSerializer.Meta):
        fields = [*LeaveSerializer.Meta.fields, "shifts_removed"]
        read_only_fields = fields
