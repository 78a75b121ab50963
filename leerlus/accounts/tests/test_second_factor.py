# SPDX-License-Identifier: EUPL-1.2
"""A second factor for what exposes personal data or changes roles (BIO2 5.17).

Every test logs the administrator in with a password only (``force_login``), so the same
set-up is refused first and allowed after the second step.
"""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from leerlus.feedback.models import Feedback, ImportBatch, OriginalText
from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import User
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

NEEDED = reverse("accounts:second_factor_needed")
ORIGINAL_TEXT = "Mijn naam is Jan Jansen en ik woon op de Dorpsstraat 1"
PAGES = {
    "people CSV": "/organisation/people?format=csv",
    "audit log": "/organisation/audit-log",
    "signals export": "/signals/export?format=csv",
}


@pytest.fixture(autouse=True)
def _required(settings):
    settings.LEERLUS_REQUIRE_SECOND_FACTOR = True


@pytest.fixture
def signal(organisation) -> Feedback:
    feedback = feedback_create(
        organisation=organisation,
        item=SignalInput(text=ORIGINAL_TEXT, channel="phone", received_at=timezone.now()),
    )
    OriginalText.objects.update_or_create(
        feedback=feedback,
        defaults={"text": ORIGINAL_TEXT, "expires_at": timezone.now() + timedelta(days=30)},
    )
    return feedback


@pytest.fixture
def admin_client(administrator) -> Client:
    client = Client()
    client.force_login(administrator)
    return client


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _enter_code(client: Client, user: User, next_url: str):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    return client.post(f"{NEEDED}?next={quote(next_url)}", {"code": _code(device)})


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_a_page_with_personal_data_asks_for_the_second_factor_first(
    admin_client, administrator, signal, path
):
    refused = admin_client.get(path)
    explained = admin_client.get(refused["Location"], HTTP_ACCEPT_LANGUAGE="en")
    confirmed = _enter_code(admin_client, administrator, path)
    allowed = admin_client.get(path)

    assert refused.status_code == 302
    assert refused["Location"] == f"{NEEDED}?next={quote(path)}"
    assert explained.status_code == 200
    assert "personal data" in explained.content.decode()
    assert confirmed.status_code == 302
    assert confirmed["Location"] == path
    assert allowed.status_code == 200


def test_the_original_text_is_shown_only_after_the_second_factor(
    admin_client, administrator, signal
):
    page = reverse("feedback:detail", args=[signal.reference])

    before = admin_client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    _enter_code(admin_client, administrator, page)
    after = admin_client.get(page).content.decode()

    assert ORIGINAL_TEXT not in before
    assert f'href="{NEEDED}?next={quote(page)}"' in before
    assert ORIGINAL_TEXT in after


def test_setting_up_the_authenticator_on_the_way_leads_back(admin_client, administrator):
    path = PAGES["audit log"]
    page = admin_client.get(f"{NEEDED}?next={quote(path)}", HTTP_ACCEPT_LANGUAGE="en")
    device = TOTPDevice.objects.get(user=administrator, confirmed=False)

    confirmed = admin_client.post(f"{NEEDED}?next={quote(path)}", {"code": _code(device)})

    assert "Scan this code" in page.content.decode()
    assert confirmed["Location"] == path
    assert admin_client.get(path).status_code == 200


def test_a_wrong_code_keeps_the_page_closed(admin_client, administrator):
    TOTPDevice.objects.create(user=administrator, name="app", confirmed=True)
    path = PAGES["people CSV"]

    wrong = admin_client.post(f"{NEEDED}?next={quote(path)}", {"code": "000000"})

    assert wrong.status_code == 200
    assert admin_client.get(path).status_code == 302


def test_a_capability_the_roles_do_not_grant_stays_403(client_for, make_user):
    analyst = client_for(make_user(Role.ANALYST))

    assert analyst.get(PAGES["audit log"]).status_code == 403


def test_without_the_setting_a_password_login_is_enough(admin_client, settings):
    settings.LEERLUS_REQUIRE_SECOND_FACTOR = False

    assert admin_client.get(PAGES["people CSV"]).status_code == 200


def test_the_api_answers_403_second_factor_required(admin_client, administrator):
    refused = admin_client.get("/api/v1/audit-entries")
    _enter_code(admin_client, administrator, "/")
    allowed = admin_client.get("/api/v1/audit-entries")

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "second_factor_required"
    assert allowed.status_code == 200


def test_confidential_signals_stay_out_of_the_api_until_the_second_factor(
    admin_client, administrator, organisation
):
    item = SignalInput(
        text="Vertrouwelijk verhaal", channel="phone", received_at=timezone.now(), confidential=True
    )
    feedback_create(organisation=organisation, item=item)

    before = admin_client.get("/api/v1/feedback").json()["count"]
    _enter_code(admin_client, administrator, "/")
    after = admin_client.get("/api/v1/feedback").json()["count"]

    assert (before, after) == (0, 1)


def test_an_api_token_has_no_second_factor_unless_the_setting_says_so(administrator, settings):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=administrator)}")

    refused = api.get("/api/v1/audit-entries")
    settings.LEERLUS_API_TOKENS_COUNT_AS_SECOND_FACTOR = True
    allowed = api.get("/api/v1/audit-entries")

    assert refused.status_code == 403
    assert refused.json()["code"] == "second_factor_required"
    assert allowed.status_code == 200


def test_the_download_of_rejected_rows_asks_for_the_second_factor_first(
    admin_client, administrator, organisation
):
    batch = ImportBatch.objects.create(
        organisation=organisation, source="oud-systeem", filename="oud.csv", file_format="csv"
    )
    path = reverse("imports:rejected_csv", args=[batch.pk])

    refused = admin_client.get(path)
    _enter_code(admin_client, administrator, path)
    allowed = admin_client.get(path)

    assert refused.status_code == 302
    assert refused["Location"] == f"{NEEDED}?next={quote(path)}"
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/csv")
