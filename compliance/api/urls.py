from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance.precheck.api.views import ComplianceCheckView
from compliance.sessions.api.views import SessionImportView, SessionViewSet

router = SimpleRouter()
router.register("sessions", SessionViewSet, basename="session")
urlpatterns: list = [
    path("compliance/check/", ComplianceCheckView.as_view(), name="compliance-check"),
    path("sessions/import/", SessionImportView.as_view(), name="session-import"),
    *router.urls,
]
