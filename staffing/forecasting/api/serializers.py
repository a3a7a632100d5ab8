"""Erlang C and forecast payloads of the forecasting API."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from staffing.forecasting.erlang import EFFICIENCY

# Offered load one request may ask about, in erlangs (volume × handling time ÷ interval): tens of times the
# largest desk the agency staffs, and small enough that the answer comes in well under a second.
MAX_TRAFFIC_ERLANGS = 20_000


class ErlangRequestSerializer(serializers.Serializer):
    volume = serializers.FloatField(min_value=0)
    interval_minutes = serializers.FloatField(min_value=0.001)
    aht_seconds = serializers.FloatField(min_value=0.001)
    answer_seconds = serializers.FloatField(min_value=0)
    service_level = serializers.FloatField(min_value=0, max_value=0.9999)
    max_occupancy = serializers.FloatField(min_value=0.001, max_value=1, default=1.0)
    shrinkage = serializers.FloatField(min_value=0, max_value=0.9999, default=0.0)
    concurrency = serializers.ChoiceField(choices=sorted(EFFICIENCY), default=1)

    def validate(self, attrs: dict) -> dict:
        traffic = attrs["volume"] * attrs["aht_seconds"] / (attrs["interval_minutes"] * 60)
        if traffic > MAX_TRAFFIC_ERLANGS:
            raise serializers.ValidationError({"volume": [
                _("咨询量 × 平均处理时长 ÷ 时段长度超过 %(max)d 个话务量（Erlang），请检查单位。") % {"max": MAX_TRAFFIC_ERLANGS}
            ]})
        return attrs


class ErlangResultSerializer(serializers.Serializer):
    raw_agents = serializers.IntegerField()
    agents = serializers.IntegerField()
    service_level = serializers.FloatField()
    occupancy = serializers.FloatField()
    waiting_probability = serializers.FloatField()
    asa_seconds = serializers.FloatField()


class ForecastQuerySerializer(serializers.Serializer):
    start = serializers.DateField(required=False)
    days = serializers.IntegerField(min_value=1, max_value=62, default=14)


class ForecastSlotSerializer(serializers.Serializer):
    slot = serializers.CharField()
    volume = serializers.FloatField()
    agents = serializers.IntegerField()


class ForecastDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=["workday", "weekend", "holiday", "makeup"])
    holiday = serializers.CharField(allow_blank=True)
    promotion = serializers.CharField(allow_null=True)
    phase = serializers.ChoiceField(choices=["presale", "peak", "tail"], allow_null=True)
    total = serializers.FloatField()
    slots = ForecastSlotSerializer(many=True)


class ForecastSerializer(serializers.Serializer):
    shop = serializers.CharField()
    start = serializers.DateField()
    days = ForecastDaySerializer(many=True)


class AccuracyQuerySerializer(serializers.Serializer):
    first = serializers.DateField(required=False, help_text="First day, default eight weeks before yesterday")
    last = serializers.DateField(required=False, help_text="Last day, default yesterday")

    def validate(self, attrs: dict) -> dict:
        for name in ("first", "last"):
            if name in attrs and not 2000 <= attrs[name].year <= 2099:
                raise serializers.ValidationError({name: [_("日期应在 %(first)s 年到 %(last)s 年之间。") % {"first": 2000, "last": 2099}]})
        if "first" in attrs and "last" in attrs and attrs["last"] < attrs["first"]:
            raise serializers.ValidationError({"last": [_("结束日期早于开始日期。")]})
        return attrs


class ErrorsSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    actual = serializers.FloatField(help_text="Σ actual consultations")
    forecast = serializers.FloatField(help_text="Σ forecast consultations")
    absolute_error = serializers.FloatField(source="absolute", help_text="Σ |actual − forecast| over half hours")
    wape = serializers.FloatField(allow_null=True, help_text="Σ|actual − forecast| ÷ Σ actual; null when Σ actual is 0")
    bias = serializers.FloatField(allow_null=True, help_text="Σ(forecast − actual) ÷ Σ actual; null when Σ actual is 0")


class AccuracyHorizonSerializer(serializers.Serializer):
    model = ErrorsSerializer(help_text="The model's own forecast, every scored day")
    override = ErrorsSerializer(help_text="The managers' overridden forecast, on the days they overrode it")
    model_on_override_days = ErrorsSerializer(help_text="The model on those same days")


class AccuracyRowSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=["all", "", "presale", "peak", "tail"],
                                    help_text="all days, ordinary days (empty) or a promotion phase")
    day = AccuracyHorizonSerializer(help_text="Forecast as it stood a day ahead")
    week = AccuracyHorizonSerializer(help_text="Forecast as it stood a week ahead")


class AccuracySerializer(serializers.Serializer):
    shop = serializers.CharField()
    first = serializers.DateField()
    last = serializers.DateField()
    rows = AccuracyRowSerializer(many=True)
