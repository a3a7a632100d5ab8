from django.urls import path

from compliance import rule_views, views

app_name = "compliance"
urlpatterns: list = [
    # sessions, violations and imports
    path("sessions/", views.session_list_page, name="session-list"),
    path("sessions/import/", views.session_import_page, name="session-import"),
    path("sessions/<int:pk>/", views.session_detail_page, name="session-detail"),
    path("violations/", views.violation_list_page, name="violation-list"),
    path("violations/export.csv", views.violation_export, name="violation-export"),
    # rule library, custom rules and the pre-send check
    path("rules/", rule_views.rule_library, name="rule-library"),
    path("rules/draft/", rule_views.draft_create, name="draft-create"),
    path("rules/<int:pk>/", rule_views.ruleset_detail, name="ruleset-detail"),
    path("rules/<int:pk>/rule/new/", rule_views.rule_edit, name="rule-create"),
    path("rules/<int:pk>/rule/<int:rule_pk>/", rule_views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/impact/", rule_views.ruleset_impact_view, name="ruleset-impact"),
    path("rules/<int:pk>/publish/", rule_views.ruleset_publish_view, name="ruleset-publish"),
    path("custom-rules/", rule_views.custom_rule_list, name="custom-rules"),
    path("custom-rules/new/", rule_views.custom_rule_edit, name="custom-rule-create"),
    path("custom-rules/<int:pk>/", rule_views.custom_rule_edit, name="custom-rule-edit"),
    path("check/", rule_views.precheck, name="precheck"),
    path("check/result/", rule_views.precheck_result, name="precheck-result"),
]
