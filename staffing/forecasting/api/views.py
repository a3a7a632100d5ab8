"""Forecasting API: Erlang C as a service and a shop's forecast with required agents."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.access import get_visible_or_404
from agency.http import AuthenticatedRequest
from agency.permissions import IsAnyRole, IsStaffOrMerchant
from clients.merchants.selectors import shops_visible_to
from staffing.forecasting.api.serializers import (
    AccuracyQuerySerializer,
    AccuracySerializer,
    ErlangRequestSerializer,
    ErlangResultSerializer,
    ForecastQuerySerializer,
    ForecastSerializer,
)
from staffing.forecasting.erlang import ErlangInputError, staff_interval
from staffing.forecasting.selectors import ACCURACY_WEEKS, forecast_accuracy, forecast_days_as_rows, shop_forecast


class ErlangView(APIView):
    """Erlang C for one interval, the same figures as `manage.py erlang` (contracts §2)."""

    permission_classes = [IsAnyRole]

    @extend_schema(request=ErlangRequestSerializer, responses=ErlangResultSerializer)
    def post(self, request: AuthenticatedRequest) -> Response:
        params = ErlangRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            result = staff_interval(**params.validated_data)
        except ErlangInputError as exc:
            raise ValidationError({exc.field: [exc.message]}) from exc
        return Response(result.as_contract_json())


class ShopForecastView(APIView):
    """Forecast consultations and required agents per half hour for a shop (managers' overrides applied).
    Another merchant's shop is a 404."""

    permission_classes = [IsAnyRole]

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
        days = forecast_days_as_rows(result=result)
        return Response(ForecastSerializer({"shop": shop.code, "start": start, "days": days}).data)


class ShopForecastAccuracyView(APIView):
    """How close the shop's forecasts came: WAPE and bias per promotion phase, a day and a week ahead, the
    model against the managers' overrides (the forecast page's panel). Another merchant's shop is a 404."""

    permission_classes = [IsStaffOrMerchant]

    @extend_schema(
        parameters=[
            OpenApiParameter("first", str, description="YYYY-MM-DD, default eight weeks before `last`"),
            OpenApiParameter("last", str, description="YYYY-MM-DD, default yesterday"),
        ],
        responses=AccuracySerializer,
    )
    def get(self, request: AuthenticatedRequest, code: str) -> Response:
        shop = get_visible_or_404(shops_visible_to(user=request.user), code=code)
        query = AccuracyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        last = query.validated_data.get("last") or timezone.localdate() - timedelta(days=1)
        first = query.validated_data.get("first") or last - timedelta(days=7 * ACCURACY_WEEKS - 1)
        if last < first:
            raise ValidationError({"first": [_("开始日期晚于结束日期。")]})
        rows = forecast_accuracy(shop=shop, first=first, last=last)
        return Response(AccuracySerializer({"shop": shop.code, "first": first, "last": last, "rows": rows}).data)
