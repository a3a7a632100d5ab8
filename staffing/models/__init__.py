"""The staffing app's models, one module per feature. Importing them here registers them with the app
(label `staffing`), so tables and migrations stay as they are. Inside a feature, import models from the
feature's own module (`from staffing.training.models import Course`), not from here."""

from staffing.forecasting.models import (
    ForecastOverride,
    ForecastSnapshot,
    IntervalVolume,
    Promotion,
    SeasonalPlan,
    SeasonalPlanShop,
    StaffingProfile,
)
from staffing.rosters.models import (
    AgentPreference,
    Leave,
    LeaveBalance,
    Roster,
    RosterDemand,
    RosterRules,
    ShiftAssignment,
    ShiftTemplate,
    SwapRequest,
)
from staffing.training.models import Certification, Course, Exam, ExamAttempt, Question, ShopAssignment

__all__ = [
    "AgentPreference",
    "Certification",
    "Course",
    "Exam",
    "ExamAttempt",
    "ForecastOverride",
    "ForecastSnapshot",
    "IntervalVolume",
    "Leave",
    "LeaveBalance",
    "Promotion",
    "Question",
    "Roster",
    "RosterDemand",
    "RosterRules",
    "SeasonalPlan",
    "SeasonalPlanShop",
    "ShiftAssignment",
    "ShiftTemplate",
    "ShopAssignment",
    "StaffingProfile",
    "SwapRequest",
]
