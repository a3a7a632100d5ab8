"""Intraday re-forecast and suggestions, pure: no Django, DRF or Celery. See `reforecast.py` and `suggestions.py`."""

from compliance.intraday.engine.reforecast import (
    SLOT_MINUTES,
    SLOTS_PER_DAY,
    HalfHour,
    RatioRule,
    ShopDay,
    ShopInput,
    StaffingParameters,
    arrival_slots,
    elapsed_slots,
    reforecast,
    reforecast_all,
    slot_label,
)
from compliance.intraday.engine.suggestions import AgentShift, ShopNeed, Suggestion, suggest

__all__ = [
    "SLOTS_PER_DAY",
    "SLOT_MINUTES",
    "AgentShift",
    "HalfHour",
    "RatioRule",
    "ShopDay",
    "ShopInput",
    "ShopNeed",
    "StaffingParameters",
    "Suggestion",
    "arrival_slots",
    "elapsed_slots",
    "reforecast",
    "reforecast_all",
    "slot_label",
    "suggest",
]
