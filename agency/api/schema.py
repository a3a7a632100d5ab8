"""The OpenAPI schema tells every answer the API really gives (drf-spectacular post-processing).

- Every operation documents its error answers: 400 (bad input: `detail`, and `errors` by field), 401 (no or
  bad credentials), 403 (the role may not), 404 (nothing visible there, or a page number past the end), and a
  write 409 (the object's state refuses it); token login also 429 with `Retry-After`. Where a view already
  documents its own 400 body (a session import's row errors), that body or the general error shape.
- Every operation also documents 414: the HTTP server in front of Django (gunicorn, or a proxy) refuses a
  request line over its limit (4 KB by default) with its own HTML page, before the API sees the request.
- `format: time` in JSON Schema means RFC 3339 `full-time` (with an offset); our times of day are local
  `HH:MM[:SS]`, so they are documented by a pattern instead.
"""

from __future__ import annotations

from typing import Any

ERROR = "#/components/schemas/Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` is a sentence a person can read; validation errors add `errors` by field.",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"description": "Per field, the list of messages (nested for nested fields)."},
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "Bad input: `detail` names the first problem, `errors` every field.",
    "401": "Not signed in (send `Authorization: Token …`).",
    "403": "Signed in, but the role may not do this.",
    "404": "Not found, not visible to the caller, or a page past the end of a list.",
}
# Writes may also meet the state of the object: a quote revised by someone else, a contract already signed.
WRITE_ERRORS = {"409": "Refused by the object's state (`detail` says why); nothing was written."}
URI_TOO_LONG = {
    "description": "Request line too long: the HTTP server refuses it (its own HTML page) before the API sees it.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}
TIME_OF_DAY = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"


def _error_response(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ERROR}}}}


def _with_error_shape(response: dict) -> None:
    for media in response.get("content", {}).values():
        schema = media.get("schema")
        if schema and schema.get("$ref") != ERROR and "anyOf" not in schema:
            media["schema"] = {"anyOf": [schema, {"$ref": ERROR}]}


def _times_as_patterns(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("format") == "time" and node.get("type") == "string":
            del node["format"]
            node["pattern"] = TIME_OF_DAY
        for value in node.values():
            _times_as_patterns(value)
    elif isinstance(node, list):
        for value in node:
            _times_as_patterns(value)


def document_errors(result: dict, generator: Any, request: Any, public: bool) -> dict:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            errors = ERRORS if method == "get" else {**ERRORS, **WRITE_ERRORS}
            for code, description in errors.items():
                if code in responses:
                    _with_error_shape(responses[code])
                else:
                    responses[code] = _error_response(description)
            responses.setdefault("414", URI_TOO_LONG)
            if path == "/api/auth/token/":
                locked = _error_response("Too many failed logins: locked until `Retry-After` seconds have passed.")
                locked["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}
                responses["429"] = locked
    _times_as_patterns(result)
    return result
