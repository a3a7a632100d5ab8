"""URL patterns of the alert notifications, under the quality app's namespace."""

from django.urls import path

from compliance.quality.alerts import views

urlpatterns = [
    path("alerts/bulk-ack/", views.alerts_bulk_ack, name="alerts-bulk-ack"),
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read/", views.inbox_mark_read, name="inbox-read"),
    path("notifications/rules/", views.rule_list, name="notification-rules"),
    path("notifications/rules/<int:pk>/", views.rule_edit, name="notification-rule"),
    path("notifications/rules/<int:pk>/delete/", views.rule_delete, name="notification-rule-delete"),
]
