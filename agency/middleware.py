"""The input guard: malformed input is the client's error (400/404), never a server error, on every page and
endpoint, in one place rather than in each view.

- A NUL byte in the path or the query string (PostgreSQL text cannot hold one) is a 400 before any view runs.
- An integer in the path beyond what the database stores (a 64-bit id) names nothing: a 404.
- A `DataError` that escapes a view (the database refused a value the view let through: a NUL byte in a
  form field, a number out of range) is a 400 saying so, not a 500. Nothing was written: the statement failed.
- Under `/api/` every error answer is JSON (`{"detail": …}`, as `agency.api.errors`), including the 404 of a
  URL that matches no route and the 400/404/500 pages Django itself renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
MAX_ID = 2**63 - 1

_STATUS_TEXT = {
    400: gettext_lazy("请求无效。"),
    401: gettext_lazy("需要登录。"),
    403: gettext_lazy("您没有执行该操作的权限。"),
    404: gettext_lazy("未找到。"),
    405: gettext_lazy("不允许使用此方法。"),
    413: gettext_lazy("请求太大。"),
    429: gettext_lazy("请求过多，请稍后再试。"),
    500: gettext_lazy("服务器出错了，我们已记录此问题。"),
    503: gettext_lazy("服务暂时不可用，请稍后再试。"),
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path:
        return True
    query = request.META.get("QUERY_STRING", "")
    return "\x00" in query or b"\x00" in unquote_to_bytes(query.replace("+", " "))


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return _bad_request(request, _("请求的地址或参数中含有空字符（NUL），无法处理。"))
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400 and not _is_json(response):
            return _json_error(request, response)
        return response

    def process_view(self, request: HttpRequest, view: Any, args: tuple, kwargs: dict) -> HttpResponse | None:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not -MAX_ID <= value <= MAX_ID:
                raise Http404
            if isinstance(value, str) and value.isdigit() and len(value) > 18 and int(value) > MAX_ID:
                raise Http404
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError):
            logger.warning("input refused by the database on %s: %s", request.path, exception)
            return _bad_request(request, _("提交的数据无法保存（含有空字符或超出范围的数值），请检查后重试。"))
        return None


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip().endswith(("json", "+json"))


def _json_error(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """The same status as JSON, for an API client (Django's own error pages are HTML)."""
    text = _STATUS_TEXT.get(response.status_code)
    detail = str(text) if text else response.reason_phrase
    answer = JsonResponse({"detail": detail}, status=response.status_code, json_dumps_params={"ensure_ascii": False})
    for header in ("Retry-After", "Allow", "WWW-Authenticate"):
        if header in response:
            answer[header] = response[header]
    return answer
