from django.urls import path

from clients.statements import views

urlpatterns = [
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/generate/", views.statements_generate, name="statements-generate"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("statements/<int:pk>/recompute/", views.statement_recompute, name="statement-recompute"),
    path("statements/<int:pk>/issue/", views.statement_issue, name="statement-issue"),
    path("statements/<int:pk>/confirm/", views.statement_confirm, name="statement-confirm"),
    path("statements/<int:pk>/dispute/", views.statement_dispute, name="statement-dispute"),
    path("statements/<int:pk>/revise/", views.statement_revise, name="statement-revise"),
    path("statements/<int:pk>/statement.pdf", views.statement_pdf, name="statement-pdf"),
    path("statements/<int:pk>/statement.xlsx", views.statement_xlsx, name="statement-xlsx"),
    path("contracts/<int:pk>/billing/", views.billing_terms_edit, name="contract-billing"),
]
