# SPDX-License-Identifier: EUPL-1.2
"""Security headers every response carries, pages and API alike."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

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
