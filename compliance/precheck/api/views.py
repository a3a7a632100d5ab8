"""POST /api/compliance/check/ — contracts §5: {"platform", "text"} → {"hits": [...]} as in §1."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import get_visible_or_404
from compliance.engine.library import PLATFORMS
from compliance.precheck.selectors import shops_for_check
from compliance.rules.services import scanner_for


class CheckRequest(serializers.Serializer):
    platform = serializers.ChoiceField(choices=PLATFORMS)
    text = serializers.CharField(allow_blank=True, trim_whitespace=False, max_length=20000)
    role = serializers.ChoiceField(choices=("agent", "buyer"), default="agent", required=False)
    shop = serializers.CharField(required=False, help_text="店铺编码：同时检查该店铺及其商家的自定义规则")


class HitSerializer(serializers.Serializer):
    category = serializers.CharField()
    rule = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    matched = serializers.CharField()
    severity = serializers.ChoiceField(choices=("info", "warning", "violation", "severe"))
    suggestion = serializers.CharField(allow_null=True)


class CheckResponse(serializers.Serializer):
    hits = HitSerializer(many=True)


class ComplianceCheckView(APIView):
    """Check one message against a platform's active rule set (and a shop's own rules)."""

    @extend_schema(
        request=CheckRequest,
        responses={200: CheckResponse},
        examples=[OpenApiExample("pdd", value={"platform": "pdd", "text": "加我薇.信"}, request_only=True)],
    )
    def post(self, request):
        form = CheckRequest(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        shop = None
        if data.get("shop"):
            shop = get_visible_or_404(shops_for_check(user=request.user), code=data["shop"])
            if shop.platform != data["platform"]:
                raise serializers.ValidationError({"shop": [_("店铺不属于该平台")]})
        _ruleset, scanner = scanner_for(platform=data["platform"], shop=shop)
        hits = scanner.scan(data["text"], role=data.get("role", "agent"))
        for hit in hits:
            hit.pop("confidence", None)  # contracts §1: the hit's shape is fixed
        return Response({"hits": hits})
