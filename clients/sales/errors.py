"""Refusals of the commercial lifecycle: each carries a sentence that says why, for pages and the API."""

from __future__ import annotations


class BusinessRuleError(Exception):
    """A request the business rules refuse; nothing was changed."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleRevision(BusinessRuleError):
    """Someone else changed the quote since the caller loaded it (optimistic concurrency)."""

    status_code = 409
