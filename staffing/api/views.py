"""Staffing API: Erlang C as a service, a shop's forecast with required agents, exam results."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import get_visible_or_404
from agency.http import AuthenticatedRequest
from clients.merchants.selectors import shops_visible_to
from staffing.api.serializers import (
    ErlangRequestSerializer,
    ErlangResultSerializer,
    ExamAttemptSerializer,
    ForecastQuerySerializer,
    ForecastSerializer,
)
from staffing.forecasting import forecast as fc
from staffing.forecasting.erlang import staff_interval
from staffing.forecasting.selectors import shop_forecast
from staffing.training.selectors import attempts_visible_to


class ErlangView(APIView):
    """Erlang C for one interval, the same figures as `manage.py erlang` (contracts §2)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ErlangRequestSerializer, responses=ErlangResultSerializer)
    def post(self, request: AuthenticatedRequest) -> Response:
        params = ErlangRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        result = staff_interval(**params.validated_data)
        return Response(result.as_contract_json())


class ShopForecastView(APIView):
    """Forecast consultations and required agents per half hour for a shop (managers' overrides applied).
    Another merchant's shop is a 404."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD, default today"),
            OpenApiParameter("days", int, description="1–62, default 14"),
        ],
        responses=ForecastSerializer,
    )
    def get(self, request: AuthenticatedRequest, code: str) -> Response:
        shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
        query = ForecastQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start = query.validated_data.get("start") or timezone.localdate()
        result = shop_forecast(shop=shop, start=start, days=query.validated_data["days"])
        days = []
        for d in result.days:
            agents = result.agents.get(d.day)
            days.append({
                "date": d.day,
                "kind": d.kind.kind,
                "holiday": d.kind.holiday,
                "promotion": d.promotion.code if d.promotion else None,
                "phase": d.phase,
                "total": round(d.total, 1),
                "slots": [
                    {"slot": fc.slot_label(i), "volume": round(float(d.volumes[i]), 2),
                     "agents": int(agents[i]) if agents is not None else 0}
                    for i in result.slots
                ],
            })
        return Response(ForecastSerializer({"shop": shop.code, "start": start, "days": days}).data)


class ExamAttemptList(generics.ListAPIView):
    """Exam attempts: an agent sees their own, managers and inspectors all, merchants none."""

    serializer_class = ExamAttemptSerializer
    permission_classes = [permissions.IsAuthenticated]
    request: AuthenticatedRequest

    def get_queryset(self):
        return attempts_visible_to(user=self.request.user)
