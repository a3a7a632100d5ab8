from rest_framework.routers import SimpleRouter

from clients.api.views import ShopViewSet

router = SimpleRouter()
router.register("shops", ShopViewSet, basename="shop")
urlpatterns = router.urls
