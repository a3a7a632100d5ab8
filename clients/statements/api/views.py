"""Statements API (contracts §9): list and detail (scoped), the merchant's confirm and dispute, the
agency's issue, revise and generate. A conflicting answer is 409; another merchant's statement is 404."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from agency.access import get_visible_or_404
from agency.http import AuthenticatedRequest
from agency.permissions import MANAGERS, MERCHANTS, IsManager, IsManagerOrMerchant, has_role
from clients.statements import services
from clients.statements.api.serializers import (
    DisputeRequestSerializer,
    GenerateRequestSerializer,
    ReviseRequestSerializer,
    StatementDetailSerializer,
    StatementSerializer,
)
from clients.statements.models import Statement
from clients.statements.selectors import statements_visible_to


class StatementViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = StatementSerializer
    permission_classes = [IsManagerOrMerchant]
    request: AuthenticatedRequest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        statements = statements_visible_to(user=self.request.user).order_by("-month", "contract__number", "-version")
        month = self.request.query_params.get("month")
        if month:
            statements = statements.filter(month=f"{month}-01") if len(month) == 7 else statements.none()
        return statements

    def _statement(self, pk) -> Statement:
        return get_visible_or_404(statements_visible_to(user=self.request.user), pk=pk)

    @extend_schema(responses=StatementDetailSerializer)
    def retrieve(self, request, *args, **kwargs):
        return Response(StatementDetailSerializer(self._statement(kwargs["pk"])).data)

    def _answer(self, call, **kwargs) -> Response:
        try:
            statement = call(**kwargs)
        except services.StatementConflict as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        except services.StatementError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        if not isinstance(statement, Statement):
            statement = statement.statement
        return Response(StatementDetailSerializer(statement).data)

    def _require(self, roles) -> None:
        if not has_role(self.request.user, roles):
            raise PermissionDenied()

    @extend_schema(request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        self._require(MANAGERS)
        return self._answer(services.statement_issue, statement=self._statement(pk), by=request.user)

    @extend_schema(request=None, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        self._require(MERCHANTS)
        return self._answer(services.statement_confirm, statement=self._statement(pk), by=request.user)

    @extend_schema(request=DisputeRequestSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        self._require(MERCHANTS)
        statement = self._statement(pk)
        form = DisputeRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(services.statement_dispute, statement=statement, by=request.user,
                            line_code=form.validated_data["line"], comment=form.validated_data["comment"])

    @extend_schema(request=ReviseRequestSerializer, responses=StatementDetailSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        self._require(MANAGERS)
        statement = self._statement(pk)
        form = ReviseRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        return self._answer(services.statement_revise, statement=statement, by=request.user, answer=data["answer"],
                            adjustment=data.get("adjustment"), adjustment_note=data.get("adjustment_note", ""))

    @extend_schema(request=GenerateRequestSerializer, responses={202: None})
    @action(detail=False, methods=["post"], permission_classes=[IsManager])
    def generate(self, request):
        form = GenerateRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = services.statements_generate_enqueue(month=date.fromisoformat(form.validated_data["month"] + "-01"),
                                                   by=request.user)
        job.refresh_from_db()
        return Response({"job": job.pk, "status": job.status, "url": reverse("job-detail", args=[job.pk])},
                        status=status.HTTP_202_ACCEPTED)
