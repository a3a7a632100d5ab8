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
