"""API of sales attribution: orders, daily sales figures, the order import."""

from django.urls import path

from compliance.quality.sales.api import views

urlpatterns = [
    path("orders/", views.OrderList.as_view(), name="sales-api-order-list"),
    path("orders/import/", views.OrderImportView.as_view(), name="sales-api-order-import"),
    path("orders/<int:pk>/", views.OrderDetail.as_view(), name="sales-api-order-detail"),
    path("sales/days/", views.SalesDayList.as_view(), name="sales-api-day-list"),
]
