"""JSON errors for the API: every error body has `detail` (a sentence a person can read) and, for
validation errors, `errors` keyed by field so a client knows where the problem is."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(errors: Any, path: str = "") -> tuple[str, str]:
    """The first (field path, message) in a nested DRF error structure."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            sub = key if not path else f"{path}.{key}"
            if key == "non_field_errors":
                sub = path
            return _first_message(value, sub)
    if isinstance(errors, list) and errors:
        if all(isinstance(e, (str, exceptions.ErrorDetail)) for e in errors):
            return path, str(errors[0])
        for index, value in enumerate(errors):
            if value:
                return _first_message(value, f"{path}[{index}]")
    return path, str(errors)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_message(exc.detail)
        detail = f"{field}: {message}" if field else message
        response.data = {"detail": detail, "errors": exc.detail}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response


class Conflict(exceptions.APIException):
    """The object's state refuses the write (already decided, not solved yet …); nothing was written."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "conflict"
    default_code = "conflict"


def service_refusal(
    exc: DjangoValidationError, *, field: str | None = None, conflict: bool = False
) -> exceptions.APIException:
    """A service's Django `ValidationError` as the API's answer: messages that name their fields stay by
    field (400); others go under `field` (400), or, with `conflict`, are a 409 (the object's state refused)."""
    if hasattr(exc, "error_dict"):
        return exceptions.ValidationError({key: [str(m) for m in value] for key, value in exc.message_dict.items()})
    if conflict:
        return Conflict("；".join(str(m) for m in exc.messages))
    return exceptions.ValidationError({field or "non_field_errors": [str(m) for m in exc.messages]})
