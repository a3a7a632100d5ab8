"""Paging long lists whose exact size costs more than the page itself.

A search over a year of messages can match hundreds of thousands of sessions; counting them all takes
seconds while the first 50 take milliseconds. `CappedPaginator` counts up to `cap` rows (`LIMIT cap + 1`
inside the count) and says "more than cap" beyond it, as large products do; pages run up to the cap, and a
narrower filter reaches the rest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import QuerySet

COUNT_CAP = 2000


class CappedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, cap: int = COUNT_CAP, **kwargs) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        if isinstance(self.object_list, QuerySet):
            # Count the keys alone: the rows' annotations (per-row counts) would be computed for every row
            # counted, not just the page's;
            # and without the order, which does not change how many rows the cap lets through but would
            # make PostgreSQL sort every matching row before counting the first `cap`.
            return self.object_list.order_by().values("pk")[: self.cap + 1].count()
        return len(self.object_list[: self.cap + 1])

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


@contextmanager
def without_parallel_workers() -> Iterator[None]:
    """PostgreSQL: no parallel workers for the statements inside. A page of a list found by walking an index
    newest first and probing each row (a text search, an agent filter) stops after a few dozen rows, but the
    planner cannot know how soon the page fills and may start workers whose start-up costs more than the
    whole walk (40 ms of a 50 ms search at 1 M messages). Elsewhere nothing changes."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cur:
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield

