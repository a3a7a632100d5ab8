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
    path("swaps/", views.swap_list, name="swap-list"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap-decide"),
    path("swaps/<int:pk>/answer/", views.swap_answer, name="swap-answer"),
    path("swaps/<int:pk>/cancel/", views.swap_cancel, name="swap-cancel"),
    path("roster-rules/", views.roster_rules, name="roster-rules"),
    path("roster-rules/templates/new/", views.shift_template_new, name="shift-template-new"),
    path("roster-rules/templates/<int:pk>/", views.shift_template_edit, name="shift-template-edit"),
    path("rosters/<int:pk>/adopt-rules/", views.roster_adopt_rules, name="roster-adopt-rules"),
]
