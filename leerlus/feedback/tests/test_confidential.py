# SPDX-License-Identifier: EUPL-1.2
"""A confidential signal reaches only people with VIEW_CONFIDENTIAL_FEEDBACK: an analyst does not
see it on any page, API response or export, an administrator does.

Every test starts from the same set-up, one open and one confidential signal that the viewer
logged, and checks the open one too, so a test cannot pass because the page showed nothing.
"""

import csv
import io
import json
import re
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from leerlus.feedback.models import Feedback
from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import Organisation, User
from leerlus.organisations.roles import Capability, Role
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

OPEN_TEXT = "De container in de Dorpsstraat is al twee weken niet geleegd"
CONFIDENTIAL_TEXT = "Melding over een klokkenluider op de afdeling vergunningen"
API = "/api/v1/feedback"


@dataclass(frozen=True)
class Case:
    viewer: User
    sees_confidential: bool
    open: Feedback
    confidential: Feedback


@pytest.fixture(
    params=[
        pytest.param((Role.ANALYST, False), id="analyst-does-not-see-it"),
        pytest.param((Role.ADMINISTRATOR, True), id="administrator-sees-it"),
    ]
)
def case(request, make_user, organisation: Organisation) -> Case:
    role, sees = request.param
    viewer = make_user(role, username=f"viewer-{role}")
    assert viewer.can(Capability.VIEW_CONFIDENTIAL_FEEDBACK) is sees

    def logged(text: str, *, confidential: bool) -> Feedback:
        item = SignalInput(
            text=text, channel="phone", received_at=timezone.now(), confidential=confidential
        )
        return feedback_create(organisation=organisation, item=item, created_by=viewer)

    return Case(
        viewer=viewer,
        sees_confidential=sees,
        open=logged(OPEN_TEXT, confidential=False),
        confidential=logged(CONFIDENTIAL_TEXT, confidential=True),
    )


def assert_shown_as_allowed(case: Case, content: str) -> None:
    assert OPEN_TEXT in content
    assert (CONFIDENTIAL_TEXT in content) is case.sees_confidential
    assert (case.confidential.reference in content) is case.sees_confidential


def main_of(page: bytes) -> str:
    """A page's own content, without what names the address (the language form's ``next``)."""
    found = re.search(r"<main\b.*</main>", page.decode(), re.DOTALL)
    assert found is not None
    return found.group()


def without_instance(problem: dict[str, object]) -> dict[str, object]:
    """A problem+json answer without its ``instance``, the address that was asked for."""
    return {key: value for key, value in problem.items() if key != "instance"}


def api_for(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


# --- pages -----------------------------------------------------------------------------------


def test_signals_list(client_for, case):
    client = client_for(case.viewer)

    page = client.get(reverse("feedback:list")).content.decode()
    searched = client.get(reverse("feedback:list"), {"q": "klokkenluider"}).content.decode()

    assert_shown_as_allowed(case, page)
    assert (CONFIDENTIAL_TEXT in searched) is case.sees_confidential


def test_signal_page_is_the_same_404_as_a_missing_one(client_for, case):
    client = client_for(case.viewer)

    shown = client.get(reverse("feedback:detail", args=[case.confidential.reference]))
    missing = client.get(reverse("feedback:detail", args=["LL-00000-00000"]))
    open_page = client.get(reverse("feedback:detail", args=[case.open.reference]))

    assert open_page.status_code == 200
    assert OPEN_TEXT in open_page.content.decode()
    assert missing.status_code == 404
    if case.sees_confidential:
        assert shown.status_code == 200
        assert CONFIDENTIAL_TEXT in shown.content.decode()
    else:
        assert shown.status_code == 404
        assert main_of(shown.content) == main_of(missing.content)


def test_quick_entry_recent_list(client_for, case):
    page = client_for(case.viewer).get(reverse("feedback:quick_entry")).content.decode()

    assert_shown_as_allowed(case, page)


# --- exports ---------------------------------------------------------------------------------


def _export(client, file_format: str) -> str:
    response = client.get(reverse("feedback:export"), {"format": file_format})
    assert response.status_code == 200
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        assert sheet is not None
        return "\n".join(
            " ".join(str(cell) for cell in row) for row in sheet.iter_rows(values_only=True)
        )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    if file_format == "json":
        return "\n".join(" ".join(map(str, row.values())) for row in json.loads(body))
    return "\n".join(" ".join(row) for row in csv.reader(io.StringIO(body)))


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export(client_for, case, file_format):
    assert_shown_as_allowed(case, _export(client_for(case.viewer), file_format))


# --- API -------------------------------------------------------------------------------------


def test_api_list(case):
    client = api_for(case.viewer)

    listed = client.get(API).json()
    searched = client.get(API, {"q": "klokkenluider"}).json()

    assert_shown_as_allowed(case, json.dumps(listed["results"]))
    assert listed["count"] == (2 if case.sees_confidential else 1)
    assert (searched["count"] == 1) is case.sees_confidential


def test_api_detail_is_the_same_404_as_a_missing_one(case):
    client = api_for(case.viewer)

    shown = client.get(f"{API}/{case.confidential.reference}")
    missing = client.get(f"{API}/LL-00000-00000")

    assert client.get(f"{API}/{case.open.reference}").json()["text"] == OPEN_TEXT
    if case.sees_confidential:
        assert shown.json()["text"] == CONFIDENTIAL_TEXT
    else:
        assert shown.status_code == missing.status_code == 404
        assert without_instance(shown.json()) == without_instance(missing.json())
