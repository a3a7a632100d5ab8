"""Which service window, reply target and alert thresholds apply to a shop on a day.

Order of precedence: the shop's contract (through `clients.merchants.selectors.contract_sla_for_shop`) over
the platform's `SlaProfile` row over the built-in defaults of domain.md. On
Chinese statutory holidays (package `chinesecalendar`) the profile's holiday window applies when set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from compliance.quality.metrics.definitions import DEFAULT_SLA, DEFAULT_THRESHOLDS, Sla


@dataclass(frozen=True)
class Targets:
    sla: Sla
    reply_rate_target: float
    warning_low: float | None
    warning_high: float | None
    avg_response_target_seconds: float | None
    source: str  # "platform" or "contract"
    qa_score_target: float | None = None


@dataclass(frozen=True)
class ProfileData:
    """A profile detached from the ORM, so a recompute reads the table once."""

    platform: str
    window_start: time
    window_end: time
    target_seconds: float
    holiday_window_start: time | None = None
    holiday_window_end: time | None = None
    reply_rate_target: float = 0.5
    warning_low: float | None = None
    warning_high: float | None = None
    avg_response_target_seconds: float | None = None


def is_statutory_holiday(day: date) -> bool:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - pinned in requirements
        return False
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:  # a year the package has no data for
        return False
    return bool(on_holiday and name)


def load_profiles() -> dict[str, ProfileData]:
    from compliance.quality.metrics.models import SlaProfile

    profiles = {
        platform: ProfileData(
            platform, sla.window_start, sla.window_end, sla.target_seconds, **DEFAULT_THRESHOLDS[platform]
        )
        for platform, sla in DEFAULT_SLA.items()
    }
    for row in SlaProfile.objects.all():
        profiles[row.platform] = ProfileData(
            platform=row.platform,
            window_start=row.window_start,
            window_end=row.window_end,
            target_seconds=float(row.target_seconds),
            holiday_window_start=row.holiday_window_start,
            holiday_window_end=row.holiday_window_end,
            reply_rate_target=row.reply_rate_target,
            warning_low=row.warning_low,
            warning_high=row.warning_high,
            avg_response_target_seconds=row.avg_response_target_seconds,
        )
    return profiles


def profile_sla(profile: ProfileData, day: date) -> Sla:
    start, end = profile.window_start, profile.window_end
    if profile.holiday_window_start and profile.holiday_window_end and is_statutory_holiday(day):
        start, end = profile.holiday_window_start, profile.holiday_window_end
    return Sla(start, end, float(profile.target_seconds))


def sla_function_for_platform(platform: str, profiles: dict[str, ProfileData] | None = None) -> Callable[[date], Sla]:
    """The day → SLA function for a platform without any contract (the `session_metrics` command)."""
    profile = (profiles or load_profiles())[platform]
    return lambda day: profile_sla(profile, day)


def _field(source: Any, *names: str) -> Any:
    for name in names:
        value = source.get(name) if isinstance(source, dict) else getattr(source, name, None)
        if value is not None:
            return value
    return None


def contract_sla(shop, on: date) -> Any:
    """The contract's SLA terms for the shop on a day, or None.

    `clients.merchants.selectors.contract_sla_for_shop(*, shop, on)` returns None or a dict such as
    {"reply_rate": 0.95, "first_response_seconds": 30, "qa_score": 90.0}; also understood: window_start,
    window_end (time), avg_response_target_seconds. Absent fields fall back to the platform profile.
    """
    from clients.sales.selectors import contract_sla_for_shop

    return contract_sla_for_shop(shop=shop, on=on)


class TargetResolver:
    """Memoised targets per (shop, day) for one computation run."""

    def __init__(self, profiles: dict[str, ProfileData] | None = None):
        self.profiles = profiles if profiles is not None else load_profiles()
        self._cache: dict[tuple[int, date], Targets] = {}

    def targets(self, shop, day: date) -> Targets:
        key = (shop.pk, day)
        if key not in self._cache:
            self._cache[key] = self._resolve(shop, day)
        return self._cache[key]

    def sla(self, shop, day: date) -> Sla:
        return self.targets(shop, day).sla

    def _resolve(self, shop, day: date) -> Targets:
        profile = self.profiles[shop.platform]
        sla = profile_sla(profile, day)
        terms = contract_sla(shop, day)
        if terms is None:
            return Targets(
                sla, profile.reply_rate_target, profile.warning_low, profile.warning_high,
                profile.avg_response_target_seconds, "platform",
            )
        start = _field(terms, "window_start") or sla.window_start
        end = _field(terms, "window_end") or sla.window_end
        target = _field(terms, "first_response_seconds", "target_seconds") or sla.target_seconds
        rate = _field(terms, "reply_rate", "reply_rate_target")
        qa = _field(terms, "qa_score")
        avg = _field(terms, "avg_response_target_seconds")
        return Targets(
            Sla(start, end, float(target)),
            float(rate) if rate is not None else profile.reply_rate_target,
            profile.warning_low,
            profile.warning_high,
            float(avg) if avg is not None else profile.avg_response_target_seconds,
            "contract",
            float(qa) if qa is not None else None,
        )
