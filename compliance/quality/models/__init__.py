"""The quality app's models, one module per feature; importing them here registers them with Django.

Code inside a feature imports models from the feature's own module (`compliance.quality.qa.models`);
other apps may import them from here."""

from compliance.quality.alerts.models import AlertDelivery, NotificationRule
from compliance.quality.metrics.models import (
    AgentDayMetrics,
    MetricsCursor,
    QualityAlert,
    ResponseTurn,
    SessionMetrics,
    ShopDayMetrics,
    SlaProfile,
)
from compliance.quality.qa.models import (
    AutoQACheck,
    AutoQAConfigVersion,
    AutoQADeduction,
    AutoQAResult,
    CalibrationRound,
    Dispute,
    Review,
    ReviewAssignment,
    ReviewScore,
    SamplingPlan,
    SamplingRun,
    Scorecard,
    ScorecardCategory,
    ScorecardItem,
)
from compliance.quality.sales.models import (
    Order,
    OrderAttribution,
    OrderChange,
    OrderPending,
    SalesCursor,
    SalesDayMetrics,
)

__all__ = [
    "AgentDayMetrics",
    "AlertDelivery",
    "AutoQACheck",
    "AutoQAConfigVersion",
    "AutoQADeduction",
    "AutoQAResult",
    "CalibrationRound",
    "Dispute",
    "MetricsCursor",
    "NotificationRule",
    "Order",
    "OrderAttribution",
    "OrderChange",
    "OrderPending",
    "QualityAlert",
    "ResponseTurn",
    "Review",
    "ReviewAssignment",
    "ReviewScore",
    "SalesCursor",
    "SalesDayMetrics",
    "SamplingPlan",
    "SamplingRun",
    "Scorecard",
    "ScorecardCategory",
    "ScorecardItem",
    "SessionMetrics",
    "ShopDayMetrics",
    "SlaProfile",
]
