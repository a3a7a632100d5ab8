from django.urls import path

from compliance.precheck import views

urlpatterns: list = [
    path("check/", views.precheck, name="precheck"),
    path("check/result/", views.precheck_result, name="precheck-result"),
]
