from django.urls import path

from staffing.rosters import views

urlpatterns = [
    path("rosters/", views.roster_list, name="roster-list"),
    path("rosters/<int:pk>/", views.roster_detail, name="roster-detail"),
    path("rosters/<int:pk>/solve/", views.roster_solve, name="roster-solve"),
    path("rosters/<int:pk>/publish/", views.roster_publish_view, name="roster-publish"),
    path("rosters/<int:pk>/demand/", views.roster_demand_upload, name="roster-demand"),
    path("rosters/<int:pk>/shops/<slug:code>/", views.roster_shop, name="roster-shop"),
    path("rosters/<int:pk>/agents/", views.roster_agents, name="roster-agents"),
    path("my-shifts/", views.my_shifts_view, name="my-shifts"),
    path("my-shifts/<int:pk>/swap/", views.swap_request_view, name="swap-request"),
    path("my-shifts/swaps/<int:pk>/withdraw/", views.swap_withdraw, name="swap-withdraw"),
    path("swaps/", views.swap_list, name="swap-list"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap-decide"),
]
