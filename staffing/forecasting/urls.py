from django.urls import path

from staffing.forecasting import views

urlpatterns = [
    # forecasts and the promotion calendar
    path("forecast/", views.forecast_index, name="forecast-index"),
    path("forecast/<slug:code>/", views.forecast_shop, name="forecast-shop"),
    path("promotions/", views.promotion_list, name="promotion-list"),
    # seasonal plans
    path("plans/", views.plan_list, name="plan-list"),
    path("plans/<int:pk>/", views.plan_view, name="plan-detail"),
]
