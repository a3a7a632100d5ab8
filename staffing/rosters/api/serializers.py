"""Rosters, shifts and swaps over the API: what the pages show, in the same scopes."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from rest_framework import serializers

from agency.models import User
from staffing.rosters.models import Roster, ShiftAssignment, SwapRequest

# Dates the API takes: a roster, a leave or a filter far outside this range is a typing error, and dates near
# the calendar's ends would overflow when days are added.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def check_year(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise serializers.ValidationError(
            _("日期应在 %(first)s 年到 %(last)s 年之间。") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return value


class PersonSerializer(serializers.Serializer):
    """An agent or manager by id, chat-log code and name."""

    id = serializers.IntegerField()
    code = serializers.CharField(allow_null=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user: User) -> str:
        return str(user)


class ShopRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    platform = serializers.CharField()


class TemplateRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M")


class RosterSerializer(serializers.ModelSerializer):
    """A roster. Merchant users see only their own shops in it and none of the solve's figures (null), as on
    the pages."""

    end_date = serializers.DateField(read_only=True)
    shops = ShopRefSerializer(many=True, read_only=True)
    templates = TemplateRefSerializer(many=True, read_only=True)
    window_start = serializers.TimeField(format="%H:%M", read_only=True)
    window_end = serializers.TimeField(format="%H:%M", read_only=True)
    solve_status = serializers.ChoiceField(
        choices=["", "optimal", "feasible", "infeasible", "failed"], allow_blank=True, read_only=True,
        help_text="The last solve's result; empty before the first solve.",
    )
    shortfall_total = serializers.IntegerField(allow_null=True, read_only=True,
                                               help_text="Agent half hours missing (staff only; null otherwise).")
    solve_seconds = serializers.FloatField(allow_null=True, read_only=True)
    solved_at = serializers.DateTimeField(allow_null=True, read_only=True)
    job = serializers.IntegerField(source="job_id", allow_null=True, read_only=True,
                                   help_text="The last solve's job (staff only).")

    STAFF_ONLY = ("shortfall_total", "solve_seconds", "solved_at", "job")

    class Meta:
        model = Roster
        fields = [
            "id", "name", "start_date", "end_date", "days", "status", "published_through", "window_start",
            "window_end", "shops", "templates", "min_rest_hours", "max_consecutive_days", "max_hours_per_week",
            "min_coverage", "solve_status", "shortfall_total", "solve_seconds", "solved_at", "job",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Roster) -> dict:
        data = super().to_representation(instance)
        if not self.context.get("staff"):
            for name in self.STAFF_ONLY:
                data[name] = None
        return data


class RosterCreateSerializer(serializers.ModelSerializer):
    """A new roster, created as a draft (same rules as the page's form: the model's ranges)."""

    shops = serializers.ListField(child=serializers.SlugField(max_length=50), min_length=1, max_length=200,
                                  help_text="Shop codes.")
    templates = serializers.ListField(child=serializers.SlugField(max_length=16), min_length=1, max_length=50,
                                      help_text="Shift template codes (active ones).")

    class Meta:
        model = Roster
        fields = ["name", "start_date", "days", "shops", "templates", "min_rest_hours", "max_consecutive_days",
                  "max_hours_per_week", "min_coverage"]
        extra_kwargs = {"days": {"required": True}}

    def validate_start_date(self, value: date) -> date:
        return check_year(value)


class SolveSerializer(serializers.Serializer):
    time_limit = serializers.FloatField(min_value=2, max_value=120, default=30,
                                        help_text="Seconds the solver may search (2–120).")


class JobAcceptedSerializer(serializers.Serializer):
    job = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField(help_text="The job's page, with its progress.")


class PublishSerializer(serializers.Serializer):
    through = serializers.DateField(help_text="Publish the shifts up to this day (inclusive).")

    def validate_through(self, value: date) -> date:
        return check_year(value)


class PublishResultSerializer(serializers.Serializer):
    published_through = serializers.DateField()
    pinned = serializers.IntegerField(help_text="Shifts now published (pinned).")


class ShiftSerializer(serializers.ModelSerializer):
    shop = ShopRefSerializer(read_only=True)
    agent = PersonSerializer(read_only=True)
    template = TemplateRefSerializer(read_only=True)
    published = serializers.BooleanField(source="pinned", read_only=True)

    class Meta:
        model = ShiftAssignment
        fields = ["id", "roster", "date", "shop", "agent", "template", "starts_at", "ends_at", "published"]
        read_only_fields = fields


class ShiftQuerySerializer(serializers.Serializer):
    roster = serializers.IntegerField(required=False, min_value=1)
    agent = serializers.IntegerField(required=False, min_value=1, help_text="The agent's user id.")
    date = serializers.DateField(required=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)

    def validate(self, attrs: dict) -> dict:
        for name in ("date", "date_from", "date_to"):
            if name in attrs:
                try:
                    check_year(attrs[name])
                except serializers.ValidationError as exc:
                    raise serializers.ValidationError({name: exc.detail}) from exc
        if "date_from" in attrs and "date_to" in attrs and attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("结束日期早于开始日期。")]})
        return attrs


class SwapOptionsSerializer(serializers.Serializer):
    """Who may take one of my shifts as it is, and which of their published shifts I may take in exchange."""

    giveaways = PersonSerializer(many=True)
    trades = ShiftSerializer(many=True)


class SwapSerializer(serializers.ModelSerializer):
    shift = ShiftSerializer(source="assignment", read_only=True)
    requester = PersonSerializer(read_only=True)
    taker = PersonSerializer(read_only=True)
    counterpart = ShiftSerializer(read_only=True, allow_null=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SwapRequest
        fields = ["id", "shift", "requester", "taker", "counterpart", "note", "status", "decided_by", "decided_at",
                  "created_at"]
        read_only_fields = fields


class SwapCreateSerializer(serializers.Serializer):
    """Give one of my published coming shifts away (`taker`), or trade it for one of theirs (`counterpart`)."""

    shift = serializers.IntegerField(min_value=1, help_text="My shift's id.")
    taker = serializers.IntegerField(min_value=1, required=False, help_text="The colleague's user id (give-away).")
    counterpart = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                           help_text="Their shift I take in exchange (a trade).")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("taker") and not attrs.get("counterpart"):
            raise serializers.ValidationError({"taker": [_("请指定接班的同事（或要换回的班次）。")]})
        return attrs


class CoverageQuerySerializer(serializers.Serializer):
    shop = serializers.SlugField(max_length=50, help_text="A shop of the roster, by code.")


class CoverageCellSerializer(serializers.Serializer):
    date = serializers.DateField()
    slot = serializers.CharField(help_text="The half hour's start, HH:MM.")
    required_agents = serializers.IntegerField(help_text="Agents required (at least the roster's minimum coverage).")
    scheduled_agents = serializers.IntegerField(help_text="Agents on shift for the whole half hour.")
    gap = serializers.IntegerField()


class CoverageSerializer(serializers.Serializer):
    """A shop's coverage in the roster, half hour by day: what the coverage heatmap shows."""

    shop = serializers.CharField()
    cells = CoverageCellSerializer(many=True)
