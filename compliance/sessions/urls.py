from django.urls import path

from compliance.sessions import views

urlpatterns: list = [
    path("sessions/", views.session_list_page, name="session-list"),
    path("sessions/import/", views.session_import_page, name="session-import"),
    path("sessions/<int:pk>/", views.session_detail_page, name="session-detail"),
    path("violations/", views.violation_list_page, name="violation-list"),
    path("violations/export.csv", views.violation_export, name="violation-export"),
    path("retention/", views.retention_page, name="retention"),
]
