from django.urls import path

from compliance.api.check import ComplianceCheckView

urlpatterns: list = [
    path("compliance/check/", ComplianceCheckView.as_view(), name="compliance-check"),
]
