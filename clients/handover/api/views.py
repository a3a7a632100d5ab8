"""API for knowledge handover (read) and the knowledge base (search).

Writes (imports, acknowledgement, go-live) stay on the pages for now; the API is what a chat workbench
needs: agents search the knowledge of the shops they serve while they reply.
"""

from __future__ import annotations

from django.db.models import Count
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, viewsets

from agency.access import get_visible_or_404
from agency.http import AuthenticatedRequest
from clients.handover.api.serializers import HandoverBatchSerializer, KnowledgeEntrySerializer
from clients.handover.knowledge import knowledge_search, shops_searchable_by
from clients.handover.models import KnowledgeKind
from clients.handover.selectors import batches_visible_to


class HandoverBatchViewSet(viewsets.ReadOnlyModelViewSet):
    """Handover batches the caller may see; another merchant's batch is a 404."""

    serializer_class = HandoverBatchSerializer
    request: AuthenticatedRequest

    def get_queryset(self):
        return batches_visible_to(user=self.request.user).annotate(entry_count=Count("entries")).order_by("pk")


class KnowledgeSearchView(generics.ListAPIView):
    """Search knowledge in force (substring, Chinese-aware) in the shops the caller may see."""

    serializer_class = KnowledgeEntrySerializer
    pagination_class = None
    request: AuthenticatedRequest

    @extend_schema(parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="words to find (all must occur)"),
        OpenApiParameter("shop", OpenApiTypes.STR, description="shop code"),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=KnowledgeKind.values),
    ])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        shop = None
        if params.get("shop"):
            shop = get_visible_or_404(shops_searchable_by(user=self.request.user), code=params["shop"])
        kind = params.get("kind", "")
        if kind and kind not in KnowledgeKind.values:
            raise serializers.ValidationError({"kind": [f"unknown kind {kind!r}; one of {', '.join(KnowledgeKind.values)}"]})
        return knowledge_search(user=self.request.user, query=params.get("q", "")[:100], shop=shop, kind=kind)
