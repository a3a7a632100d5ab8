"""QA API: reviews (scoped like the pages), an agent's dispute, a session's auto-QA result."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import RetrieveAPIView
from rest_framework.response import Response

from agency.access import get_visible_or_404
from agency.http import AuthenticatedRequest
from compliance.quality.qa import selectors as qa_selectors
from compliance.quality.qa import services as qa_services
from compliance.quality.qa.api.serializers import (
    AutoQAResultSerializer,
    DisputeInputSerializer,
    DisputeSerializer,
    ReviewDetailSerializer,
    ReviewSerializer,
)
from compliance.quality.qa.models import AutoQADeduction, ReviewScore


def _drf_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError(exc.message_dict)
    return exceptions.ValidationError({"non_field_errors": exc.messages})


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Inspectors' reviews: staff see all, a merchant their shops', an agent their own."""

    request: AuthenticatedRequest  # IsAuthenticated is the default permission

    def get_queryset(self):
        reviews = qa_selectors.reviews_visible_to(user=self.request.user).order_by("-created_at", "-id")
        if self.action != "list":
            reviews = reviews.prefetch_related(
                Prefetch("scores", queryset=ReviewScore.objects.select_related("item__category").order_by("item__category__position", "item__position"))
            )
        return reviews

    def get_serializer_class(self):
        return ReviewSerializer if self.action == "list" else ReviewDetailSerializer

    @extend_schema(request=DisputeInputSerializer, responses={201: DisputeSerializer})
    @action(detail=True, methods=["post"])
    def dispute(self, request: AuthenticatedRequest, pk: str | None = None) -> Response:
        """The reviewed agent contests the review; `comment` is required."""
        review = self.get_object()
        data = DisputeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            dispute = qa_services.dispute_open(review=review, by=request.user, comment=data.validated_data["comment"])
        except DjangoValidationError as exc:
            raise _drf_error(exc) from None
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class SessionAutoQAView(RetrieveAPIView):
    """A session's auto-QA score and each deduction with the message behind it."""

    serializer_class = AutoQAResultSerializer
    request: AuthenticatedRequest  # IsAuthenticated is the default permission

    def get_object(self):
        results = qa_selectors.autoqa_results_visible_to(user=self.request.user).prefetch_related(
            Prefetch("deductions", queryset=AutoQADeduction.objects.select_related("message"))
        )
        return get_visible_or_404(results, session_id=self.kwargs["session_id"])
