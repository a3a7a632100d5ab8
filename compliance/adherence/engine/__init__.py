"""Schedule adherence (contracts §10), pure: no Django, DRF or Celery. See `definitions.py`."""

from compliance.adherence.engine.definitions import (
    ChatLine,
    Shift,
    ShiftAdherence,
    ShopLog,
    adherence,
    shift_bounds,
)
from compliance.adherence.engine.inputs import InputError, parse_roster, parse_session_line

__all__ = [
    "ChatLine",
    "InputError",
    "Shift",
    "ShiftAdherence",
    "ShopLog",
    "adherence",
    "parse_roster",
    "parse_session_line",
    "shift_bounds",
]
