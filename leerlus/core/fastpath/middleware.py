# SPDX-License-Identifier: EUPL-1.2
"""The browser-only middleware that API calls with a token skip.

A call to ``/api/`` with ``Authorization: Token ...`` is answered by DRF's token
authentication, first in line on every API view (a test checks): it accepts the token or
refuses the call, and never looks at a session. Such a call has no use for the browser's
session, logged-in user, second factor or messages, nor for a Content-Security-Policy built
anew: together 7 % of the CPU of an API create (docs/benchmarks.md, "Intake API"). The
middleware that serve them are therefore subclasses here that pass those calls straight
through, in their places in ``MIDDLEWARE``; every other request, pages and
session-authenticated API calls alike, goes through them as before. Every response keeps its
security headers, the Content-Security-Policy included.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthMiddleware
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponseBase
from django_otp.middleware import OTPMiddleware as DjangoOTPMiddleware
from rest_framework.authentication import TokenAuthentication

_API_PREFIX = "/api/"
_TOKEN_KEYWORD = TokenAuthentication.keyword.lower()


def is_token_api_call(request: HttpRequest) -> bool:
    """A call to the API that authenticates with an API token (the keyword in any case, as
    DRF's ``TokenAuthentication`` reads it)."""
    if not request.path.startswith(_API_PREFIX):
        return False
    credentials = request.META.get("HTTP_AUTHORIZATION", "").split(None, 1)
    return bool(credentials) and credentials[0].lower() == _TOKEN_KEYWORD


class _PassesTokenCalls:
    """Mixed in before a middleware class: API calls with a token skip that middleware."""

    get_response: Callable[[HttpRequest], Any]

    def __call__(self, request: HttpRequest) -> Any:
        if is_token_api_call(request):
            return self.get_response(request)
        return super().__call__(request)  # type: ignore[misc]  # the middleware mixed into


class SessionMiddleware(_PassesTokenCalls, DjangoSessionMiddleware):
    """Django's, but for token calls."""


class AuthenticationMiddleware(_PassesTokenCalls, DjangoAuthMiddleware):
    """Django's, but for token calls: DRF sets their user when it accepts the token."""


class OTPMiddleware(_PassesTokenCalls, DjangoOTPMiddleware):
    """django-otp's, but for token calls: the second factor is one of a browser login."""


class MessageMiddleware(_PassesTokenCalls, DjangoMessageMiddleware):
    """Django's, but for token calls."""


@cache
def _policies_from_settings() -> list[tuple[str, str]]:
    """The headers django-csp gives a response that changes nothing in the policy, to a
    request that used no nonce."""
    headers = [(HEADER, build_policy()), (HEADER_REPORT_ONLY, build_policy(report_only=True))]
    return [(name, policy) for name, policy in headers if policy]


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware. A token call renders no template, so uses no nonce, and no API
    view changes the policy: it gets the header django-csp builds from the settings, built once
    per process instead of per response."""

    def process_request(self, request: HttpRequest) -> None:
        if not is_token_api_call(request):
            super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not is_token_api_call(request):
            return super().process_response(request, response)
        for header, policy in _policies_from_settings():
            response.headers.setdefault(header, policy)
        return response
