# SPDX-License-Identifier: EUPL-1.2
"""The API's JSON parser: a body larger than its view accepts is a 413 naming the limit,
nesting past :data:`MAX_DEPTH` and a NUL character anywhere are a 400, never a 500.

Not a subclass of DRF's ``JSONParser``: for those DRF reads the body through Django's
``request.body``, which refuses anything over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for every view
alike (with a bare HTML 400). This one reads the stream itself, up to the view's
``max_body_bytes`` (that setting where the view sets none), so one endpoint can take more.
"""

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser
from rest_framework.utils.json import strict_constant

MAX_DEPTH = 32
NUL_REASON = "NUL characters (\\u0000) are not allowed."


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int, size: int | None = None) -> None:
        sent = f"{size:,} bytes" if size is not None else "larger than that"
        super().__init__(
            f"The request body may be at most {limit:,} bytes ({limit / 2**20:.1f} MiB) here; "
            f"this one is {sent}."
        )


def body_limit(view: object) -> int:
    """The most bytes a request body to ``view`` may hold."""
    limit: int = getattr(view, "max_body_bytes", None) or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit


def _read(stream: Any, parser_context: Mapping[str, Any]) -> bytes:
    limit = body_limit(parser_context.get("view"))
    request = parser_context.get("request")
    meta = request.META if request is not None else {}
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise RequestTooLarge(limit, declared)
    raw: bytes = stream.read(limit + 1)
    if len(raw) > limit:
        raise RequestTooLarge(limit)
    return raw


def _checked(data: Any, *, refuse_nul: bool) -> None:
    """Depth first, without recursion (the body may be deep): nesting past MAX_DEPTH, and
    unless allowed a NUL in any key or string, named by its path (``items.3.text``)."""
    refused: dict[str, list[exceptions.ErrorDetail]] = {}
    pending: list[tuple[Any, tuple[str, ...]]] = [(data, ())]
    while pending:
        value, path = pending.pop()
        if len(path) > MAX_DEPTH:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, dict):
            for key, item in value.items():
                step = (*path, key.replace("\x00", "\\u0000"))
                if refuse_nul and "\x00" in key:
                    refused[".".join(step)] = [_nul_error()]
                pending.append((item, step))
        elif isinstance(value, list):
            pending += [(item, (*path, str(index))) for index, item in enumerate(value)]
        elif refuse_nul and isinstance(value, str) and "\x00" in value:
            refused[".".join(path) or "body"] = [_nul_error()]
    if refused:
        raise exceptions.ValidationError(refused)


def _nul_error() -> exceptions.ErrorDetail:
    return exceptions.ErrorDetail(NUL_REASON, code="null_characters_not_allowed")


class JSONParser(BaseParser):
    """JSON bodies for every API view (``DEFAULT_PARSER_CLASSES``)."""

    media_type = "application/json"
    refuse_nul = True  # PostgreSQL cannot store NUL in text

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        context = parser_context or {}
        raw = _read(stream, context)
        try:
            text = raw.decode(context.get("encoding") or settings.DEFAULT_CHARSET)
            data = json.loads(text, parse_constant=strict_constant)
        except ValueError as error:  # UnicodeDecodeError and JSONDecodeError among them
            raise exceptions.ParseError(f"JSON parse error - {error}") from error
        except RecursionError as error:
            raise exceptions.ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.") from error
        _checked(data, refuse_nul=self.refuse_nul)
        return data


class NulKeepingJSONParser(JSONParser):
    """For a view that strips NUL characters itself (inbound mail, which a provider would
    retry for days after a 400)."""

    refuse_nul = False
