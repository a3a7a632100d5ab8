"""API of QA: reviews (with an agent's dispute) and a session's auto-QA result."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance.quality.qa.api.views import ReviewViewSet, SessionAutoQAView

router = SimpleRouter()
router.register("quality/reviews", ReviewViewSet, basename="qa-review")
urlpatterns: list = [
    path("quality/sessions/<int:session_id>/autoqa/", SessionAutoQAView.as_view(), name="qa-session-autoqa"),
    *router.urls,
]
