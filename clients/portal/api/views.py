"""API of the go-live checklist (read); confirming go-live stays on the page."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import get_visible_or_404
from clients.engagements.golive import golive_checklist, golive_missing
from clients.portal.selectors import portal_engagements


class GoLiveView(APIView):
    """The engagement's go-live checklist: each item ok (true), missing (false) or pending (null)."""

    @extend_schema(responses=inline_serializer("GoLiveChecklist", {
        "engagement": serializers.IntegerField(), "stage": serializers.CharField(), "ready": serializers.BooleanField(),
        "items": inline_serializer("GoLiveItem", {
            "key": serializers.CharField(), "label": serializers.CharField(),
            "ok": serializers.BooleanField(allow_null=True), "detail": serializers.CharField(),
        }, many=True),
    }))
    def get(self, request, pk: int):
        engagement = get_visible_or_404(portal_engagements(user=request.user), pk=pk)
        items = golive_checklist(engagement)
        return Response({
            "engagement": engagement.pk, "stage": engagement.stage, "ready": not golive_missing(items),
            "items": [{"key": i.key, "label": str(i.label), "ok": i.ok, "detail": i.detail} for i in items],
        })
