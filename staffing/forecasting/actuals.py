"""Where the real consultation volume of a past day comes from, for forecast accuracy.

The real volume is the chat sessions that arrived, and sessions belong to compliance, which staffing may not
import. Compliance registers a function here when Django starts (`ComplianceConfig.ready`), as quality fills
the statement figures for clients.

A source is called with shop ids and an inclusive range of local days and returns, per (shop id, day) that
has any session, 48 half-hour counts (00:00 … 23:30, Asia/Shanghai). A shop and day absent from the answer
has no sessions stored: it is not scored (its sessions may simply not be imported yet), which is different
from a half hour with no buyer in a day that has sessions (a real zero).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

ActualVolumes = Callable[[list[int], date, date], dict[tuple[int, date], list[int]]]

_sources: list[ActualVolumes] = []


def register_actual_volumes(source: ActualVolumes) -> None:
    if source not in _sources:
        _sources.append(source)


def actual_volumes(*, shop_ids: list[int], first: date, last: date) -> dict[tuple[int, date], list[int]]:
    """Half-hour arrivals per (shop id, day) from every registered source (summed); empty without a source."""
    result: dict[tuple[int, date], list[int]] = {}
    for source in _sources:
        for key, counts in source(shop_ids, first, last).items():
            if key in result:
                result[key] = [a + b for a, b in zip(result[key], counts, strict=True)]
            else:
                result[key] = list(counts)
    return result
