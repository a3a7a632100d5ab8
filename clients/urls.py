from django.urls import include, path

app_name = "clients"
urlpatterns = [
    path("", include("clients.merchants.urls")),
    path("", include("clients.engagements.urls")),
    path("", include("clients.handover.urls")),
    path("", include("clients.portal.urls")),
    path("", include("clients.sales.urls")),
    path("", include("clients.statements.urls")),
]
