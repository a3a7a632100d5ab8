from django.urls import path

from staffing import roster_views, views_forecast, views_plans, views_training

app_name = "staffing"
urlpatterns = [
    # forecasts and the promotion calendar
    path("forecast/", views_forecast.forecast_index, name="forecast-index"),
    path("forecast/<slug:code>/", views_forecast.forecast_shop, name="forecast-shop"),
    path("promotions/", views_forecast.promotion_list, name="promotion-list"),
    # seasonal plans
    path("plans/", views_plans.plan_list, name="plan-list"),
    path("plans/<int:pk>/", views_plans.plan_view, name="plan-detail"),
    # training and exams
    path("training/", views_training.training_home, name="training"),
    path("courses/<slug:code>/", views_training.course_detail, name="course-detail"),
    path("exams/<slug:code>/", views_training.exam_detail, name="exam-detail"),
    path("exams/<slug:code>/start/", views_training.exam_begin, name="exam-start"),
    path("attempts/<int:pk>/", views_training.attempt_detail, name="attempt-detail"),
    # rosters, shifts and swaps
    path("rosters/", roster_views.roster_list, name="roster-list"),
    path("rosters/<int:pk>/", roster_views.roster_detail, name="roster-detail"),
    path("rosters/<int:pk>/solve/", roster_views.roster_solve, name="roster-solve"),
    path("rosters/<int:pk>/publish/", roster_views.roster_publish_view, name="roster-publish"),
    path("rosters/<int:pk>/demand/", roster_views.roster_demand_upload, name="roster-demand"),
    path("rosters/<int:pk>/shops/<slug:code>/", roster_views.roster_shop, name="roster-shop"),
    path("rosters/<int:pk>/agents/", roster_views.roster_agents, name="roster-agents"),
    path("my-shifts/", roster_views.my_shifts_view, name="my-shifts"),
    path("my-shifts/<int:pk>/swap/", roster_views.swap_request_view, name="swap-request"),
    path("swaps/", roster_views.swap_list, name="swap-list"),
    path("swaps/<int:pk>/decide/", roster_views.swap_decide, name="swap-decide"),
]
