"""Serializers of the sales API."""

from __future__ import annotations

import base64
import binascii

from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from clients.sales.models import Contract, ContractSignature, PriceBook, Quote, QuoteDecision, QuoteRevision


class DecisionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username")

    class Meta:
        model = QuoteDecision
        fields = ["accepted", "by", "at", "note"]


# What a merchant sees of a revision's inputs: the business terms of `documents.business_rows` (seats, hours,
# response target, volume planned for), not the Erlang inputs (handle time, concurrency, shrinkage, peak share).
MERCHANT_INPUTS = ("service_start", "service_end", "presale_share", "service_level_pct", "answer_seconds",
                   "daily_volume")


class RevisionSerializer(serializers.ModelSerializer):
    """A revision as offered. For a merchant (context `for_merchant`) `derivation` is empty and `inputs` holds
    only the business terms."""

    price_book = serializers.CharField(source="price_book.name")
    decision = serializers.SerializerMethodField()

    class Meta:
        model = QuoteRevision
        fields = ["number", "price_book", "platform", "valid_until", "term_months", "inputs", "derivation", "seats",
                  "lines", "surges", "alternatives", "monthly_total", "note", "created_at", "decision"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if self.context.get("for_merchant"):
            # The merchant reads the quote in business terms; the staffing derivation stays with the agency.
            data["derivation"] = {}
            data["inputs"] = {key: value for key, value in (data.get("inputs") or {}).items() if key in MERCHANT_INPUTS}
        return data

    @extend_schema(exclude=True)
    def get_decision(self, revision) -> dict | None:
        try:
            return DecisionSerializer(revision.decision).data
        except QuoteDecision.DoesNotExist:
            return None


class QuoteSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.code", read_only=True)

    class Meta:
        model = Quote
        fields = ["id", "number", "engagement", "merchant", "status", "current_revision", "created_at", "updated_at"]


class QuoteDetailSerializer(QuoteSerializer):
    revisions = serializers.SerializerMethodField()

    class Meta(QuoteSerializer.Meta):
        fields = [*QuoteSerializer.Meta.fields, "revisions"]

    def get_revisions(self, quote) -> list[dict]:
        # drf-stubs type many=True as the serializer itself; it is a ListSerializer, whose data is a list.
        return RevisionSerializer(  # type: ignore[return-value]
            self.context["revisions"], many=True, context={"for_merchant": self.context.get("for_merchant", False)}
        ).data


class QuoteTermsSerializer(serializers.Serializer):
    price_book = serializers.PrimaryKeyRelatedField(queryset=PriceBook.objects.all(), required=False)
    platform = serializers.CharField(required=False)
    valid_until = serializers.DateField(required=False)
    term_months = serializers.IntegerField(required=False, min_value=1, max_value=60)
    addon_codes = serializers.ListField(child=serializers.CharField(), required=False)
    aht_seconds = serializers.IntegerField(required=False, min_value=10, max_value=3600)
    concurrency = serializers.IntegerField(required=False, min_value=1, max_value=5)
    service_level = serializers.FloatField(required=False)
    shrinkage = serializers.FloatField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class QuoteCreateSerializer(QuoteTermsSerializer):
    engagement = serializers.IntegerField()


class QuoteReviseSerializer(QuoteTermsSerializer):
    base_revision = serializers.IntegerField(min_value=1)


class QuoteSendSerializer(serializers.Serializer):
    revision = serializers.IntegerField(min_value=1, max_value=2_147_483_647)


class DecideSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractSignature
        fields = ["party", "signer_name", "signer_title", "signer_company", "method", "signed_at", "pdf_sha256"]


class ContractSerializer(serializers.ModelSerializer):
    merchant = serializers.CharField(source="merchant.code", read_only=True)
    quote = serializers.CharField(source="revision.quote.number", read_only=True)
    revision = serializers.IntegerField(source="revision.number", read_only=True)
    signatures = SignatureSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "number", "merchant", "engagement", "quote", "revision", "status", "start_date", "end_date",
                  "seats", "monthly_price", "sla_reply_rate", "sla_first_response_seconds", "sla_qa_score",
                  "service_credit_pct", "service_credit_cap_pct", "confidentiality", "pdf_sha256", "sent_at",
                  "activated_at", "signatures"]


class SignSerializer(serializers.Serializer):
    signer_name = serializers.CharField(max_length=100)
    signer_title = serializers.CharField(max_length=100, required=False, default="")
    signer_company = serializers.CharField(max_length=200, required=False, default="")
    signature_png = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=500_000,
        help_text="A drawn signature: base64 of a PNG (optionally as a data: URL); empty for a typed one.",
    )
    document_sha256 = serializers.CharField(max_length=64)

    def validate_signature_png(self, value: str) -> bytes | None:
        if not value:
            return None
        raw = value.split(",", 1)[1] if value.startswith("data:") else value
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serializers.ValidationError("not valid base64") from exc
