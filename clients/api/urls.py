from django.urls import path
from rest_framework.routers import SimpleRouter

from clients.engagements.api.views import EngagementViewSet
from clients.handover.api.views import HandoverBatchViewSet, KnowledgeSearchView
from clients.merchants.api.views import ShopViewSet
from clients.portal.api.views import GoLiveView
from clients.sales.api.views import ContractViewSet, QuoteViewSet
from clients.statements.api.views import StatementViewSet

router = SimpleRouter()
router.register("shops", ShopViewSet, basename="shop")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("contracts", ContractViewSet, basename="contract")
router.register("statements", StatementViewSet, basename="statement")
router.register("handover/batches", HandoverBatchViewSet, basename="handover-batch")
urlpatterns = router.urls + [
    path("knowledge/", KnowledgeSearchView.as_view(), name="knowledge-search"),
    path("engagements/<int:pk>/go-live/", GoLiveView.as_view(), name="engagement-go-live"),
]
