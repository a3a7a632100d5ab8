from django.urls import path

from staffing import roster_views

app_name = "staffing"
urlpatterns = [
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
