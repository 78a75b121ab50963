# SPDX-License-Identifier: EUPL-1.2
"""Every API response the test suite produces is checked against ``docs/openapi.yaml``.

The committed OpenAPI document is what clients are told; the API builds part of its output by
hand for speed. This module keeps the two from drifting apart: the root ``conftest.py`` wraps
Django's test client (and so DRF's ``APIClient``, which is one), and every response to a path
under ``/api/v1/`` is validated with ``openapi-core`` against the operation that the path and
method match. The test that produced a mismatch fails at the call, with the operation, the
status and the JSON path of each error.

What is checked, per response:

- the path and method are a documented operation (an undocumented one may only answer with a
  404/405 problem, e.g. an unknown path);
- the status code is documented for that operation;
- the content type is one the documented response has (``application/problem+json`` for
  errors), and a body is only sent where the document says there is one;
- the body against the documented schema, undocumented properties included: every object's
  properties must be in the document (``additionalProperties`` false where the document leaves
  it open), so a field added by hand fails until the schema says so.

Streaming responses (CSV exports) and answers to HEAD (as GET) are checked on status and
content type only: reading a stream would consume it, and HEAD has no body. ``/api/v1/schema``
and ``/api/v1/docs`` are not JSON operations, and OPTIONS (DRF's metadata, a CORS preflight) is
no documented operation: those are left out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import OperationNotFound, PathNotFound
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.response.exceptions import InvalidData
from openapi_schema_validator import OAS30ReadValidator
from werkzeug.datastructures import Headers, ImmutableMultiDict

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"
API_PREFIX = "/api/v1/"
NOT_OPERATIONS = ("/api/v1/schema", "/api/v1/docs")
PROBLEM = "application/problem+json"
_HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


class OpenAPIMismatchError(AssertionError):
    """A response that is not what docs/openapi.yaml documents for its operation."""


@dataclass(frozen=True)
class Mismatch:
    """One error: where in the body (a JSON path, or ``-`` for status/content type) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class _Tally:
    validated: int = 0
    by_operation: dict[str, int] = field(default_factory=dict)


_tally = _Tally()


def validated_count() -> int:
    """How many responses this process has validated so far."""
    return _tally.validated


def validated_operations() -> dict[str, int]:
    """Validated responses per operation (``"GET /api/v1/themes"``), this process so far."""
    return dict(_tally.by_operation)


def add_tally(by_operation: Mapping[str, int]) -> None:
    """Adds another process's tally (an xdist worker's) to this one's."""
    for operation, count in by_operation.items():
        _tally.validated += count
        _tally.by_operation[operation] = _tally.by_operation.get(operation, 0) + count


def documented_operations() -> list[str]:
    """``"GET /api/v1/themes"`` for every operation in the document."""
    return [
        f"{method.upper()} {template}"
        for template, item in _document()["paths"].items()
        for method in item
        if method in _HTTP_METHODS
    ]


def summary() -> str:
    """One line for the end of a test run: how many responses were validated, and which
    documented operations no test called."""
    documented = documented_operations()
    unexercised = [op for op in documented if op not in _tally.by_operation]
    line = (
        f"OpenAPI: {_tally.validated} API responses validated against docs/openapi.yaml, "
        f"{len(documented) - len(unexercised)} of {len(documented)} documented operations"
    )
    if unexercised:
        line += f"; not called by these tests: {', '.join(unexercised)}"
    return line


def is_checked(path: str) -> bool:
    """Whether a response to this path is validated: under /api/v1/, not schema or docs."""
    if not path.startswith(API_PREFIX):
        return False
    return not any(path == skip or path.startswith(skip + "/") for skip in NOT_OPERATIONS)


@cache
def _document() -> dict[str, Any]:
    with SCHEMA_FILE.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document


@cache
def openapi() -> OpenAPI:
    """docs/openapi.yaml, loaded and checked once per process.

    Objects that leave ``additionalProperties`` open are read as closed: a property the
    response has and the document does not name is a mismatch. The document itself must pass
    openapi-spec-validator (beside ``make lint``'s ``spectacular --validate``)."""
    config = Config(
        additional_properties_default_policy="forbid",
        extra_media_type_deserializers={PROBLEM: json.loads},
    )
    return OpenAPI.from_dict(_document(), config=config)


@cache
def _templates() -> list[tuple[re.Pattern[str], str]]:
    """The document's paths as patterns, literal ones first (``/feedback/bulk`` wins over
    ``/feedback/{reference}``), as openapi-core matches them."""
    templates = []
    for template in _document()["paths"]:
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^}/]+\\\}", "[^/]+", pattern)
        templates.append((re.compile(f"^{pattern}$"), template))
    templates.sort(key=lambda item: item[1].count("{"))
    return templates


def _template_of(path: str) -> str | None:
    for pattern, template in _templates():
        if pattern.match(path):
            return template
    return None


@dataclass
class _Request:
    """The openapi-core request protocol, as far as response validation reads it."""

    path: str
    method: str
    content_type: str = ""
    body: bytes | None = None
    host_url: str = "http://testserver"
    parameters: RequestParameters = field(
        default_factory=lambda: RequestParameters(
            query=ImmutableMultiDict(), header=Headers(), cookie=ImmutableMultiDict()
        )
    )


@dataclass(frozen=True)
class _Response:
    """The openapi-core response protocol for a (non-streaming) Django response."""

    status_code: int
    content_type: str
    data: bytes | None
    headers: Mapping[str, Any]


def _mimetype(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _operation_label(method: str, path: str) -> str:
    template = _template_of(path)
    if template is None:
        return f"{method.upper()} {path} (no documented path)"
    operation = _document()["paths"][template].get(method.lower())
    if operation is None:
        return f"{method.upper()} {template} (method not documented)"
    return f"{method.upper()} {template} ({operation.get('operationId', '?')})"


def _schema_errors(error: InvalidData) -> Iterator[Mismatch]:
    cause = error.__cause__
    schema_errors = list(getattr(cause, "schema_errors", None) or [])
    if not schema_errors:
        yield Mismatch("$", str(cause or error))
        return
    for schema_error in schema_errors:
        where = getattr(schema_error, "json_path", "$")
        yield Mismatch(where, getattr(schema_error, "message", str(schema_error)))


def _problem_errors(status: int, content_type: str, body: bytes) -> Iterator[Mismatch]:
    """An undocumented path or method may answer 404/405 with a problem, and nothing else."""
    if status not in (404, 405):
        yield Mismatch("-", f"status {status} for an operation the document does not have")
        return
    if _mimetype(content_type) != PROBLEM:
        yield Mismatch("-", f"content type {content_type!r}, documented: {PROBLEM!r}")
        return
    try:
        instance = json.loads(body)
    except ValueError as exc:
        yield Mismatch("$", f"not JSON: {exc}")
        return
    schema = dict(_document()["components"]["schemas"]["Problem"])
    schema.setdefault("additionalProperties", False)
    for schema_error in OAS30ReadValidator(schema).iter_errors(instance):
        yield Mismatch(schema_error.json_path, schema_error.message)


def _operation(method: str, path: str) -> dict[str, Any] | None:
    template = _template_of(path)
    if template is None:
        return None
    operation: dict[str, Any] | None = _document()["paths"][template].get(method)
    return operation


def _documented_response(operation: dict[str, Any], status: int) -> dict[str, Any] | None:
    """The response the operation documents for the status: exact, its range, or default."""
    responses: dict[str, Any] = operation.get("responses", {})
    for key in (str(status), f"{str(status)[0]}XX", "default"):
        if key in responses:
            documented: dict[str, Any] = responses[key]
            return documented
    return None


def _status_and_type_errors(
    method: str, path: str, status: int, content_type: str
) -> list[Mismatch]:
    operation = _operation(method, path)
    if operation is None:
        if status in (404, 405) and _mimetype(content_type) == PROBLEM:
            return []
        return [Mismatch("-", f"status {status} for an operation the document does not have")]
    documented = _documented_response(operation, status)
    if documented is None:
        listed = ", ".join(operation.get("responses", {}))
        return [Mismatch("-", f"status {status} is not documented (documented: {listed})")]
    media_types = [_mimetype(name) for name in documented.get("content", {})]
    if _mimetype(content_type) not in media_types:
        return [Mismatch("-", f"content type {content_type!r}, documented: {media_types}")]
    return []


def mismatches(request: HttpRequest, response: HttpResponseBase) -> list[Mismatch]:
    """Every way the response differs from what the document says for the request's
    operation; empty when it matches."""
    method = (request.method or "GET").lower()
    path = request.path
    status = response.status_code
    content_type = response.get("Content-Type", "") or ""
    if method == "head":  # answered as GET, without the body
        return _status_and_type_errors("get", path, status, content_type)
    if getattr(response, "streaming", False):
        return _status_and_type_errors(method, path, status, content_type)
    body: bytes = getattr(response, "content", b"")
    adapted = _Response(
        status_code=status,
        content_type=content_type,
        data=body or None,
        headers=dict(response.items()),
    )
    found: list[Mismatch] = []
    for error in openapi().iter_response_errors(_Request(path=path, method=method), adapted):
        if isinstance(error, PathNotFound | OperationNotFound):
            return list(_problem_errors(status, content_type, body))
        if isinstance(error, ResponseNotFound):
            return _status_and_type_errors(method, path, status, content_type)
        if isinstance(error, InvalidData):
            found.extend(_schema_errors(error))
        else:
            found.append(Mismatch("-", f"{type(error).__name__}: {error}"))
    operation = _operation(method, path) or {}
    documented = _documented_response(operation, status) or {}
    if not found and body and not documented.get("content"):
        found.append(Mismatch("-", "a body where the document says the response has none"))
    return found


def check(request: HttpRequest, response: HttpResponseBase) -> None:
    """Raises :class:`OpenAPIMismatchError` when the response is not what the document says;
    counts it when it is. Responses to paths outside the API are not looked at."""
    if not is_checked(request.path) or request.method == "OPTIONS":
        return
    found = mismatches(request, response)
    method = (request.method or "GET").upper()
    if found:
        label = _operation_label(method, request.path)
        lines = "\n".join(f"  {mismatch}" for mismatch in found)
        raise OpenAPIMismatchError(
            f"{method} {request.get_full_path()} answered {response.status_code} "
            f"({response.get('Content-Type', 'no content type')}), which does not match "
            f"docs/openapi.yaml for {label}:\n{lines}\n"
            "Fix the serializer or its schema annotation and run `make openapi`."
        )
    _tally.validated += 1
    key = f"{method} {_template_of(request.path) or request.path}"
    _tally.by_operation[key] = _tally.by_operation.get(key, 0) + 1


def checking(
    send: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Wraps ``django.test.Client.request``: every response it returns is checked."""

    def request(self: Any, **environ: Any) -> HttpResponseBase:
        response = send(self, **environ)
        wsgi_request = getattr(response, "wsgi_request", None)
        if isinstance(wsgi_request, HttpRequest):
            check(wsgi_request, response)
        return response

    request.__wrapped__ = send  # type: ignore[attr-defined]
    return request
