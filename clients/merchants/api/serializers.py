"""Serializers of the merchants API."""

from __future__ import annotations

from rest_framework import serializers

from clients.merchants.models import Merchant, Shop


class MerchantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Merchant
        fields = ["id", "code", "name", "language"]


class ShopSerializer(serializers.ModelSerializer):
    merchant = MerchantSerializer(read_only=True)

    class Meta:
        model = Shop
        fields = ["id", "code", "name", "platform", "merchant"]
