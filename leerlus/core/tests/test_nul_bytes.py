# SPDX-License-Identifier: EUPL-1.2
"""A NUL byte in an address, a query or a form is a 400 before any view sees it (PostgreSQL
cannot compare text holding one: a 500 before), a problem naming the parameter in the API and
a plain page elsewhere. JSON bodies: a 400 naming the field; inbound mail strips them."""

import pytest
from rest_framework.test import APIClient

from leerlus.feedback.models import Feedback
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

PAGES = [
    "/signals/LL-%00",
    "/signals/?q=%00",
    "/signals/?receivedFrom=2026-01-01&channel=ph%00one",
    "/signals/export?q=%00",
    "/organisation/people?q=%00",
    "/organisation/audit-log?actor=%00",
    "/organisation/audit-log?action=%00",
    "/patterns/themes/?q=%00",
    "/patterns/alerts/?status=%00",
    "/patterns/events/?q=%00",
    "/signals/imports/?status=%00",
]
API = [
    ("/api/v1/feedback?q=%00", "q"),
    ("/api/v1/feedback?channel=phone&service=a%00b", "service"),
    ("/api/v1/audit-entries?actor=%00", "actor"),
    ("/api/v1/themes?q=%00", "q"),
    ("/api/v1/me?x=%00", "x"),
]


@pytest.fixture
def boss(make_user):
    return make_user(
        Role.ADMINISTRATOR, Role.ANALYST, Role.FRONT_OFFICE, username="baas", is_staff=True
    )


@pytest.fixture
def api(boss) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=boss)}")
    return client


@pytest.mark.parametrize("url", PAGES)
def test_a_nul_byte_in_a_page_address_is_a_plain_400_page(client_for, boss, url):
    response = client_for(boss).get(url)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Ongeldig verzoek" in response.content.decode()


@pytest.mark.parametrize(("url", "name"), API)
def test_a_nul_byte_in_an_api_query_is_a_400_problem_naming_the_parameter(api, url, name):
    response = api.get(url)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [p["name"] for p in response.json()["invalidParams"]] == [name]


def test_a_nul_byte_in_an_api_path_is_a_400_problem(api):
    response = api.get("/api/v1/feedback/LL-%00")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["name"] == "path"


def test_a_nul_byte_in_a_form_is_a_400_and_stores_nothing(client_for, boss):
    response = client_for(boss).post(
        "/signals/quick",
        "text=Lantaarnpaal+kapot&channel=pho%00ne",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"text": "Lantaarnpaal\u0000 kapot"}, "text"),
        ({"text": "Lantaarnpaal kapot", "\u0000": 1}, "\\u0000"),
        ({"text": "Lantaarnpaal kapot", "contact": {"name": "Jan\u0000"}}, "contact.name"),
    ],
)
def test_a_nul_character_in_a_json_body_is_a_400_naming_the_field(api, body, name):
    response = api.post("/api/v1/feedback", body, format="json")
    bulk = api.post("/api/v1/feedback/bulk", {"items": [{"text": "goed"}, body]}, format="json")

    assert response.status_code == bulk.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == [name]
    assert [p["name"] for p in bulk.json()["invalidParams"]] == [f"items.1.{name}"]
    assert Feedback.objects.count() == 0


def test_json_nested_100000_deep_is_a_400_problem(api):
    deep = "[" * 100_000 + "]" * 100_000

    for url in ("/api/v1/feedback", "/api/v1/feedback/bulk", "/api/v1/inbound-email"):
        response = api.post(url, deep, content_type="application/json")

        assert response.status_code == 400, url
        assert response["Content-Type"] == "application/problem+json"
        assert "nested deeper than" in response.json()["detail"]


def test_ordinary_nesting_still_passes(api):
    response = api.post(
        "/api/v1/feedback", {"text": "Bel mij", "contact": {"name": "Jan"}}, format="json"
    )

    assert response.status_code == 201


def test_a_nul_character_in_an_idempotency_key_is_a_400_naming_the_header(api):
    """HTTP servers refuse most such headers before Django; the test client does not."""
    response = api.post(
        "/api/v1/feedback", {"text": "hallo"}, format="json", HTTP_IDEMPOTENCY_KEY="k\x00"
    )

    assert response.status_code == 400
    assert [p["name"] for p in response.json()["invalidParams"]] == ["Idempotency-Key"]
    assert Feedback.objects.count() == 0
