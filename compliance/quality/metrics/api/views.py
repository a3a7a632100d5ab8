"""Quality API: daily figures of a shop, sessions with their metrics, alerts. Scoped like the pages."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.http import AuthenticatedRequest
from agency.permissions import IsStaffOrMerchant
from clients.merchants.selectors import shops_visible_to
from compliance.models import ChatSession
from compliance.quality.metrics import selectors as sel
from compliance.quality.metrics.api.serializers import AlertSerializer, DayMetricsSerializer, SessionMetricsSerializer

MONTH = OpenApiParameter("month", str, description="YYYY-MM; default: the latest month with data")


class ShopDaysView(APIView):
    """Every day of a month for one shop: reply rate, response times, non-replies (another merchant's shop: 404)."""

    @extend_schema(parameters=[MONTH], responses=DayMetricsSerializer(many=True))
    def get(self, request: AuthenticatedRequest, code: str) -> Response:
        shop = sel.shop_visible_or_404(user=request.user, code=code)
        period = sel.period_for(month=request.query_params.get("month"), shops=shops_visible_to(user=request.user).filter(pk=shop.pk))
        return Response(DayMetricsSerializer(sel.shop_daily(shop=shop, period=period), many=True).data)


class SessionMetricsList(generics.ListAPIView):
    """A shop's sessions in a month with their response metrics and hit counts."""

    serializer_class = SessionMetricsSerializer
    request: AuthenticatedRequest  # IsAuthenticated is the default permission

    @extend_schema(parameters=[OpenApiParameter("shop", str, required=True), MONTH])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        code = self.request.query_params.get("shop")
        if not code:
            raise NotFound("shop: give a shop code")
        shop = sel.shop_visible_or_404(user=self.request.user, code=code)
        period = sel.period_for(
            month=self.request.query_params.get("month"), shops=shops_visible_to(user=self.request.user).filter(pk=shop.pk)
        )
        return sel.shop_sessions(user=self.request.user, shop=shop, period=period)


class SessionMetricsDetail(generics.RetrieveAPIView):
    serializer_class = SessionMetricsSerializer
    request: AuthenticatedRequest  # IsAuthenticated is the default permission

    def get_object(self) -> ChatSession:
        return sel.session_for_drilldown(user=self.request.user, pk=self.kwargs["pk"], hit_counts=True)


class AlertList(generics.ListAPIView):
    serializer_class = AlertSerializer
    permission_classes = [IsStaffOrMerchant]  # as the merchant's quality view; agents are refused
    request: AuthenticatedRequest

    def get_queryset(self):
        return sel.alerts_visible_to(user=self.request.user)
