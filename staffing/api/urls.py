"""The staffing app's API routes; each feature keeps its own views in its `api/`."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from staffing.forecasting.api.views import ErlangView, ShopForecastAccuracyView, ShopForecastView
from staffing.leave.api.views import LeaveViewSet
from staffing.rosters.api.views import RosterViewSet, ShiftViewSet, SwapViewSet
from staffing.training.api.views import ExamAttemptList

router = SimpleRouter()
router.register("rosters", RosterViewSet, basename="roster")
router.register("shifts", ShiftViewSet, basename="shift")
router.register("leave", LeaveViewSet, basename="leave")
router.register("swaps", SwapViewSet, basename="swap")

urlpatterns = [
    path("staffing/erlang/", ErlangView.as_view(), name="staffing-erlang"),
    path("staffing/forecast/<slug:code>/", ShopForecastView.as_view(), name="staffing-forecast"),
    path("staffing/forecast/<slug:code>/accuracy/", ShopForecastAccuracyView.as_view(), name="staffing-forecast-accuracy"),
    path("staffing/attempts/", ExamAttemptList.as_view(), name="staffing-attempts"),
] + router.urls
