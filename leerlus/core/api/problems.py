# SPDX-License-Identifier: EUPL-1.2
"""Errors as ``application/problem+json`` (RFC 9457), as the NL GOV API Design Rules ask."""

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from .parsers import RequestTooLarge

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

# The database cannot answer now: unreachable or restarting (a refused or lost connection),
# or a lock wait, deadlock or statement that timed out. Each passes; a retry is the answer,
# so the client gets a 503 with Retry-After, not a 500. (IntegrityError and DataError are
# the request's own fault and stay what their handlers make of them.)
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_S = 5
UNAVAILABLE_DETAIL = "The database is not available for a moment (a restart?): retry shortly."

_TITLES = {
    400: "Invalid input",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Unprocessable input",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


def _invalid_params(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    """Flattens DRF's nested error detail into ``[{"name", "code", "reason"}]``."""
    params: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "nonFieldErrors" if key == "non_field_errors" else str(key)
            params += _invalid_params(value, f"{prefix}.{name}" if prefix else name)
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail | str) for item in detail):
            for item in detail:
                params.append(
                    {
                        "name": prefix or "nonFieldErrors",
                        "code": getattr(item, "code", "invalid"),
                        "reason": str(item),
                    }
                )
        else:
            for index, item in enumerate(detail):
                params += _invalid_params(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        params.append(
            {
                "name": prefix or "nonFieldErrors",
                "code": getattr(detail, "code", "invalid"),
                "reason": str(detail),
            }
        )
    return params


def problem(status_code: int, detail: str, *, instance: str = "", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://httpstatuses.io/{status_code}",
        "title": _TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return _database_unavailable(exc, context)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # a form or multipart body, read by Django
        exc = RequestTooLarge(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    elif isinstance(exc, SuspiciousOperation):  # too many form fields or files
        exc = exceptions.ParseError(str(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    instance = _instance(context)
    if isinstance(exc, exceptions.ValidationError):
        response.status_code = status.HTTP_400_BAD_REQUEST
        params = _invalid_params(exc.detail)
        reasons = "; ".join(f"{p['name']}: {p['reason']}" for p in params[:5])
        body = problem(400, reasons, instance=instance, invalidParams=params)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = problem(response.status_code, str(detail), instance=instance)
        code = getattr(detail, "code", None)
        if code:
            body["code"] = code
    response.data = body
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _instance(context: dict[str, Any]) -> str:
    request = context.get("request")
    return request.get_full_path() if request is not None else ""


def _database_unavailable(exc: Exception, context: dict[str, Any]) -> Response:
    logger.warning("database unavailable: %s", exc)
    set_rollback()
    response = Response(
        problem(503, UNAVAILABLE_DETAIL, instance=_instance(context)),
        status=503,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_response(request: HttpRequest, status_code: int, detail: str) -> JsonResponse:
    """For errors raised outside DRF under /api/ (unknown paths, server errors)."""
    return JsonResponse(
        problem(status_code, detail, instance=request.get_full_path()),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )
