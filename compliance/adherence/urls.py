from django.urls import path

from compliance.adherence import views

urlpatterns = [
    path("floor/", views.floor, name="floor"),
    path("adherence/", views.adherence_home, name="adherence"),
    path("adherence/compute/", views.adherence_compute_view, name="adherence-compute"),
    path("adherence/agents/<int:pk>/", views.agent_month_view, name="adherence-agent"),
    path("adherence/shops/<slug:code>/", views.shop_month_view, name="adherence-shop"),
]
