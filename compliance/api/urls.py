from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance.api.views import SessionImportView, SessionViewSet

router = SimpleRouter()
router.register("sessions", SessionViewSet, basename="session")
urlpatterns = [
    path("sessions/import/", SessionImportView.as_view(), name="session-import"),
    *router.urls,
]
