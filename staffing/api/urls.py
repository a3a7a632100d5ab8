from django.urls import path

from staffing.api import views

urlpatterns = [
    path("staffing/erlang/", views.ErlangView.as_view(), name="staffing-erlang"),
    path("staffing/forecast/<slug:code>/", views.ShopForecastView.as_view(), name="staffing-forecast"),
    path("staffing/attempts/", views.ExamAttemptList.as_view(), name="staffing-attempts"),
]
