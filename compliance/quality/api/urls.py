from compliance.quality.api.metric_urls import metric_urlpatterns

urlpatterns = [*metric_urlpatterns]
