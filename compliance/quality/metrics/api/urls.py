"""API of the response metrics: a shop's days, sessions with their metrics, alerts."""

from django.urls import path

from compliance.quality.metrics.api import views

urlpatterns = [
    path("quality/shops/<slug:code>/days/", views.ShopDaysView.as_view(), name="quality-shop-days"),
    path("quality/sessions/", views.SessionMetricsList.as_view(), name="quality-session-list"),
    path("quality/sessions/<int:pk>/", views.SessionMetricsDetail.as_view(), name="quality-session-detail"),
    path("quality/alerts/", views.AlertList.as_view(), name="quality-alert-list"),
]
