"""Admin for the forecasting and training data a manager may need to edit directly (promotion dates and
multipliers, staffing parameters, question pools)."""

from django.contrib import admin

from staffing.models import (
    Course,
    Exam,
    ExamAttempt,
    ForecastOverride,
    Promotion,
    Question,
    SeasonalPlan,
    SeasonalPlanShop,
    StaffingProfile,
)


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "presale_start", "peak_start", "peak_end", "tail_end", "presale_uplift", "peak_uplift",
                    "tail_uplift"]


@admin.register(StaffingProfile)
class StaffingProfileAdmin(admin.ModelAdmin):
    list_display = ["shop", "aht_seconds", "answer_seconds", "service_level", "max_occupancy", "shrinkage",
                    "concurrency", "window_start", "window_end"]


@admin.register(ForecastOverride)
class ForecastOverrideAdmin(admin.ModelAdmin):
    list_display = ["shop", "date", "slot", "volume", "agents", "note", "created_by"]
    list_filter = ["shop"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "kind", "platform", "shop"]
    inlines = [QuestionInline]


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "shop", "question_count", "pass_mark", "time_limit_minutes", "max_attempts",
                    "active"]


@admin.register(ExamAttempt)
class ExamAttemptAdmin(admin.ModelAdmin):
    list_display = ["exam", "agent", "started_at", "submitted_at", "score", "passed", "late"]
    list_filter = ["exam", "passed"]
    readonly_fields = ["certification"]


class SeasonalPlanShopInline(admin.TabularInline):
    model = SeasonalPlanShop
    extra = 0


@admin.register(SeasonalPlan)
class SeasonalPlanAdmin(admin.ModelAdmin):
    list_display = ["title", "promotion", "created_at"]
    inlines = [SeasonalPlanShopInline]
