from django.urls import path

from staffing.leave import views

urlpatterns = [
    path("leave/", views.my_leave, name="my-leave"),
    path("leave/request/", views.leave_request_view, name="leave-request"),
    path("leave/<int:pk>/cancel/", views.leave_cancel_view, name="leave-cancel"),
    path("leave/preferences/", views.preference_view, name="leave-preferences"),
    path("leave/requests/", views.leave_queue, name="leave-queue"),
    path("leave/requests/<int:pk>/decide/", views.leave_decide_view, name="leave-decide"),
    path("leave/balances/", views.leave_balance_view, name="leave-balance"),
]
