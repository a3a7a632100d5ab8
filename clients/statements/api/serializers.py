from __future__ import annotations

from rest_framework import serializers

from clients.statements.models import Statement, StatementDispute


class StatementDisputeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatementDispute
        fields = ["id", "line_code", "comment", "raised_at", "answer", "answered_at"]


class StatementSerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.number")
    merchant = serializers.CharField(source="merchant.code")
    month = serializers.SerializerMethodField()
    previous = serializers.PrimaryKeyRelatedField[Statement](read_only=True, allow_null=True)

    class Meta:
        model = Statement
        fields = ["id", "number", "contract", "merchant", "month", "version", "previous", "status", "total",
                  "issued_at", "confirmed_at", "pdf_sha256", "xlsx_sha256"]

    def get_month(self, statement: Statement) -> str:
        return statement.month_label


class StatementDetailSerializer(StatementSerializer):
    disputes = StatementDisputeSerializer(many=True, read_only=True)

    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "result", "scenario", "evidence", "disputes"]


class DisputeRequestSerializer(serializers.Serializer):
    line = serializers.CharField(max_length=64)
    comment = serializers.CharField(max_length=2000)


class ReviseRequestSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000)
    adjustment = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    adjustment_note = serializers.CharField(max_length=100, required=False, allow_blank=True)


class GenerateRequestSerializer(serializers.Serializer):
    # Years 2000–2099: a statement month outside them is a typing mistake (and year 0 is no date at all).
    month = serializers.RegexField(r"^20\d{2}-(0[1-9]|1[0-2])$", help_text="YYYY-MM (2000–2099)")
