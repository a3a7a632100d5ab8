"""URL patterns of the response-metrics part (the merchant's quality view, alerts, SLA profiles).

Included by `compliance/quality/urls.py`, under the app's `quality` namespace (so no `app_name` here)."""

from django.urls import path

from compliance.quality.metrics import views as metric_views

urlpatterns = [
    path("", metric_views.overview, name="overview"),
    path("shops/<slug:code>/", metric_views.shop_quality, name="shop"),
    path("shops/<slug:code>/sessions/", metric_views.shop_sessions, name="shop-sessions"),
    path("shops/<slug:code>/sessions.csv", metric_views.shop_sessions_csv, name="shop-sessions-csv"),
    path("shops/<slug:code>/report/<str:month>.pdf", metric_views.shop_report_pdf, name="shop-report"),
    path("sessions/<int:pk>/metrics/", metric_views.session_detail, name="session-metrics"),
    path("alerts/", metric_views.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", metric_views.alert_detail, name="alert"),
    path("alerts/<int:pk>/ack/", metric_views.alert_ack, name="alert-ack"),
    path("sla-profiles/", metric_views.sla_profile_list, name="sla-profiles"),
    path("sla-profiles/<slug:platform>/", metric_views.sla_profile_edit, name="sla-profile-edit"),
    path("metrics/recompute/", metric_views.metrics_recompute, name="metrics-recompute"),
    path("my-data/", metric_views.merchant_data_export, name="merchant-data-export"),
]
