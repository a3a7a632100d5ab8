from django.contrib import admin

from clients.engagements.models import Engagement
from clients.merchants.models import Merchant, Shop
from clients.sales.models import (
    Contract,
    ContractAmendment,
    ContractSignature,
    PriceAddOn,
    PriceBook,
    PricingAlternative,
    QuoteRevision,
    SeatRate,
)

admin.site.register(Merchant)
admin.site.register(Shop)


class SeatRateInline(admin.TabularInline):
    model = SeatRate
    extra = 0


class PriceAddOnInline(admin.TabularInline):
    model = PriceAddOn
    extra = 0


class PricingAlternativeInline(admin.TabularInline):
    model = PricingAlternative
    extra = 0


@admin.register(PriceBook)
class PriceBookAdmin(admin.ModelAdmin):
    """The price book is data the manager maintains; quotes copy what they used into their revisions."""

    list_display = ["name", "valid_from", "valid_until", "night_premium_pct", "holiday_premium_pct"]
    inlines = [SeatRateInline, PriceAddOnInline, PricingAlternativeInline]


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
    list_display = ["title", "merchant", "stage", "next_step", "next_step_due"]
    list_filter = ["stage"]
    readonly_fields = ["stage"]  # stages change only through the lifecycle service


class ReadOnlyAdmin(admin.ModelAdmin):
    """Offered and signed records: visible in the admin, never changed or deleted there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


for model in (QuoteRevision, Contract, ContractSignature, ContractAmendment):
    admin.site.register(model, ReadOnlyAdmin)
