"""The answer when the background queue does not take a job: 503 with a clear message, never a 500.

`agency.services.job_start` has already failed the job and removed its upload when `JobQueueError`
reaches here. API paths get `{"detail": …, "job": <id>}`; pages get a short page. Both say when to retry."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from agency.services import JobQueueError

RETRY_AFTER_SECONDS = 30


class QueueUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, JobQueueError):
            return None
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": str(exception), "job": exception.job_id}, status=503)
        else:
            response = render(request, "agency/queue_unavailable.html", {"message": str(exception)}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
