from django.urls import path

from compliance.rules import views

urlpatterns: list = [
    path("rules/", views.rule_library, name="rule-library"),
    path("rules/draft/", views.draft_create, name="draft-create"),
    path("rules/classifier/", views.classifier_switch, name="classifier-switch"),
    path("rules/<int:pk>/", views.ruleset_detail, name="ruleset-detail"),
    path("rules/<int:pk>/rule/new/", views.rule_edit, name="rule-create"),
    path("rules/<int:pk>/rule/<int:rule_pk>/", views.rule_edit, name="rule-edit"),
    path("rules/<int:pk>/impact/", views.ruleset_impact_view, name="ruleset-impact"),
    path("rules/<int:pk>/publish/", views.ruleset_publish_view, name="ruleset-publish"),
    path("custom-rules/", views.custom_rule_list, name="custom-rules"),
    path("custom-rules/new/", views.custom_rule_edit, name="custom-rule-create"),
    path("custom-rules/<int:pk>/", views.custom_rule_edit, name="custom-rule-edit"),
]
