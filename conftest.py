# SPDX-License-Identifier: EUPL-1.2
"""Shared fixtures: organisations, people with roles, and the switch for PostgreSQL."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from leerlus.core import memo
from leerlus.organisations.models import Organisation, User
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create
from leerlus.organisations.tests.factories import (
    PASSWORD,
    DepartmentFactory,
    OrganisationFactory,
    ServiceFactory,
    UserFactory,
)
from tests import openapi_check


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    memo.forget_everything()


@pytest.fixture(autouse=True)
def _api_responses_match_openapi(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every response the test client (Django's or DRF's, a subclass) gets from /api/v1/ is
    validated against docs/openapi.yaml; a mismatch fails the test at the call
    (tests/openapi_check.py)."""
    monkeypatch.setattr(Client, "request", openapi_check.checking(Client.request))


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand its tally to the controller
        workeroutput["openapi_validated"] = openapi_check.validated_operations()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: object, error: object) -> None:
    openapi_check.add_tally(getattr(node, "workeroutput", {}).get("openapi_validated", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    on_controller = getattr(terminalreporter.config, "workeroutput", None) is None
    if on_controller and openapi_check.validated_count():
        terminalreporter.write_line(openapi_check.summary())


@pytest.fixture
def organisation(db: None) -> Organisation:
    org = OrganisationFactory(name="Gemeente Eendorp", slug="eendorp")
    department = DepartmentFactory(organisation=org, name="Publiekszaken", slug="publiekszaken")
    ServiceFactory(organisation=org, department=department, name="Paspoort", slug="paspoort")
    return org


@pytest.fixture
def other_organisation(db: None) -> Organisation:
    org = OrganisationFactory(name="Gemeente Tweestad", slug="tweestad")
    department = DepartmentFactory(organisation=org, name="Geheime Afdeling", slug="geheim")
    ServiceFactory(organisation=org, department=department, name="Geheime Dienst", slug="geheim")
    return org


@pytest.fixture
def make_user(db: None, organisation: Organisation):
    def make(*roles: str, org: Organisation | None = None, **fields: object) -> User:
        user: User = UserFactory(organisation=org or organisation, roles=list(roles), **fields)
        return user

    return make


@pytest.fixture
def analyst(make_user) -> User:
    return make_user(Role.ANALYST, username="analist")


@pytest.fixture
def administrator(make_user) -> User:
    return make_user(Role.ADMINISTRATOR, username="beheerder", is_staff=True)


@pytest.fixture
def client_for(db: None):
    def login(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for(db: None):
    """An API client sending ``user``'s token, as an integration does."""

    def make(user: User) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
        return client

    return make


@pytest.fixture
def password() -> str:
    return PASSWORD
