# SPDX-License-Identifier: EUPL-1.2
import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authentication import TokenAuthentication
from rest_framework.test import APIClient
from rest_framework.views import APIView

from leerlus.core.fastpath.middleware import is_token_api_call
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


@pytest.mark.parametrize(
    ("path", "authorization", "expected"),
    [
        ("/api/v1/feedback", "Token abc", True),
        ("/api/v1/feedback", "token abc", True),
        ("/api/v1/feedback", "Bearer abc", False),
        ("/api/v1/feedback", "Basic YTpi", False),
        ("/api/v1/feedback", "", False),
        ("/signals/", "Token abc", False),
    ],
)
def test_token_api_calls_are_recognised_as_drf_reads_them(path, authorization, expected):
    request = RequestFactory().get(path, HTTP_AUTHORIZATION=authorization)

    assert is_token_api_call(request) is expected


def _api_views() -> list[type[APIView]]:
    views: list[type[APIView]] = []

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif hasattr(pattern.callback, "cls"):
                views.append(pattern.callback.cls)

    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    walk([api])
    return views


def test_every_api_view_tries_the_token_first():
    """What lets token calls skip the browser middleware: DRF's token authentication accepts
    or refuses them before any other authentication could look at a session (the schema
    authenticates no one)."""
    views = _api_views()

    assert len(views) > 10
    for view in views:
        first = view.authentication_classes[:1]
        assert all(issubclass(c, TokenAuthentication) for c in first), view


def test_a_token_call_skips_the_browser_middleware_and_keeps_every_header(client, analyst):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=analyst)}")

    by_token = api.get("/api/v1/me")
    page = client.get("/")

    assert by_token.status_code == 200
    assert by_token.json()["username"] == analyst.username
    request = by_token.wsgi_request
    assert not hasattr(request, "session")
    assert not hasattr(request, "_messages")
    assert "Cookie" not in by_token.get("Vary", "")
    assert not by_token.cookies
    for header in SECURITY_HEADERS:
        assert by_token[header] == page[header], header
    assert by_token["API-Version"] == "1.0.0"


def test_a_refused_token_still_gets_every_header(client):
    refused = client.get("/api/v1/me", HTTP_AUTHORIZATION="Token not-a-real-token")
    page = client.get("/")

    assert refused.status_code == 401
    for header in SECURITY_HEADERS:
        assert refused[header] == page[header], header


def test_the_api_docs_page_renders_for_a_token_call_too(analyst):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=analyst)}")

    response = api.get("/api/v1/docs")

    assert response.status_code == 200
    assert "/api/v1/feedback" in response.content.decode()


def test_a_logged_in_browser_still_calls_the_api_with_its_session(client_for, analyst):
    response = client_for(analyst).get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["username"] == analyst.username
    assert hasattr(response.wsgi_request, "session")
