"""The models of the `clients` app, one module per feature. Importing them here registers them with the
app; code inside `clients` imports a model from its feature's module, other apps may import it from here."""

from clients.engagements.models import Engagement, EngagementActivity
from clients.handover.models import HandoverBatch, KnowledgeEntry, KnowledgeKind
from clients.merchants.models import Merchant, Platform, Shop
from clients.sales.models import (
    Contract,
    ContractAmendment,
    ContractSignature,
    ImmutableModel,
    ImmutableQuerySet,
    ImmutableRecord,
    PriceAddOn,
    PriceBook,
    PricingAlternative,
    Quote,
    QuoteDecision,
    QuoteRevision,
    SeatRate,
    ServiceType,
    Shift,
)
from clients.statements.models import BillingTerms, Statement, StatementDispute

__all__ = [
    "Contract", "ContractAmendment", "ContractSignature", "Engagement", "EngagementActivity", "HandoverBatch",
    "ImmutableModel", "ImmutableQuerySet", "ImmutableRecord", "KnowledgeEntry", "KnowledgeKind", "Merchant",
    "Platform", "PriceAddOn", "PriceBook", "PricingAlternative", "Quote", "QuoteDecision", "QuoteRevision",
    "SeatRate", "ServiceType", "Shift", "Shop", "BillingTerms", "Statement", "StatementDispute",
]
