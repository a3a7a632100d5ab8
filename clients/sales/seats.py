"""How many seats a stated chat volume needs: the question quotes ask and staffing answers.

`clients` may not import `staffing`, so staffing registers its Erlang C estimator here when Django starts
(`staffing.apps.StaffingConfig.ready`), and quotes call `estimate_seats`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SeatRequest:
    volume: float  # consultations arriving in one interval
    interval_minutes: int
    aht_seconds: float
    answer_seconds: float  # the platform's response target
    service_level: float  # share answered within answer_seconds, 0..1
    max_occupancy: float = 1.0
    shrinkage: float = 0.0
    concurrency: int = 1


@dataclass(frozen=True)
class SeatEstimate:
    raw_agents: int
    agents: int
    service_level: float
    occupancy: float
    waiting_probability: float
    asa_seconds: float
    method: str  # a sentence on how the figure was derived, shown on the quote


_estimator: Callable[[SeatRequest], SeatEstimate] | None = None


def register_seat_estimator(estimator: Callable[[SeatRequest], SeatEstimate]) -> None:
    global _estimator
    _estimator = estimator


def estimate_seats(request: SeatRequest) -> SeatEstimate:
    if _estimator is None:
        raise RuntimeError("no seat estimator is registered (the staffing app registers one at start-up)")
    return _estimator(request)
