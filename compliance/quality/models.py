"""Response metrics, auto-QA, scorecards and reviews."""

from compliance.quality.metric_models import (  # noqa: F401
    AgentDayMetrics,
    MetricsCursor,
    QualityAlert,
    ResponseTurn,
    SessionMetrics,
    ShopDayMetrics,
    SlaProfile,
)
