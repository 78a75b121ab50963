# SPDX-License-Identifier: EUPL-1.2
"""While PostgreSQL restarts: a 503 with Retry-After, never a 500; and back at once after."""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

from .processes import free_port

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a database server that can go away"
    ),
    pytest.mark.django_db(transaction=True),
]

SIGNAL = {"text": "Het loket was dicht terwijl de website zei dat het open was."}


@pytest.fixture
def api(make_user) -> APIClient:
    client = APIClient()
    token = api_token_create(user=make_user(Role.FRONT_OFFICE, username="balie"))
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@contextmanager
def database_away() -> Iterator[None]:
    """The database server cannot be reached: a closed port, as during a restart."""
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port


def _retry_later(response) -> None:
    assert response.status_code == 503
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    assert response.json()["status"] == 503


def test_the_api_answers_503_with_retry_after_while_the_database_is_away(api):
    with database_away():
        _retry_later(api.post("/api/v1/feedback", SIGNAL, format="json"))
        _retry_later(api.get("/api/v1/feedback"))


def test_the_api_answers_again_once_the_database_is_back(api):
    with database_away():
        _retry_later(api.post("/api/v1/feedback", SIGNAL, format="json"))

    assert api.post("/api/v1/feedback", SIGNAL, format="json").status_code == 201


def test_a_page_answers_a_503_page_while_the_database_is_away(analyst):
    client = Client(raise_request_exception=False)  # as a browser sees it
    client.force_login(analyst)
    with database_away():
        response = client.get("/signals/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "text/html" in response["Content-Type"]
    assert b"Something went wrong" not in response.content


def _wsgi_post(application: WSGIHandler, token: str) -> int:
    """A request as granian hands it to Django: through the WSGI handler, whose request
    start closes (or health-checks) the connections of the previous request."""
    environ = (
        RequestFactory().post("/api/v1/feedback", SIGNAL, content_type="application/json").environ
    )
    environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read())
    statuses: list[str] = []

    def start_response(status: str, headers: object, exc_info: object = None) -> Any:
        statuses.append(status)
        return statuses.append

    body = application(environ, start_response)
    b"".join(body)
    body.close()
    return int(statuses[0].split()[0])


def test_a_connection_broken_by_a_restart_is_replaced_before_the_next_request(make_user):
    token = api_token_create(user=make_user(Role.FRONT_OFFICE, username="balie"))
    application = WSGIHandler()
    assert _wsgi_post(application, token) == 201
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    db = connection.settings_dict

    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [backend])

    assert _wsgi_post(application, token) == 201
