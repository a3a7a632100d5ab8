from rest_framework.routers import SimpleRouter

from clients.api.views import ShopViewSet
from clients.sales.api import ContractViewSet, EngagementViewSet, QuoteViewSet

router = SimpleRouter()
router.register("shops", ShopViewSet, basename="shop")
router.register("engagements", EngagementViewSet, basename="engagement")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("contracts", ContractViewSet, basename="contract")
urlpatterns = router.urls
