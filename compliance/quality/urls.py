"""Response metrics, auto-QA, scorecards and reviews. Each part keeps its patterns in its own module."""

from compliance.quality.metric_urls import metric_urlpatterns

app_name = "quality"
urlpatterns = [*metric_urlpatterns]
