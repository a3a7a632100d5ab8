from django.urls import path

from staffing import views_forecast, views_plans, views_training

app_name = "staffing"
urlpatterns = [
    # forecasts and the promotion calendar (helper 4b)
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
]
