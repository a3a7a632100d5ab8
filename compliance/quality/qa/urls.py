"""URL patterns of auto-QA and manual QA. Included by `compliance/quality/urls.py`, under the app's
`quality` namespace (so no `app_name` here)."""

from django.urls import path

from compliance.quality.qa import views as qa_views

urlpatterns = [
    path("autoqa/", qa_views.autoqa_overview, name="autoqa"),
    path("autoqa/checks/<slug:key>/", qa_views.autoqa_check_edit, name="autoqa-check"),
    path("autoqa/rescore/", qa_views.autoqa_rescore, name="autoqa-rescore"),
    path("sessions/<int:pk>/", qa_views.session_qa, name="session"),
    path("scorecards/", qa_views.scorecard_list, name="scorecards"),
    path("scorecards/new/", qa_views.scorecard_edit, name="scorecard-new"),
    path("scorecards/<int:pk>/", qa_views.scorecard_detail, name="scorecard-detail"),
    path("scorecards/<int:pk>/edit/", qa_views.scorecard_edit, name="scorecard-edit"),
    path("sampling/", qa_views.sampling_list, name="sampling"),
    path("sampling/<int:pk>/run/", qa_views.sampling_run, name="sampling-run"),
    path("queue/", qa_views.queue, name="queue"),
    path("assignments/<int:pk>/", qa_views.review_assignment, name="review"),
    path("reviews/", qa_views.review_list, name="reviews"),
    path("reviews/<int:pk>/", qa_views.review_detail, name="review-detail"),
    path("disputes/", qa_views.dispute_list, name="disputes"),
    path("calibration/", qa_views.calibration_list, name="calibration"),
    path("calibration/<int:pk>/", qa_views.calibration_detail, name="calibration-detail"),
    path("scores/", qa_views.quality_scores, name="scores"),
    path("me/", qa_views.my_quality, name="my-quality"),
]
