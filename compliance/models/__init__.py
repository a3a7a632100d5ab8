"""The compliance app's models, one module per feature (Django registers them through this package).

Inside a feature, import a model from its feature's module (`compliance.rules.models.RuleSet`), never
through this package; other apps may import `compliance.models`.
"""

from compliance.adherence.models import ShiftAdherence
from compliance.intraday.models import IntradayShopDay, IntradaySuggestion
from compliance.rules.models import (
    Category,
    ClassifierModel,
    ClassifierSwitch,
    CustomRule,
    Rule,
    RuleSet,
    Severity,
)
from compliance.sessions.models import ChatMessage, ChatSession, Hit, Sender

__all__ = [
    "Category", "ChatMessage", "ChatSession", "ClassifierModel", "ClassifierSwitch", "CustomRule", "Hit",
    "IntradayShopDay", "IntradaySuggestion", "Rule",
    "RuleSet", "Sender", "Severity", "ShiftAdherence",
]
