"""The quality app's API: each feature's own URL patterns (mounted at the API root by `agency/urls.py`)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("compliance.quality.metrics.api.urls")),
    path("", include("compliance.quality.qa.api.urls")),
    path("", include("compliance.quality.sales.api.urls")),
]
