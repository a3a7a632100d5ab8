from django.urls import path

from clients import views
from clients.sales.urls import urlpatterns as sales_urlpatterns

app_name = "clients"
urlpatterns = [
    path("shops/", views.shop_list, name="shop-list"),
    path("shops/<slug:code>/", views.shop_detail, name="shop-detail"),
]
urlpatterns += sales_urlpatterns
