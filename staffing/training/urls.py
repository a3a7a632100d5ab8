from django.urls import path

from staffing.training import views

urlpatterns = [
    path("training/", views.training_home, name="training"),
    path("courses/<slug:code>/", views.course_detail, name="course-detail"),
    path("exams/<slug:code>/", views.exam_detail, name="exam-detail"),
    path("exams/<slug:code>/start/", views.exam_begin, name="exam-start"),
    path("attempts/<int:pk>/", views.attempt_detail, name="attempt-detail"),
]
