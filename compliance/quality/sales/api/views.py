"""Sales API: orders (scoped, buyer masked), the stored daily sales figures, the order import (contracts §8)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from agency.http import AuthenticatedRequest
from agency.permissions import IsAnyRole, IsStaffOrMerchant
from clients.merchants.selectors import shops_visible_to
from compliance.quality.metrics.selectors import parse_month
from compliance.quality.sales import selectors as sel
from compliance.quality.sales.api.serializers import (
    OrderImportRequestSerializer,
    OrderImportResultSerializer,
    OrderSerializer,
    SalesDaySerializer,
)
from compliance.quality.sales.engine.orderfile import guess_format
from compliance.quality.sales.models import Order, SalesDayMetrics
from compliance.quality.sales.services.importing import OrderImportError, orders_import_enqueue, orders_import_file

SYNC_MAX_BYTES = getattr(settings, "COMPLIANCE_IMPORT_SYNC_MAX_BYTES", 2 * 1024 * 1024)


@extend_schema(parameters=[OpenApiParameter("shop", str), OpenApiParameter("month", str),
                           OpenApiParameter("attributed", str), OpenApiParameter("agent", str)])
class OrderList(generics.ListAPIView):
    serializer_class = OrderSerializer
    permission_classes = [IsAnyRole]
    request: AuthenticatedRequest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Order.objects.none()
        p = self.request.query_params
        filters = sel.OrderFilter(shop=p.get("shop", ""), month=parse_month(p.get("month")),
                                  attributed=p.get("attributed", ""), agent=p.get("agent", ""))
        return sel.order_list(user=self.request.user, filters=filters).select_related("attribution__attributed_message")


class OrderDetail(generics.RetrieveAPIView):
    serializer_class = OrderSerializer
    permission_classes = [IsAnyRole]
    request: AuthenticatedRequest

    def get_object(self):
        return sel.order_detail(user=self.request.user, pk=self.kwargs["pk"])


@extend_schema(parameters=[OpenApiParameter("shop", str), OpenApiParameter("month", str)])
class SalesDayList(generics.ListAPIView):
    """The stored §8 figures per (shop, day, agent); `agent` null is the shop row. Agents see their own."""

    serializer_class = SalesDaySerializer
    permission_classes = [IsAnyRole]
    request: AuthenticatedRequest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SalesDayMetrics.objects.none()
        days = sel.sales_days_visible_to(user=self.request.user).select_related("shop")
        p = self.request.query_params
        if p.get("shop"):
            days = days.filter(shop__code=p["shop"])
        month = parse_month(p.get("month"))
        if month:
            from compliance.quality.metrics.selectors import month_period

            period = month_period(month)
            days = days.filter(day__gte=period.start, day__lte=period.end)
        return days.order_by("shop_id", "day", "agent_code")


class OrderImportView(APIView):
    """Import an order file (contracts §8) for one shop: all or nothing, every bad row reported; re-imports
    update orders. Small files at once (200), big ones or `background=true` as a Job (202)."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [IsStaffOrMerchant]

    @extend_schema(request={"multipart/form-data": OrderImportRequestSerializer},
                   responses={200: OrderImportResultSerializer})
    def post(self, request: AuthenticatedRequest) -> Response:
        form = OrderImportRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = form.validated_data["file"]
        fmt = form.validated_data.get("format") or guess_format(upload.name)
        if fmt is None:
            raise ValidationError({"format": [_("无法从文件名判断格式，请指定 csv、xlsx 或 jsonl。")]})
        shop = shops_visible_to(user=request.user).filter(code=form.validated_data["shop"]).first()
        if shop is None:
            raise ValidationError({"shop": [_("没有这个店铺。")]})
        if form.validated_data["background"] or upload.size > SYNC_MAX_BYTES:
            job = orders_import_enqueue(shop=shop, chunks=upload.chunks(), fmt=fmt, filename=upload.name, by=request.user)
            job.refresh_from_db()
            return Response({"job": job.pk, "status": job.status, "url": reverse("job-detail", args=[job.pk])},
                            status=status.HTTP_202_ACCEPTED)
        try:
            result = orders_import_file(shop=shop, data=upload.read(), fmt=fmt, by=request.user)
        except OrderImportError as exc:
            first = exc.errors[0]
            return Response(
                {"detail": _("文件有 %(n)d 处错误，未导入任何数据（第一处：第 %(line)d 行 %(field)s %(message)s）")
                 % {"n": len(exc.errors), "line": first.line, "field": first.field, "message": first.message},
                 "errors": exc.as_dicts()},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result.as_dict())
