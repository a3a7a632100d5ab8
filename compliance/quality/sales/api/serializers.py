from __future__ import annotations

from rest_framework import serializers

from compliance.quality.masking import mask_buyer
from compliance.quality.sales.engine.orderfile import FORMATS
from compliance.quality.sales.models import Order, SalesDayMetrics


class OrderSerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code")
    order_id = serializers.CharField(source="external_id")
    buyer = serializers.SerializerMethodField()
    agent = serializers.SerializerMethodField()
    session = serializers.SerializerMethodField()
    # §8's attribution, kept in the order's attribution row (null while the order waits for the refresh)
    attributed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reminded_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reminder_paid = serializers.BooleanField(read_only=True)

    class Meta:
        model = Order
        fields = ["id", "shop", "order_id", "buyer", "created_at", "paid_at", "amount", "refund_amount", "agent",
                  "attributed_at", "session", "reminded_at", "reminder_paid", "changed_at"]

    def get_buyer(self, order: Order) -> str:
        return mask_buyer(order.buyer)

    def get_agent(self, order: Order) -> str | None:
        return order.agent_code or None

    def get_session(self, order: Order) -> int | None:
        """The id of the session holding the attributing message (the drill-down), or null."""
        message = order.attributed_message
        return message.session_id if message is not None else None


class SalesDaySerializer(serializers.ModelSerializer):
    shop = serializers.CharField(source="shop.code")
    date = serializers.DateField(source="day")
    agent = serializers.SerializerMethodField()
    conversion_rate = serializers.SerializerMethodField()

    class Meta:
        model = SalesDayMetrics
        fields = ["shop", "date", "agent", "inquiring_buyers", "converted_buyers", "conversion_rate", "sales",
                  "paying_buyers", "reminded_orders", "reminders_paid"]

    def get_agent(self, row: SalesDayMetrics) -> str | None:
        return row.agent_code or None

    def get_conversion_rate(self, row: SalesDayMetrics) -> float | None:
        return round(row.converted_buyers / row.inquiring_buyers, 3) if row.inquiring_buyers else None


class OrderImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()
    shop = serializers.CharField(help_text="shop code")
    format = serializers.ChoiceField(choices=FORMATS, required=False, help_text="default: from the file name")
    background = serializers.BooleanField(required=False, default=False, help_text="always run as a Job")


class OrderImportResultSerializer(serializers.Serializer):
    shop = serializers.CharField()
    rows = serializers.IntegerField()
    orders_created = serializers.IntegerField()
    orders_updated = serializers.IntegerField()
    orders_unchanged = serializers.IntegerField()
