# SPDX-License-Identifier: EUPL-1.2
"""The check that every API response matches docs/openapi.yaml: it runs, and it can fail."""

from typing import Any

import pytest
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from rest_framework.response import Response
from rest_framework.test import APIClient

from leerlus.organisations import api as organisations_api
from leerlus.organisations.models import User
from leerlus.organisations.services import api_token_create
from tests import openapi_check

ME = "/api/v1/me"
PROBLEM = "application/problem+json"


def _me_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "analist",
        "name": "Ana List",
        "organisation": {
            "name": "Gemeente Eendorp",
            "slug": "eendorp",
            "feedbackRetentionDays": 365,
            "contactRetentionDays": 90,
        },
        "roles": ["analyst"],
        "capabilities": ["view_patterns"],
    }
    body.update(changes)
    return body


def _problem(status: int, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://httpstatuses.io/{status}",
        "title": "Error",
        "status": status,
        "detail": "Something.",
    }
    body.update(changes)
    return body


def _wheres(path: str, response: HttpResponse | StreamingHttpResponse) -> list[str]:
    request = RequestFactory().get(path)
    return [mismatch.where for mismatch in openapi_check.mismatches(request, response)]


def _api_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


def test_a_body_as_documented_passes() -> None:
    assert _wheres(ME, JsonResponse(_me_body())) == []


def test_a_wrong_body_is_rejected_naming_the_operation_and_the_json_path() -> None:
    request = RequestFactory().get(ME)
    response = JsonResponse(_me_body(username=5, organisation={"name": None}))

    with pytest.raises(openapi_check.OpenAPIMismatchError) as failure:
        openapi_check.check(request, response)

    message = str(failure.value)
    assert "GET /api/v1/me (me_retrieve)" in message
    assert "answered 200" in message
    assert "$.username: 5 is not of type 'string'" in message
    assert "$.organisation.name" in message
    assert "$.organisation: 'slug' is a required property" in message


def test_a_property_the_document_does_not_name_is_rejected() -> None:
    assert _wheres(ME, JsonResponse(_me_body(surprise=True))) == ["$"]


def test_an_undocumented_status_is_rejected() -> None:
    wheres = _wheres(ME, JsonResponse(_problem(418), status=418, content_type=PROBLEM))

    assert wheres == ["-"]


def test_an_error_must_be_problem_json_as_documented() -> None:
    assert _wheres(ME, JsonResponse(_problem(401), status=401, content_type=PROBLEM)) == []
    assert _wheres(ME, JsonResponse(_problem(401), status=401)) == ["-"]
    wrong = JsonResponse(_problem(401, detail=["a list"]), status=401, content_type=PROBLEM)
    assert _wheres(ME, wrong) == ["$.detail"]


def test_an_unknown_path_may_only_answer_with_a_problem() -> None:
    missing = JsonResponse(_problem(404), status=404, content_type=PROBLEM)
    assert _wheres("/api/v1/nothing-here", missing) == []
    assert _wheres("/api/v1/nothing-here", JsonResponse({"ok": True})) == ["-"]


def test_a_body_where_none_is_documented_is_rejected() -> None:
    request = RequestFactory().delete("/api/v1/events/1")
    found = openapi_check.mismatches(request, HttpResponse(b"gone", status=204))

    assert [mismatch.where for mismatch in found] == ["-"]


def test_a_streaming_response_is_checked_on_content_type_without_being_read() -> None:
    response = StreamingHttpResponse(iter([b"a,b\n"]), content_type="text/csv")

    assert _wheres(ME, response) == ["-"]
    assert b"".join(response) == b"a,b\n"


def test_schema_and_docs_are_not_operations() -> None:
    assert openapi_check.is_checked("/api/v1/themes")
    assert not openapi_check.is_checked("/api/v1/schema")
    assert not openapi_check.is_checked("/api/v1/docs")
    assert not openapi_check.is_checked("/nl/")


@pytest.mark.django_db
def test_every_api_response_of_the_test_client_is_validated(analyst: User) -> None:
    before = openapi_check.validated_count()

    assert _api_for(analyst).get(ME).status_code == 200
    assert Client().get(ME).status_code == 401

    assert openapi_check.validated_count() == before + 2
    assert openapi_check.validated_operations()["GET /api/v1/me"] >= 2


@pytest.mark.django_db
def test_a_view_that_drifts_from_the_document_fails_the_test_at_the_call(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def drifted(self: object, request: object) -> Response:
        return Response(_me_body(roles="analyst"))

    monkeypatch.setattr(organisations_api.MeView, "get", drifted)

    with pytest.raises(openapi_check.OpenAPIMismatchError, match=r"\$\.roles: 'analyst' is not"):
        _api_for(analyst).get(ME)
