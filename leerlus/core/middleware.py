# SPDX-License-Identifier: EUPL-1.2
"""Security headers every response carries, pages and API alike, and the refusal of NUL bytes
in addresses and forms."""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template import loader

from .api.problems import PROBLEM_CONTENT_TYPE, problem

_API_PREFIX = "/api/"


class SecurityHeadersMiddleware:
    """Headers Django does not set itself, and the API's version and CORS allow-list."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if request.path.startswith(_API_PREFIX):
            response.headers["API-Version"] = settings.LEERLUS_API_VERSION
            origin = request.META.get("HTTP_ORIGIN")
            if origin and origin in settings.LEERLUS_CORS_ALLOWED_ORIGINS:
                response.headers["Access-Control-Allow-Origin"] = origin
                response.headers["Access-Control-Allow-Headers"] = (
                    "Authorization, Content-Type, Idempotency-Key"
                )
                response.headers["Access-Control-Expose-Headers"] = "API-Version"
                response.headers["Vary"] = "Origin"
        return response


class NulBytesMiddleware:
    """A NUL byte in the path, the query string or a url-encoded form is a 400 before any view
    sees it: PostgreSQL can neither store nor compare text holding one (psycopg refuses the
    query: a 500 where a filter or a look-up passed it on), and no address or form of Leerlus
    has a use for it. The API answers a problem naming each parameter, pages a plain page.

    Multipart bodies (uploaded files) are left to their views, and so is the body of a view
    whose class sets ``strips_nul_characters`` (inbound mail: a provider retries a refusal for
    days, so it strips them). JSON bodies are checked by the API's parser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        names = []
        if "\x00" in request.path:
            names.append("path")
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            names += _names_holding_nul(query)
        if names:
            return _refusal(request, names)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *args: object
    ) -> HttpResponse | None:
        if request.method != "POST" or request.content_type != _FORM:
            return None
        if getattr(getattr(view_func, "cls", view_func), "strips_nul_characters", False):
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return None
        # Only a body Django would read into memory anyway; a larger one it refuses itself.
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None
        body = request.body.decode("latin-1")
        if "%00" in body or "\x00" in body:
            return _refusal(request, _names_holding_nul(body))
        return None


_FORM = "application/x-www-form-urlencoded"


def _names_holding_nul(encoded: str) -> list[str]:
    """The parameters of a query string or url-encoded form whose name or value holds a NUL."""
    pairs = parse_qsl(encoded, keep_blank_values=True, encoding="latin-1")
    names = [name.replace("\x00", "\\u0000") for name, value in pairs if "\x00" in name + value]
    return list(dict.fromkeys(names)) or ["query"]


def _refusal(request: HttpRequest, names: list[str]) -> HttpResponse:
    if request.path.startswith(_API_PREFIX):
        reason = "NUL characters (\\u0000, %00) are not allowed."
        return JsonResponse(
            problem(
                400,
                "; ".join(f"{name}: {reason}" for name in names),
                instance=request.path.replace("\x00", "%00"),
                invalidParams=[
                    {"name": name, "code": "null_characters_not_allowed", "reason": reason}
                    for name in names
                ],
            ),
            status=400,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    # Before the language and the session are known: the page is plain and in both languages.
    return HttpResponseBadRequest(loader.get_template("400.html").render())
