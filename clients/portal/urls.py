from django.urls import path

from clients.portal import views

urlpatterns = [
    path("portal/", views.portal_home, name="portal"),
    path("portal/engagements/<int:pk>/", views.portal_engagement, name="portal-engagement"),
    path("engagements/<int:pk>/go-live/", views.golive_page, name="golive"),
    path("engagements/<int:pk>/go-live/confirm/", views.golive_confirm, name="golive-confirm"),
]
