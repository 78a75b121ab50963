# SPDX-License-Identifier: EUPL-1.2
"""The OpenAPI document states the limits the server enforces, and the server refuses what the
document refuses: a 400 problem naming the parameter, never a silently ignored value or a 500."""

from functools import cache
from typing import Any

import pytest
import yaml

from leerlus.organisations.roles import Role
from leerlus.patterns.tests.api_calls import problem
from tests.openapi_check import SCHEMA_FILE

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/alerts",
    "/api/v1/audit-entries",
    "/api/v1/departments",
    "/api/v1/events",
    "/api/v1/feedback",
    "/api/v1/services",
    "/api/v1/themes",
]


@cache
def _document() -> dict[str, Any]:
    with SCHEMA_FILE.open(encoding="utf-8") as handle:
        document: dict[str, Any] = yaml.safe_load(handle)
    return document


def parameter(path: str, name: str, method: str = "get") -> dict[str, Any]:
    """The schema of a documented parameter of an operation."""
    operation = _document()["paths"][path][method]
    (found,) = [p for p in operation.get("parameters", []) if p["name"] == name]
    schema: dict[str, Any] = found["schema"]
    return schema


def component(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = _document()["components"]["schemas"][name]
    return schema


def invalid_names(response) -> list[str]:
    return [p["name"] for p in problem(response, 400)["invalidParams"]]


@pytest.fixture
def caller(api_for, make_user):
    """Someone who may read every list: the audit log too."""
    return api_for(make_user(Role.ANALYST, Role.CIO))


@pytest.mark.parametrize("path", LISTS)
def test_every_list_states_its_page_bounds(path):
    assert parameter(path, "page") == {"type": "integer", "minimum": 1}
    assert parameter(path, "pageSize") == {"type": "integer", "minimum": 1, "maximum": 1000}


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("pageSize=null", "pageSize"),
        ("pageSize=abc", "pageSize"),
        ("pageSize=0", "pageSize"),
        ("pageSize=-5", "pageSize"),
        ("pageSize=1001", "pageSize"),
        ("pageSize=2.5", "pageSize"),
        ("pageSize=", "pageSize"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("page=last", "page"),
    ],
)
def test_a_page_or_page_size_out_of_bounds_is_a_400_naming_it(caller, path, query, name):
    """These were ignored (a default page) or a 404 "Invalid page"."""
    assert invalid_names(caller.get(f"{path}?{query}")) == [name]


def test_a_page_within_bounds_is_still_served_and_one_past_the_end_a_404(caller):
    assert caller.get("/api/v1/departments?page=1&pageSize=1000").status_code == 200
    problem(caller.get("/api/v1/departments?page=2"), 404)


EMPTY = {"type": "string", "maxLength": 0}
PERIOD = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 366}, EMPTY]}
DATE = {"oneOf": [{"type": "string", "format": "date"}, EMPTY]}


@pytest.mark.parametrize(
    ("path", "name", "schema"),
    [
        ("/api/v1/themes", "period", PERIOD),
        ("/api/v1/themes/{id}", "period", PERIOD),
        ("/api/v1/themes", "until", DATE),
        ("/api/v1/themes/{id}", "until", DATE),
        ("/api/v1/themes", "q", {"type": "string", "maxLength": 200}),
        ("/api/v1/themes", "hidden", {"oneOf": [{"type": "boolean"}, EMPTY]}),
        ("/api/v1/feedback", "receivedFrom", DATE),
        ("/api/v1/feedback", "receivedUntil", DATE),
        ("/api/v1/events", "dateFrom", DATE),
        ("/api/v1/events", "dateUntil", DATE),
        (
            "/api/v1/alerts",
            "theme",
            {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, EMPTY]},
        ),
        (
            "/api/v1/alerts",
            "status",
            {"type": "string", "enum": ["", "acknowledged", "all", "dismissed", "open"]},
        ),
        (
            "/api/v1/audit-entries",
            "result",
            {"type": "string", "enum": ["", "denied", "failure", "success"]},
        ),
    ],
)
def test_the_document_states_each_filters_bounds(path, name, schema):
    """An empty value is no filter (pages send their empty fields), and the document says so."""
    assert parameter(path, name) == schema


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/themes?period=&until=&channel=&hidden=",
        "/api/v1/feedback?receivedFrom=&receivedUntil=&channel=",
        "/api/v1/events?dateFrom=&dateUntil=&kind=",
        "/api/v1/alerts?theme=&status=&kind=",
        "/api/v1/audit-entries?result=&action=",
    ],
)
def test_an_empty_filter_is_no_filter(caller, query):
    assert caller.get(query).status_code == 200


@pytest.mark.parametrize(
    ("path", "query", "name"),
    [
        ("/api/v1/themes", "hidden=abc", "hidden"),
        ("/api/v1/audit-entries", "result=AAA", "result"),
        ("/api/v1/themes", "period=367", "period"),
        ("/api/v1/themes", "q=" + "x" * 201, "q"),
        ("/api/v1/feedback", "receivedFrom=1-2-3", "receivedFrom"),
        ("/api/v1/events", "dateUntil=tomorrow", "dateUntil"),
        ("/api/v1/alerts", f"theme={2**63}", "theme"),  # a 500 on SQLite
        ("/api/v1/alerts", "theme=-" + "9" * 25, "theme"),
        ("/api/v1/alerts", "theme=0", "theme"),
    ],
)
def test_a_filter_value_the_document_refuses_is_a_400_naming_it(caller, path, query, name):
    """``hidden=abc`` counted as ticked and ``result=AAA`` listed nothing, both with a 200."""
    assert invalid_names(caller.get(f"{path}?{query}")) == [name]


@pytest.mark.parametrize("ticked", ["true", "on", "TRUE"])
def test_hidden_themes_are_asked_for_with_true_or_on(caller, ticked):
    assert caller.get(f"/api/v1/themes?hidden={ticked}").status_code == 200
    assert caller.get("/api/v1/themes?hidden=false").status_code == 200
    assert caller.get("/api/v1/themes?hidden=").status_code == 200


def test_the_bulk_input_states_how_many_items_it_takes():
    items = component("BulkInputRequest")["properties"]["items"]

    assert (items["minItems"], items["maxItems"]) == (1, 1000)


def test_the_signal_input_states_the_stored_lengths():
    signal = component("FeedbackInputRequest")["properties"]
    contact = component("ContactRequest")["properties"]

    assert signal["caseUrl"]["maxLength"] == 200
    assert contact["email"]["maxLength"] == 254
    for path in ("/api/v1/feedback", "/api/v1/feedback/bulk"):
        assert parameter(path, "Idempotency-Key", "post")["maxLength"] == 200


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"text": "Mijn paspoort", "caseUrl": "https://zaken.example/" + "a" * 200}, "caseUrl"),
        (
            {"text": "Mijn paspoort", "contact": {"email": f"{'a' * 64}@{'b.' * 95}nl"}},
            "contact.email",
        ),
    ],
)
def test_a_value_longer_than_the_database_column_is_a_400(api_for, analyst, body, name):
    """These were stored on SQLite and a 500 on PostgreSQL (varchar(200), varchar(254))."""
    response = api_for(analyst).post("/api/v1/feedback", body, format="json")

    assert invalid_names(response) == [name]


@pytest.mark.parametrize("body", [[None, None], ["Subject"], "tekst", 5])
def test_an_inbound_mail_that_is_no_object_is_a_400(api_for, make_user, body):
    """A JSON array was a 500: the document says the body is an object."""
    client = api_for(make_user(Role.FRONT_OFFICE))

    response = client.post("/api/v1/inbound-email", body, format="json")

    assert invalid_names(response) == ["nonFieldErrors"]
