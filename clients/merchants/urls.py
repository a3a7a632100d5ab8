from django.urls import path

from clients.merchants import views

urlpatterns = [
    path("shops/", views.shop_list, name="shop-list"),
    path("shops/<slug:code>/", views.shop_detail, name="shop-detail"),
]
