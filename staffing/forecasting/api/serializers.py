"""Erlang C and forecast payloads of the forecasting API."""

from __future__ import annotations

from rest_framework import serializers

from staffing.forecasting.erlang import EFFICIENCY


class ErlangRequestSerializer(serializers.Serializer):
    volume = serializers.FloatField(min_value=0)
    interval_minutes = serializers.FloatField(min_value=0.001)
    aht_seconds = serializers.FloatField(min_value=0.001)
    answer_seconds = serializers.FloatField(min_value=0)
    service_level = serializers.FloatField(min_value=0, max_value=0.9999)
    max_occupancy = serializers.FloatField(min_value=0.001, max_value=1, default=1.0)
    shrinkage = serializers.FloatField(min_value=0, max_value=0.9999, default=0.0)
    concurrency = serializers.ChoiceField(choices=sorted(EFFICIENCY), default=1)


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
