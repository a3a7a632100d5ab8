"""URL patterns of the sales part, included under the quality app's `quality` namespace."""

from django.urls import path

from compliance.quality.sales import views

urlpatterns = [
    path("sales/", views.sales_overview, name="sales-overview"),
    path("sales/shops/<slug:code>/", views.shop_sales, name="sales-shop"),
    path("orders/", views.order_list, name="order-list"),
    path("orders/import/", views.order_import, name="order-import"),
    path("orders/<int:pk>/", views.order_detail, name="order-detail"),
]
