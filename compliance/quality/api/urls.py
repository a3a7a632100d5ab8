from django.urls import path
from rest_framework.routers import SimpleRouter

from compliance.quality.api.metric_urls import metric_urlpatterns
from compliance.quality.api.qa_views import ReviewViewSet, SessionAutoQAView

router = SimpleRouter()
router.register("quality/reviews", ReviewViewSet, basename="qa-review")
urlpatterns: list = [
    *metric_urlpatterns,
    path("quality/sessions/<int:session_id>/autoqa/", SessionAutoQAView.as_view(), name="qa-session-autoqa"),
    *router.urls,
]
