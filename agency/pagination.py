"""Paging long lists whose exact size costs more than the page itself.

A search over a year of messages can match hundreds of thousands of sessions; counting them all takes
seconds while the first 50 take milliseconds. `CappedPaginator` counts up to `cap` rows (`LIMIT cap + 1`
inside the count) and says "more than cap" beyond it, as large products do; pages run up to the cap, and a
narrower filter reaches the rest.
"""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 2000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        head = self.object_list[: self.cap + 1]
        return head.count() if isinstance(head, QuerySet) else len(head)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @cached_property
    def count_is_capped(self) -> bool:
        return self._counted > self.cap


def requested_page(value: object) -> int:
    """The page number a request asks for (1 when missing or not a positive number)."""
    try:
        return max(1, int(str(value)))
    except (TypeError, ValueError):
        return 1


def search_cap(page: object, per_page: int) -> int:
    """For a search whose matches are costly to count: count only as far as the page after the requested
    one, so that "next" always works and the first page never pays for counting every match."""
    return (requested_page(page) + 1) * per_page
