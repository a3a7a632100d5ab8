"""The request type of our pages, for the type checker: HttpRequest as our middleware and login leave it.

Annotate a `@login_required` view's request with `AuthenticatedHttpRequest`: `user` is then our `User`
(never anonymous) and `htmx` is django-htmx's `HtmxDetails` (its middleware sets it on every request).
An API view behind `IsAuthenticated` takes an `AuthenticatedRequest` the same way.
Only annotations: nothing here changes a request at run time.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails
from rest_framework.request import Request

from agency.models import User


class HtmxHttpRequest(HttpRequest):
    """Any request (logged in or not) that went through django-htmx's middleware."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """A request that passed `login_required`."""

    user: User


class AuthenticatedRequest(Request):
    """A DRF request that passed `IsAuthenticated`."""

    user: User
