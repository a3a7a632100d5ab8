from django.urls import path

from compliance.quality.api import views

metric_urlpatterns = [
    path("quality/shops/<slug:code>/days/", views.ShopDaysView.as_view(), name="quality-shop-days"),
    path("quality/sessions/", views.SessionMetricsList.as_view(), name="quality-session-list"),
    path("quality/sessions/<int:pk>/", views.SessionMetricsDetail.as_view(), name="quality-session-detail"),
    path("quality/alerts/", views.AlertList.as_view(), name="quality-alert-list"),
]
