from django.urls import path

from clients.engagements import views

urlpatterns = [
    path("engagements/", views.engagement_board, name="engagement-board"),
    path("engagements/new/", views.engagement_create, name="engagement-create"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement-detail"),
    path("engagements/<int:pk>/edit/", views.engagement_edit, name="engagement-edit"),
    path("engagements/<int:pk>/stage/", views.engagement_stage, name="engagement-stage"),
    path("engagements/<int:pk>/notes/", views.engagement_note, name="engagement-note"),
]
