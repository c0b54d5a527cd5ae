"""The one error mapper: every exception becomes RFC 9457 problem details."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from aidledger.contract.common import FieldErrorOut, Problem
from aidledger.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    RuleViolation,
    TooManyAttempts,
    Unauthenticated,
    Unavailable,
)

PROBLEM_MEDIA_TYPE = "application/problem+json"
_logger = logging.getLogger("aidledger.api")

_STATUS_OF: tuple[tuple[type[DomainError], int, str], ...] = (
    (InvalidInput, 400, "invalid-input"),
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not-found"),
    (Conflict, 409, "conflict"),
    (RuleViolation, 422, "rule-violation"),
    (TooManyAttempts, 429, "too-many-requests"),
    (Unavailable, 503, "unavailable"),
)
_HTTP_SLUGS = {400: "invalid-input", 401: "unauthenticated", 403: "forbidden",
               404: "not-found", 405: "method-not-allowed", 413: "too-large",
               415: "unsupported-media-type", 429: "too-many-requests"}
# Litestar gives where a body value was wrong as the key "data.lines[1].debit" (the
# request body is "data"); msgspec names a missing or unexpected field in the message.
_NAMED_FIELD = re.compile(r"(?:missing required|unknown) field `([^`]+)`")
# A missing query parameter or header comes as a sentence, without `extra`.
_MISSING_PARAMETER = re.compile(r"Missing required \w+ parameter '([^']+)'")


def problem(status: int, slug: str, title: str, detail: str,
            errors: list[dict[str, str]] | None = None, *,
            headers: dict[str, str] | None = None,
            extra: dict[str, object] | None = None) -> Response[Any]:
    body: dict[str, Any] = {
        "type": f"urn:aidledger:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": errors or [],
        **(extra or {}),
    }
    sent = dict(headers or {})
    if status == 401:
        sent["WWW-Authenticate"] = "Bearer"
    return Response(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=sent)


def _validation_errors(error: ValidationException) -> list[dict[str, str]]:
    found = []
    for item in error.extra if isinstance(error.extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid value"))
        key = str(item.get("key") or "")
        location = "" if key == "data" else key.removeprefix("data.")
        named = _NAMED_FIELD.search(message)
        if named:
            field = f"{location}.{named.group(1)}" if location else named.group(1)
        else:
            field = location or "body"
        found.append({"field": field, "message": message})
    missing = _MISSING_PARAMETER.search(str(error.detail))
    if not found and missing:
        found.append({"field": missing.group(1), "message": "required"})
    return found


def _status_and_slug(error: DomainError) -> tuple[int, str]:
    return next(((status, slug) for error_class, status, slug in _STATUS_OF
                 if isinstance(error, error_class)), (400, "invalid-input"))


def status_of(error: DomainError) -> int:
    """The HTTP status a refusal is answered with (pages use it too)."""
    return _status_and_slug(error)[0]


def problem_of(error: DomainError) -> Problem:
    """A refusal as the problem document it is answered with (a batch item's result)."""
    status, slug = _status_and_slug(error)
    return Problem(type=f"urn:aidledger:problem:{slug}", title=error.title, status=status,
                   detail=error.detail,
                   errors=[FieldErrorOut(item.field, item.message) for item in error.errors])


def handle_exception(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, DomainError):
        status, slug = _status_and_slug(error)
        return problem(status, slug, error.title, error.detail,
                       [{"field": item.field, "message": item.message}
                        for item in error.errors], extra=error.extra)
    if isinstance(error, ValidationException):
        errors = _validation_errors(error)
        detail = "; ".join(f"{item['field']}: {item['message']}" for item in errors)
        return problem(400, "invalid-input", "Invalid input", detail or str(error.detail), errors)
    if isinstance(error, HTTPException) and error.status_code < 500:
        # A 405 keeps the Allow header Litestar worked out.
        return problem(error.status_code, _HTTP_SLUGS.get(error.status_code, "http-error"),
                       "Request refused", str(error.detail), headers=error.headers)
    _logger.exception("unexpected error on %s %s", request.method, request.url.path)
    return problem(500, "internal-error", "Internal error",
                   "The service failed to handle this request; nothing was written.")
