# SPDX-License-Identifier: EUPL-1.2
"""The API against its own document: schemathesis sends generated requests for every operation
of docs/openapi.yaml to a live server (granian, as ``leerlus serve`` runs it, on a free port,
with the test database: SQLite or PostgreSQL, whichever the run uses), as an analyst and as an
administrator.

Every answer must be no server error, a documented status with a documented content type and
a body that fits the document; and a request the document calls invalid (a wrong type, a value
out of bounds, a missing field) must be refused with a 4xx, not served as if it were valid.

Bounded and the same on every run: the coverage phase (each parameter's and field's edges and
wrong types, NUL characters included) and a few generated examples per operation, derandomised,
without learning from the responses (whose ids and dates differ per run). A request that hangs
fails on the per-request timeout; there is no limit on how long a case may take otherwise.
The organisation and the server are made once for the module (what one case creates, a later
case may find); the database is emptied afterwards, as after any test that commits.
"""

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from leerlus.organisations.models import Organisation, User
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create
from leerlus.organisations.tests.factories import (
    DepartmentFactory,
    OrganisationFactory,
    ServiceFactory,
    UserFactory,
)
from leerlus.patterns.tests.factories import (
    AlertFactory,
    EventFactory,
    FeedbackFactory,
    ThemeFactory,
)
from leerlus.site.tests.processes import database_url_for_servers, eventually, free_port
from tests.openapi_check import SCHEMA_FILE

EXAMPLES_PER_OPERATION = 5
REQUEST_TIMEOUT_SECONDS = 30
_NO_LEARNING = {"extra-data-sources": {"responses": False}}

CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "deterministic": True,
            "allow-x00": True,
            "max-examples": EXAMPLES_PER_OPERATION,
            "no-shrink": True,
        },
        "phases": {
            "examples": {"enabled": False},  # the document has no examples
            "coverage": _NO_LEARNING,
            "fuzzing": {**_NO_LEARNING, "error-feedback": {"enabled": False}},
            "stateful": {"enabled": False},
        },
    }
)
schema = schemathesis.openapi.from_path(SCHEMA_FILE, config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _some_of_everything() -> Organisation:
    """An organisation with one of each object the paths name, so that a generated id or slug
    can find one."""
    organisation = OrganisationFactory(name="Gemeente Eendorp", slug="eendorp")
    department = DepartmentFactory(organisation=organisation, slug="publiekszaken")
    ServiceFactory(organisation=organisation, department=department, slug="paspoort")
    theme = ThemeFactory(organisation=organisation, label="paspoort upload")
    AlertFactory(theme=theme)
    EventFactory(organisation=organisation, title="Nieuwe uploadpagina")
    FeedbackFactory(organisation=organisation, text="De upload van mijn pasfoto lukt niet.")
    return organisation


def _get(url: str, token: str = "") -> tuple[int, bytes]:
    """The status and body of a GET from our own server (0: no answer)."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), b""
    except OSError:
        return 0, b""


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[dict[str, str]]:
    """granian serving the test database, and an API token per role."""
    with django_db_blocker.unblock():
        organisation = _some_of_everything()
        tokens = {}
        for role in (Role.ANALYST, Role.ADMINISTRATOR):
            user: User = UserFactory(organisation=organisation, username=str(role), roles=[role])
            tokens[str(role)] = api_token_create(user=user)
    port = free_port()
    folder = tmp_path_factory.mktemp("schemathesis")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "leerlus.settings.test",
        "DATABASE_URL": database_url_for_servers(),
        "LEERLUS_VAR_DIR": str(folder),
    }
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(  # noqa: S603 - our own command
        [
            *(sys.executable, "-m", "granian", "--interface", "wsgi", "--no-ws"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
            *("--log-level", "warning", "leerlus.wsgi:application"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        eventually(
            lambda: process.poll() is not None or _get(f"{url}/health")[0] == 200, 90, "/health"
        )
        assert process.poll() is None, "the server stopped"
        yield {"url": url, **tokens}
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        print(Path(folder / "server.log").read_text(errors="replace")[-20_000:])
        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module", params=[Role.ANALYST, Role.ADMINISTRATOR])
def caller(request, server) -> tuple[str, str]:
    """The server's address and the API token of an analyst (curates themes, no audit log) or
    an administrator (the audit log and contact details, no curation): between them every
    operation is allowed to one and refused to the other somewhere."""
    return server["url"], server[str(request.param)]


@schema.parametrize()
# The root conftest's autouse fixtures are function-scoped and so shared by a test's cases;
# nothing of theirs changes between cases.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_the_api_keeps_to_its_document(case: Any, caller: tuple[str, str]) -> None:
    url, token = caller
    case.call_and_validate(
        base_url=url,
        headers={"Authorization": f"Token {token}"},
        checks=CHECKS,
        timeout=REQUEST_TIMEOUT_SECONDS,
    )


def test_the_server_knows_both_callers(db: None, caller: tuple[str, str]) -> None:
    """The server reads the test database: each token is known to it (on another database
    every case would be a documented 401, and the run would pass without testing anything).
    This test's use of the database also has it set up when the module runs alone: the cases
    themselves only talk HTTP and must not hold a transaction open beside the server."""
    url, token = caller
    status, body = _get(f"{url}/api/v1/me", token)

    assert status == 200
    me = json.loads(body)
    assert me["organisation"]["slug"] == "eendorp"
    assert User.objects.filter(username=me["username"], organisation__slug="eendorp").exists()
