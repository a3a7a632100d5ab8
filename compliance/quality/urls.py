"""Pages of the quality app under the `quality:` namespace: each feature's own URL patterns."""

from django.urls import include, path

app_name = "quality"
urlpatterns: list = [
    path("", include("compliance.quality.alerts.urls")),
    path("", include("compliance.quality.metrics.urls")),
    path("", include("compliance.quality.qa.urls")),
    path("", include("compliance.quality.sales.urls")),
]
