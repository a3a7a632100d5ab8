"""Leave over the API, with the pages' scopes and services: an agent requests and withdraws their own leave
and sees only theirs; a manager sees every request and approves (which cancels the agent's shifts on those
days) or declines. Merchant users and inspectors have no leave pages, and no leave API."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from agency.api.errors import service_refusal
from agency.http import AuthenticatedRequest
from agency.permissions import IsAgent, IsManager, IsManagerOrAgent, PermissionsByAction
from staffing.leave.api.serializers import LeaveDecisionSerializer, LeaveRequestSerializer, LeaveSerializer
from staffing.leave.selectors import leaves_visible_to
from staffing.leave.services import leave_cancel, leave_decide, leave_request
from staffing.rosters.models import Leave


class LeaveViewSet(PermissionsByAction, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Leave requests: agents their own, managers all (filter by `status`)."""

    permission_classes = [IsManagerOrAgent]
    action_permissions = {"create": [IsAgent], "cancel": [IsAgent], "approve": [IsManager], "decline": [IsManager]}
    serializer_class = LeaveSerializer
    request: AuthenticatedRequest

    def get_queryset(self) -> QuerySet[Leave]:
        return leaves_visible_to(user=self.request.user).order_by("-first_day", "-pk")

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=Leave.Status.values, description="Only this status")])
    def list(self, request, *args, **kwargs) -> Response:
        qs = self.get_queryset()
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in Leave.Status.values:
                raise ValidationError({"status": [f"{wanted!r}: " + ", ".join(Leave.Status.values)]})
            qs = qs.filter(status=wanted)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=LeaveRequestSerializer, responses={201: LeaveSerializer})
    def create(self, request: AuthenticatedRequest) -> Response:
        data = LeaveRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            leave = leave_request(agent=request.user, **data.validated_data)
        except DjangoValidationError as exc:
            raise service_refusal(exc, field="first_day") from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=leave.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: LeaveSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Withdraw my own request while it waits (409 once decided)."""
        leave = self.get_object()
        try:
            leave_cancel(leave=leave, by=request.user)
        except DjangoValidationError as exc:
            raise service_refusal(exc, conflict=True) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=leave.pk)).data)

    def _decide(self, approve: bool) -> Response:
        leave = self.get_object()
        try:
            leave, removed = leave_decide(leave=leave, by=self.request.user, approve=approve)
        except DjangoValidationError as exc:
            raise service_refusal(exc, conflict=True) from exc
        leave = self.get_queryset().get(pk=leave.pk)
        leave.shifts_removed = removed  # type: ignore[attr-defined]
        return Response(LeaveDecisionSerializer(leave).data)

    @extend_schema(request=None, responses={200: LeaveDecisionSerializer})
    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """Approve: the agent's shifts on those days from today on are cancelled (`shifts_removed`)."""
        return self._decide(approve=True)

    @extend_schema(request=None, responses={200: LeaveDecisionSerializer})
    @action(detail=True, methods=["post"])
    def decline(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        return self._decide(approve=False)
