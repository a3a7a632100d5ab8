"""The staffing app's API routes; each feature keeps its own views in its `api/`."""

from django.urls import path

from staffing.forecasting.api.views import ErlangView, ShopForecastView
from staffing.training.api.views import ExamAttemptList

urlpatterns = [
    path("staffing/erlang/", ErlangView.as_view(), name="staffing-erlang"),
    path("staffing/forecast/<slug:code>/", ShopForecastView.as_view(), name="staffing-forecast"),
    path("staffing/attempts/", ExamAttemptList.as_view(), name="staffing-attempts"),
]
