"""Erlang C staffing maths, vectorised with numpy. No Django import: this module is tested and benchmarked alone.

Formulas (domain.md, "Staffing maths"; contracts §2):

- traffic in Erlangs  A = volume × effective AHT ÷ interval length
- Erlang B by the stable recursion  B₀ = 1,  B_k = A·B_{k−1} ÷ (k + A·B_{k−1})
  (the same numbers as 1/B_k = 1 + (k/A)·1/B_{k−1}, but B stays in [0, 1], so nothing overflows
  however many agents a figure needs)
- probability of waiting  P(wait) = N·B_N ÷ (N − A·(1 − B_N))
- service level  SL(T) = 1 − P(wait)·e^(−(N − A)·T ÷ AHT)
- average speed of answer  ASA = P(wait)·AHT ÷ (N − A)
- occupancy  A ÷ N
- `raw_agents` is the smallest whole N > A with SL(T) ≥ target and A/N ≤ max occupancy;
  `agents` = ⌈raw_agents ÷ (1 − shrinkage)⌉; every other figure is for `raw_agents`.

Chat concurrency (our model). An agent in a chat desk holds several conversations at once, but not at full
speed each: while one buyer types, the agent answers another. We model an agent holding c parallel chats as
one Erlang server working `EFFICIENCY[c]` times as fast, i.e. the effective handling time is
AHT ÷ EFFICIENCY[c], and that effective AHT is used everywhere above (traffic, SL, ASA). The factor table is
the usual industry rule of thumb (diminishing returns beyond 3 chats):

    parallel chats c   1    2    3    4    5
    efficiency         1.0  1.7  2.5  2.9  3.5

Concurrency outside 1–5 is refused rather than extrapolated: we have no basis for it.

After-sales tail of a promotion (seed 004):
    daily refund volume = orders × expected refund rate × that day's share of the promotion's refunds
    refund agents needed that day = ⌈daily refund volume ÷ refunds one agent handles per day⌉
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

EFFICIENCY: dict[int, float] = {1: 1.0, 2: 1.7, 3: 2.5, 4: 2.9, 5: 3.5}

# ceil() of a quotient that is whole in exact arithmetic but not in floating point (14 / 0.7 = 20.000000000000004)
_CEIL_SLACK = 1e-9


class ErlangInputError(ValueError):
    """A parameter is out of range; `field` names it (the command turns it into `--field-name`)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Staffing:
    """One interval's answer, with the figures contracts §2 prints."""

    raw_agents: int
    agents: int
    service_level: float
    occupancy: float
    waiting_probability: float
    asa_seconds: float
    traffic: float

    def as_contract_json(self) -> dict[str, float]:
        """The object `manage.py erlang` prints, rounded as in contracts §2 (key order matters to readers)."""
        return {
            "raw_agents": self.raw_agents,
            "agents": self.agents,
            "service_level": round(self.service_level, 3),
            "occupancy": round(self.occupancy, 3),
            "waiting_probability": round(self.waiting_probability, 3),
            "asa_seconds": round(self.asa_seconds, 1),
        }

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StaffingArrays:
    """The vectorised answer: one entry per interval."""

    raw_agents: np.ndarray
    agents: np.ndarray
    service_level: np.ndarray
    occupancy: np.ndarray
    waiting_probability: np.ndarray
    asa_seconds: np.ndarray
    traffic: np.ndarray

    def __len__(self) -> int:
        return int(self.raw_agents.shape[0])

    def at(self, i: int) -> Staffing:
        return Staffing(
            raw_agents=int(self.raw_agents[i]),
            agents=int(self.agents[i]),
            service_level=float(self.service_level[i]),
            occupancy=float(self.occupancy[i]),
            waiting_probability=float(self.waiting_probability[i]),
            asa_seconds=float(self.asa_seconds[i]),
            traffic=float(self.traffic[i]),
        )


def efficiency(concurrency: int) -> float:
    if isinstance(concurrency, bool) or int(concurrency) != concurrency or concurrency not in EFFICIENCY:
        raise ErlangInputError("concurrency", f"must be a whole number of parallel chats from 1 to {max(EFFICIENCY)}")
    return EFFICIENCY[int(concurrency)]


def effective_aht(aht_seconds: ArrayLike, concurrency: int = 1) -> np.ndarray:
    result: np.ndarray = np.asarray(aht_seconds, dtype=float) / efficiency(concurrency)
    return result


def traffic_erlangs(
    volume: ArrayLike, *, interval_minutes: ArrayLike, aht_seconds: ArrayLike, concurrency: int = 1
) -> np.ndarray:
    """A = volume × effective AHT ÷ interval."""
    result: np.ndarray = np.asarray(volume, dtype=float) * effective_aht(aht_seconds, concurrency) / (
        np.asarray(interval_minutes, dtype=float) * 60.0
    )
    return result


def erlang_b(traffic: ArrayLike, servers: ArrayLike) -> np.ndarray:
    """Erlang B blocking probability for arrays of traffic and whole numbers of servers (stable recursion)."""
    a, n = np.broadcast_arrays(np.asarray(traffic, dtype=float), np.asarray(servers, dtype=np.int64))
    a = a.ravel()
    n = n.ravel()
    b = np.ones_like(a)
    for k in range(1, int(n.max(initial=0)) + 1):
        step = n >= k
        ab = a * b
        b = np.where(step, ab / (k + ab), b)
    return b.reshape(np.broadcast(np.asarray(traffic), np.asarray(servers)).shape)


def _wait_figures(
    a: np.ndarray, n: np.ndarray, b: np.ndarray, aht_eff: np.ndarray, answer_seconds: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(wait), SL and ASA for N > A given B_N (arrays of equal shape)."""
    free = n - a
    pw = n * b / (n - a * (1.0 - b))
    sl = 1.0 - pw * np.exp(-free * answer_seconds / aht_eff)
    asa = pw * aht_eff / free
    return pw, sl, asa


def erlang_c(traffic: ArrayLike, servers: ArrayLike) -> np.ndarray:
    """P(wait) for N > A (Erlang C)."""
    a = np.asarray(traffic, dtype=float)
    n = np.asarray(servers, dtype=float)
    b = erlang_b(a, np.asarray(servers, dtype=np.int64))
    result: np.ndarray = n * b / (n - a * (1.0 - b))
    return result


def _validate(
    *,
    volume: ArrayLike,
    interval_minutes: ArrayLike,
    aht_seconds: ArrayLike,
    answer_seconds: ArrayLike,
    service_level: ArrayLike,
    max_occupancy: ArrayLike,
    shrinkage: ArrayLike,
) -> None:
    checks: list[tuple[str, ArrayLike, Callable[[np.ndarray], Any], str]] = [
        ("volume", volume, lambda x: np.all(np.isfinite(x)) and np.all(x >= 0), "must be a number ≥ 0"),
        ("interval_minutes", interval_minutes, lambda x: np.all(np.isfinite(x)) and np.all(x > 0), "must be > 0"),
        ("aht_seconds", aht_seconds, lambda x: np.all(np.isfinite(x)) and np.all(x > 0), "must be > 0"),
        ("answer_seconds", answer_seconds, lambda x: np.all(np.isfinite(x)) and np.all(x >= 0), "must be ≥ 0"),
        (
            "service_level",
            service_level,
            lambda x: np.all(x >= 0) and np.all(x < 1),
            "must be a share from 0 up to (not including) 1, e.g. 0.8",
        ),
        (
            "max_occupancy",
            max_occupancy,
            lambda x: np.all(x > 0) and np.all(x <= 1),
            "must be a share above 0 and at most 1, e.g. 0.85",
        ),
        ("shrinkage", shrinkage, lambda x: np.all(x >= 0) and np.all(x < 1), "must be a share from 0 up to (not including) 1"),
    ]
    for field, value, ok, message in checks:
        arr = np.asarray(value, dtype=float)
        if np.any(np.isnan(arr)) or not ok(arr):
            raise ErlangInputError(field, message)


def staff_intervals(
    volume: ArrayLike,
    *,
    interval_minutes: ArrayLike = 30,
    aht_seconds: ArrayLike,
    answer_seconds: ArrayLike,
    service_level: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
    shrinkage: ArrayLike = 0.0,
    concurrency: int = 1,
    max_agents: int = 1_000_000,
) -> StaffingArrays:
    """Agents needed for every interval at once. Every argument may be a scalar or an array (broadcast).

    One pass over k = 1, 2, … carries B_k for all intervals still open; an interval closes at the first k
    that is > A, keeps occupancy under the cap and meets the service level. The loop therefore runs up to
    the largest answer, and each step touches only the intervals still open.
    """
    _validate(
        volume=volume,
        interval_minutes=interval_minutes,
        aht_seconds=aht_seconds,
        answer_seconds=answer_seconds,
        service_level=service_level,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
    )
    eff = efficiency(concurrency)
    arrays = np.broadcast_arrays(
        np.atleast_1d(np.asarray(volume, dtype=float)),
        np.asarray(interval_minutes, dtype=float),
        np.asarray(aht_seconds, dtype=float),
        np.asarray(answer_seconds, dtype=float),
        np.asarray(service_level, dtype=float),
        np.asarray(max_occupancy, dtype=float),
        np.asarray(shrinkage, dtype=float),
    )
    vol, minutes, aht, answer, target, occ_cap, shrink = (np.array(x, dtype=float).ravel() for x in arrays)
    aht_eff = aht / eff
    a_all = vol * aht_eff / (minutes * 60.0)
    size = a_all.shape[0]

    # The smallest N allowed before looking at service level: N > A and A/N ≤ cap.
    n_min = np.floor(a_all) + 1.0
    # ceil(A / cap), corrected by one either way where floating point put the quotient across a whole number;
    # the test is the contract's own: A / N ≤ cap
    n_occ = np.ceil(a_all / occ_cap)
    below = np.maximum(n_occ - 1.0, 1.0)
    n_occ = np.where((n_occ > 1.0) & (a_all / below <= occ_cap), below, n_occ)
    n_occ = np.where(a_all / np.maximum(n_occ, 1.0) > occ_cap, n_occ + 1.0, n_occ)
    n_min = np.maximum(n_min, n_occ)

    raw = np.zeros(size, dtype=np.int64)
    pw_out = np.zeros(size)
    sl_out = np.zeros(size)
    asa_out = np.zeros(size)

    idx = np.arange(size)
    a = a_all
    b = np.ones(size)
    lo = n_min
    ratio = answer / aht_eff  # T ÷ AHT, for the exponent
    tgt = target
    k = 0
    while idx.size:
        k += 1
        if k > max_agents:
            raise ErlangInputError("volume", f"needs more than {max_agents} agents in one interval")
        ab = a * b
        b = ab / (k + ab)
        candidate = lo <= k
        if not candidate.any():
            continue
        free = k - a
        pw = k * b / (k - a * (1.0 - b))
        sl = 1.0 - pw * np.exp(-free * ratio)
        hit = candidate & (sl >= tgt)
        if not hit.any():
            continue
        where = idx[hit]
        raw[where] = k
        pw_out[where] = pw[hit]
        sl_out[where] = sl[hit]
        asa_out[where] = pw[hit] / free[hit] * (aht_eff[where])
        keep = ~hit
        idx, a, b, lo, ratio, tgt = idx[keep], a[keep], b[keep], lo[keep], ratio[keep], tgt[keep]

    agents = np.ceil(raw / (1.0 - shrink) - _CEIL_SLACK).astype(np.int64)
    occupancy = np.divide(a_all, raw, out=np.zeros(size), where=raw > 0)
    return StaffingArrays(
        raw_agents=raw,
        agents=agents,
        service_level=sl_out,
        occupancy=occupancy,
        waiting_probability=pw_out,
        asa_seconds=asa_out,
        traffic=a_all,
    )


def staff_interval(
    *,
    volume: float,
    interval_minutes: float = 30,
    aht_seconds: float,
    answer_seconds: float,
    service_level: float,
    max_occupancy: float = 1.0,
    shrinkage: float = 0.0,
    concurrency: int = 1,
) -> Staffing:
    """One interval (what `manage.py erlang` prints)."""
    return staff_intervals(
        [volume],
        interval_minutes=interval_minutes,
        aht_seconds=aht_seconds,
        answer_seconds=answer_seconds,
        service_level=service_level,
        max_occupancy=max_occupancy,
        shrinkage=shrinkage,
        concurrency=concurrency,
    ).at(0)


def seats_for(raw_agents: int, shrinkage: float) -> int:
    """Scheduled seats for a number of agents needed on the floor: ⌈N ÷ (1 − shrinkage)⌉."""
    if not 0 <= shrinkage < 1:
        raise ErlangInputError("shrinkage", "must be a share from 0 up to (not including) 1")
    return math.ceil(raw_agents / (1.0 - shrinkage) - _CEIL_SLACK)


# --- after-sales tail of a promotion (seed 004) -------------------------------------------------------------


def refund_volume(*, orders: float, refund_rate: float, day_shares: ArrayLike) -> np.ndarray:
    """Daily refund volume = orders × expected refund rate × that day's share of the promotion's refunds."""
    shares = np.asarray(day_shares, dtype=float)
    if orders < 0:
        raise ErlangInputError("orders", "must be ≥ 0")
    if not 0 <= refund_rate <= 1:
        raise ErlangInputError("refund_rate", "must be a share from 0 to 1")
    if np.any(shares < 0) or shares.sum() > 1 + 1e-9:
        raise ErlangInputError("day_shares", "must be shares ≥ 0 adding up to at most 1")
    result: np.ndarray = orders * refund_rate * shares
    return result


def refund_agents(*, daily_refunds: ArrayLike, refunds_per_agent: float) -> np.ndarray:
    """Refund agents needed each day = ⌈daily refund volume ÷ refunds one agent handles per day⌉."""
    if refunds_per_agent <= 0:
        raise ErlangInputError("refunds_per_agent", "must be > 0")
    return np.ceil(np.asarray(daily_refunds, dtype=float) / refunds_per_agent - _CEIL_SLACK).astype(np.int64)


def tail_shares(days: int, *, decay: float = 0.8) -> np.ndarray:
    """A default share of a promotion's refunds per day of the after-sales tail: geometric decay from the
    first day (most refunds are asked for soon after delivery), normalised to 1."""
    if days <= 0:
        return np.zeros(0)
    weights = decay ** np.arange(days, dtype=float)
    result: np.ndarray = weights / weights.sum()
    return result
