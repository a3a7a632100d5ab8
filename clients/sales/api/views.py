"""API of the commercial lifecycle. Reads are scoped like the pages; writes call the same services.

There is deliberately no update or delete for quote revisions, decisions, signatures or sent contracts:
a changed quote is a new revision (`POST /api/quotes/{id}/revisions/` with the revision it is based on,
409 when someone else revised it first).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from agency.http import AuthenticatedRequest
from agency.permissions import MERCHANTS, IsManager, IsManagerOrMerchant, IsMerchantUser, has_role
from clients.engagements import selectors as engagement_selectors
from clients.sales import selectors, services
from clients.sales.api.serializers import (
    ContractSerializer,
    DecideSerializer,
    DecisionSerializer,
    QuoteCreateSerializer,
    QuoteDetailSerializer,
    QuoteReviseSerializer,
    QuoteSendSerializer,
    QuoteSerializer,
    RevisionSerializer,
    SignatureSerializer,
    SignSerializer,
)
from clients.sales.errors import BusinessRuleError


class Refused(APIException):
    status_code = 400
    default_detail = "refused"

    def __init__(self, exc: BusinessRuleError):
        super().__init__(detail=exc.message)
        self.status_code = exc.status_code


def _call(fn, **kwargs):
    try:
        return fn(**kwargs)
    except BusinessRuleError as exc:
        raise Refused(exc) from exc


class QuoteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quotes: list, detail with every revision, create, revise, send, accept, decline. No edits."""

    # Who may take each action; reads are for managers and merchants (scoped by the selector): quotes are
    # commercial terms, which inspectors and agents do not see.
    permission_classes = [IsManagerOrMerchant]
    action_permissions = {
        "create": [IsManager], "revise": [IsManager], "send": [IsManager],
        "accept": [IsMerchantUser], "decline": [IsMerchantUser],
    }
    request: AuthenticatedRequest

    def get_permissions(self):
        classes = self.action_permissions.get(self.action)
        return [permission() for permission in classes] if classes else super().get_permissions()

    def get_queryset(self):
        return selectors.quotes_visible_to(user=self.request.user).order_by("-pk")

    def get_serializer_class(self):
        return QuoteDetailSerializer if self.action == "retrieve" else QuoteSerializer

    def retrieve(self, request, *args, **kwargs):
        quote = self.get_object()
        revisions = selectors.quote_revisions(quote=quote)
        return Response(QuoteDetailSerializer(quote, context={
            "revisions": revisions, "for_merchant": has_role(request.user, MERCHANTS)}).data)

    @extend_schema(request=QuoteCreateSerializer, responses={201: QuoteSerializer})
    def create(self, request):
        data = QuoteCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        engagement = get_object_or_404(engagement_selectors.engagements_visible_to(user=request.user), pk=terms.pop("engagement"))
        quote = _call(services.quote_create, engagement=engagement, by=request.user, **terms)
        return Response(QuoteSerializer(quote).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuoteReviseSerializer, responses={201: RevisionSerializer})
    @action(detail=True, methods=["post"], url_path="revisions")
    def revise(self, request, pk=None):
        quote = self.get_object()
        data = QuoteReviseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        terms = dict(data.validated_data)
        revision = _call(services.quote_revise, quote=quote, base_revision=terms.pop("base_revision"),
                         by=request.user, **terms)
        return Response(RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=QuoteSendSerializer, responses={200: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request, pk=None):
        quote = self.get_object()
        data = QuoteSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quote = _call(services.quote_send, quote=quote, revision=data.validated_data["revision"], by=request.user)
        return Response(QuoteSerializer(quote).data)

    def _decide(self, request, number: int, accept: bool):
        quote = self.get_object()
        data = DecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fn = services.quote_accept if accept else services.quote_decline
        decision = _call(fn, quote=quote, revision=number, by=request.user, note=data.validated_data["note"])
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], url_path=r"revisions/(?P<number>\d+)/accept")
    def accept(self, request, pk=None, number=None):
        return self._decide(request, int(number), accept=True)

    @extend_schema(request=DecideSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"], url_path=r"revisions/(?P<number>\d+)/decline")
    def decline(self, request, pk=None, number=None):
        return self._decide(request, int(number), accept=False)


class ContractViewSet(viewsets.ReadOnlyModelViewSet):
    """Contracts the caller may see; sign with the SHA-256 of the PDF you read. Never edited."""

    serializer_class = ContractSerializer
    permission_classes = [IsManagerOrMerchant]
    request: AuthenticatedRequest

    def get_queryset(self):
        return selectors.contracts_visible_to(user=self.request.user).order_by("-pk")

    @extend_schema(request=SignSerializer, responses={201: SignatureSerializer})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        contract = self.get_object()
        data = SignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        signature = _call(
            services.contract_sign, contract=contract, by=request.user, **data.validated_data,
            ip_address=request.META.get("REMOTE_ADDR") or None, user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(SignatureSerializer(signature).data, status=status.HTTP_201_CREATED)
