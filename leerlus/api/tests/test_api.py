# SPDX-License-Identifier: EUPL-1.2
import pytest
import yaml
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create, role_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
        return client

    return make


def test_openapi_schema_is_served_without_login(client):
    response = client.get("/api/v1/schema")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/departments" in schema["paths"]
    assert response["API-Version"] == "1.0.0"


def test_readable_docs_page_lists_operations(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "/api/v1/services" in response.content.decode()


def test_token_authentication_and_camel_case(api_for, analyst):
    response = api_for(analyst).get("/api/v1/organisation")

    assert response.status_code == 200
    assert response.json() == {
        "name": "Gemeente Eendorp",
        "slug": "eendorp",
        "feedbackRetentionDays": 1825,
        "contactRetentionDays": 365,
    }


def test_me_lists_roles_and_capabilities(api_for, make_user):
    user = make_user(Role.ANALYST, Role.FACILITATOR)

    body = api_for(user).get("/api/v1/me").json()

    assert body["roles"] == ["analyst", "facilitator"]
    assert "curate_themes" in body["capabilities"]
    assert "manage_people" not in body["capabilities"]


def test_unauthenticated_call_is_a_problem_json_401(client):
    response = client.get("/api/v1/departments")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 401
    assert body["title"] == "Not authenticated"


def test_wrong_token_is_refused(client):
    response = client.get("/api/v1/departments", HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_lists_are_scoped_to_the_own_organisation(api_for, analyst, other_organisation):
    client = api_for(analyst)

    departments = client.get("/api/v1/departments").json()
    services = client.get("/api/v1/services").json()

    assert [d["slug"] for d in departments["results"]] == ["publiekszaken"]
    assert [s["slug"] for s in services["results"]] == ["paspoort"]


def test_another_organisations_object_is_the_same_404_as_a_missing_one(
    api_for, analyst, other_organisation
):
    client = api_for(analyst)

    foreign = client.get("/api/v1/departments/geheim")
    missing = client.get("/api/v1/departments/bestaat-niet")

    assert foreign.status_code == missing.status_code == 404
    assert foreign["Content-Type"] == "application/problem+json"
    assert foreign.json()["detail"] == missing.json()["detail"]


def test_a_service_by_slug_and_another_organisations_service_is_a_404(
    api_for, analyst, other_organisation
):
    client = api_for(analyst)

    own = client.get("/api/v1/services/paspoort")
    foreign = client.get("/api/v1/services/geheim")

    assert own.status_code == 200
    assert own.json()["slug"] == "paspoort"
    assert foreign.status_code == 404
    assert foreign["Content-Type"] == "application/problem+json"


def test_pagination_with_page_size(api_for, analyst):
    from leerlus.organisations.tests.factories import DepartmentFactory

    DepartmentFactory.create_batch(4, organisation=analyst.organisation)

    first = api_for(analyst).get("/api/v1/departments?pageSize=2").json()
    beyond = api_for(analyst).get("/api/v1/departments?page=99")

    assert first["count"] == 5
    assert len(first["results"]) == 2
    assert first["next"]
    assert beyond.status_code == 404
    assert beyond["Content-Type"] == "application/problem+json"


def test_audit_entries_need_the_audit_capability(api_for, make_user):
    assert api_for(make_user(Role.ANALYST)).get("/api/v1/audit-entries").status_code == 403
    response = api_for(make_user(Role.CIO)).get("/api/v1/audit-entries?result=success")
    assert response.status_code == 200
    assert all(e["result"] == "success" for e in response.json()["results"])


def test_unknown_api_path_is_problem_json(client):
    response = client.get("/api/v1/does-not-exist")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_invalid_input_names_the_field(api_for, analyst):
    from rest_framework.exceptions import ValidationError

    from leerlus.core.api.problems import problem_exception_handler

    response = problem_exception_handler(
        ValidationError({"receivedAt": ["Enter a valid date."], "items": [{"text": ["Empty."]}]}),
        {"request": None},
    )

    assert response is not None
    assert response.status_code == 400
    assert response.data["invalidParams"] == [
        {"name": "receivedAt", "code": "invalid", "reason": "Enter a valid date."},
        {"name": "items.0.text", "code": "invalid", "reason": "Empty."},
    ]


def test_method_not_allowed_is_problem_json(api_for, analyst):
    response = api_for(analyst).post("/api/v1/departments", {}, format="json")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_cors_allow_list(client, settings):
    settings.LEERLUS_CORS_ALLOWED_ORIGINS = ["https://intranet.eendorp.nl"]

    allowed = client.get("/api/v1/schema", HTTP_ORIGIN="https://intranet.eendorp.nl")
    refused = client.get("/api/v1/schema", HTTP_ORIGIN="https://evil.example")

    assert allowed["Access-Control-Allow-Origin"] == "https://intranet.eendorp.nl"
    assert "Access-Control-Allow-Origin" not in refused


def test_token_replacement_invalidates_the_old_token(analyst):
    first = api_token_create(user=analyst)
    second = api_token_create(user=analyst)

    assert first != second
    assert list(Token.objects.filter(user=analyst).values_list("key", flat=True)) == [second]


class _Clock:
    """Stands in for time.monotonic in leerlus.core.memo, so a test can let time pass."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_withdrawn_role_counts_on_the_api_once_the_caller_cache_expires(
    api_for, make_user, monkeypatch, settings
):
    clock = _Clock()
    monkeypatch.setattr("leerlus.core.memo.time.monotonic", clock)
    user = make_user(Role.ANALYST)
    client = api_for(user)
    assert client.get("/api/v1/feedback").status_code == 200

    role_revoke(user=user, role=Role.ANALYST)
    still_cached = client.get("/api/v1/feedback")
    clock.now += settings.LEERLUS_API_CALLER_CACHE_SECONDS + 0.1
    expired = client.get("/api/v1/feedback")

    assert still_cached.status_code == 200
    assert expired.status_code == 403


def test_a_replaced_token_is_refused_once_the_caller_cache_expires(
    api_for, analyst, monkeypatch, settings
):
    clock = _Clock()
    monkeypatch.setattr("leerlus.core.memo.time.monotonic", clock)
    client = api_for(analyst)
    assert client.get("/api/v1/feedback").status_code == 200

    api_token_create(user=analyst)
    clock.now += settings.LEERLUS_API_CALLER_CACHE_SECONDS + 0.1

    assert client.get("/api/v1/feedback").status_code == 401
