"""The go-live checklist's items. `clients` owns the checklist; apps above it (staffing) contribute the
items only they can judge (agents certified, roster published) by registering a check here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReadinessItem:
    key: str
    label: Any  # lazy translation
    ok: bool | None  # None: the part of the product that decides this is not installed yet (pending)
    detail: str = ""  # what exactly is missing, in words a manager can act on


_checks: dict[str, tuple[int, Callable[[Any], ReadinessItem]]] = {}


def register_readiness_check(key: str, check: Callable[[Any], ReadinessItem], *, order: int = 100) -> None:
    """`check(engagement) -> ReadinessItem`."""
    _checks[key] = (order, check)


def registered_checks() -> list[tuple[str, Callable[[Any], ReadinessItem]]]:
    return [(key, check) for key, (_, check) in sorted(_checks.items(), key=lambda kv: (kv[1][0], kv[0]))]
