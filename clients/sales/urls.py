from django.urls import path

from clients.sales import views

urlpatterns = [
    path("engagements/<int:pk>/quotes/", views.quote_create, name="quote-create"),
    path("quotes/", views.quote_list, name="quote-list"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote-detail"),
    path("quotes/<int:pk>/send/", views.quote_send, name="quote-send"),
    path("quotes/<int:pk>/v<int:number>.pdf", views.quote_pdf, name="quote-pdf"),
    path("quotes/<int:pk>/contract/", views.contract_create, name="contract-create"),
    path("contracts/", views.contract_list, name="contract-list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("contracts/<int:pk>/send/", views.contract_send, name="contract-send"),
    path("contracts/<int:pk>/sign/", views.contract_sign, name="contract-sign"),
    path("contracts/<int:pk>/amend/", views.contract_amend, name="contract-amend"),
    path("contracts/<int:pk>/contract.pdf", views.contract_pdf, name="contract-pdf"),
    path("contracts/<int:pk>/signed.pdf", views.contract_signed_pdf, name="contract-signed-pdf"),
    path("contracts/<int:pk>/amendments/<int:number>.pdf", views.amendment_pdf, name="amendment-pdf"),
    path("price-books/", views.price_book_list, name="price-books"),
    path("portal/quotes/<int:pk>/", views.portal_quote, name="portal-quote"),
    path("portal/quotes/<int:pk>/v<int:number>/accept/", views.portal_quote_accept, name="portal-quote-accept"),
    path("portal/quotes/<int:pk>/v<int:number>/decline/", views.portal_quote_decline, name="portal-quote-decline"),
    path("portal/contracts/<int:pk>/", views.portal_contract, name="portal-contract"),
]
