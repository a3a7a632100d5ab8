"""The compliance pages under one namespace ("compliance:…"), each feature's own paths."""

from django.urls import include, path

app_name = "compliance"
urlpatterns: list = [
    path("", include("compliance.sessions.urls")),  # sessions, violations and imports
    path("", include("compliance.rules.urls")),  # rule library and custom rules
    path("", include("compliance.precheck.urls")),  # the pre-send check
    path("", include("compliance.adherence.urls")),  # the floor now and schedule adherence by month
    path("", include("compliance.intraday.urls")),  # today re-forecast per shop, gaps and suggestions
]
