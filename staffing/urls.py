"""Staffing's pages, one `urls` module per feature, all under the `staffing:` namespace."""

from django.urls import include, path

app_name = "staffing"
urlpatterns = [
    path("", include("staffing.forecasting.urls")),  # forecasts, the promotion calendar, seasonal plans
    path("", include("staffing.training.urls")),  # training, exams and results
    path("", include("staffing.rosters.urls")),  # rosters, shifts and swaps
    path("", include("staffing.leave.urls")),  # leave requests, balances and roster preferences
]
