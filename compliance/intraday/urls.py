from django.urls import path

from compliance.intraday import views

urlpatterns = [
    path("intraday/", views.intraday, name="intraday"),
    path("intraday/refresh/", views.intraday_refresh_view, name="intraday-refresh"),
    path("intraday/suggestions/<int:pk>/accept/", views.intraday_accept, name="intraday-accept"),
]
