# SPDX-License-Identifier: EUPL-1.2
"""OpenAPI post-processing: every operation documents its problem+json error responses.

The usual ones (400, 401, 403, 404, 413 for a body over the limit where there is one, and 503
with Retry-After while the database is away) are added to every operation. A view
that answers with another error documents the status with a description only, e.g.
``responses={201: FeedbackSerializer, 422: OpenApiResponse(description="...")}``; every error
response without content is given the problem+json body here, as the exception handler sends it.
"""

from typing import Any

from django.conf import settings

from .problems import PROBLEM_CONTENT_TYPE, RETRY_AFTER_S

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An error as RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "code": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "description": "Present on 400: each invalid field with the reason.",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "code": {"type": "string"},
                    "reason": {"type": "string"},
                },
                "required": ["name", "code", "reason"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}
_ERRORS = {
    "400": "Invalid input",
    "401": "Not authenticated",
    "403": "Not allowed",
    "404": "Not found",
}
_WRITES = {"post", "put", "patch"}
# Any address: the NUL middleware (leerlus.core.middleware) refuses one before the view.
_NUL_IN_ADDRESS = "Invalid input: a NUL character (%00) in the address"
_TOO_LARGE = (
    f"The request body is larger than the {settings.DATA_UPLOAD_MAX_MEMORY_SIZE:,} bytes "
    f"({settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 2**20:.1f} MiB) this endpoint accepts"
)
_UNAVAILABLE_DESCRIPTION = (
    "The database is not available for a moment (a restart): send the same request again "
    "after Retry-After seconds; with the same Idempotency-Key, a signal that was stored after "
    "all is not stored twice."
)
_RETRY_AFTER = {
    "Retry-After": {
        "description": f"Seconds to wait before a retry ({RETRY_AFTER_S}).",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def add_problem_responses(
    result: dict[str, Any], generator: object, request: object, public: bool
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = _PROBLEM_SCHEMA
    for path, item in result.get("paths", {}).items():
        if path.endswith("/schema"):
            continue
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if str(status)[:1] in "45" and "content" not in response:
                    response["content"] = _problem_content()
            for status, description in _ERRORS.items():
                if status == "400" and method not in _WRITES and not operation.get("parameters"):
                    description = _NUL_IN_ADDRESS
                operation["responses"].setdefault(
                    status,
                    {"description": description, "content": _problem_content()},
                )
            if method in _WRITES:
                operation["responses"].setdefault(
                    "413", {"description": _TOO_LARGE, "content": _problem_content()}
                )
            operation["responses"].setdefault(
                "503",
                {
                    "description": _UNAVAILABLE_DESCRIPTION,
                    "headers": _RETRY_AFTER,
                    "content": _problem_content(),
                },
            )
    return result
