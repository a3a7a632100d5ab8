"""Root URLs. Each app owns its pages (`<app>/urls.py`) and API (`<app>/api/urls.py`)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from agency import views
from agency.api.views import TokenObtainView

api_patterns: list[URLPattern | URLResolver] = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file of its own: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("clients.api.urls")),
    path("", include("staffing.api.urls")),
    path("", include("compliance.api.urls")),
    path("", include("compliance.quality.api.urls")),
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/retry/", views.job_retry_view, name="job-retry"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
    path("admin/", admin.site.urls),
    path("api/", include(api_patterns)),
    path("clients/", include("clients.urls")),
    path("staffing/", include("staffing.urls")),
    path("compliance/", include("compliance.urls")),
    path("quality/", include("compliance.quality.urls")),
]
