from django.urls import include, path

from clients import views
from clients.sales.urls import urlpatterns as sales_urlpatterns

app_name = "clients"
urlpatterns = [
    path("shops/", views.shop_list, name="shop-list"),
    path("shops/<slug:code>/", views.shop_detail, name="shop-detail"),
    path("", include("clients.handover.urls")),
    path("", include("clients.portal.urls")),
]
urlpatterns += sales_urlpatterns
