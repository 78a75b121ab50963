# SPDX-License-Identifier: EUPL-1.2
import base64
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from leerlus.feedback.models import Feedback
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound-email"


@pytest.fixture
def mailbox_client(make_user):
    user = make_user(Role.FRONT_OFFICE, username="postvak")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)}")
    return client


def test_postmark_json_becomes_an_email_signal_and_retries_are_recognised(mailbox_client):
    payload = {
        "From": "jan@example.nl",
        "Subject": "Container niet geleegd",
        "TextBody": "Al twee weken niet geleegd. Bel 06-12345678.\n\n> eerder bericht",
        "Date": "Mon, 2 Mar 2026 09:15:00 +0100",
        "MessageID": "abc-123@mail.example",
    }

    first = mailbox_client.post(URL, payload, format="json")
    retry = mailbox_client.post(URL, payload, format="json")

    assert first.status_code == 201
    assert retry.status_code == 200
    assert retry.json() == {"reference": first.json()["reference"], "duplicate": True}
    signal = Feedback.objects.get()
    assert signal.channel == "email"
    assert signal.source == "inbound-email"
    assert signal.text.startswith("Container niet geleegd")
    assert "[TELEFOON]" in signal.text
    assert "eerder bericht" not in signal.text
    assert "jan@example.nl" not in signal.text
    assert signal.received_at.isoformat() == "2026-03-02T08:15:00+00:00"


def test_mailgun_form_post_with_basic_auth(make_user):
    make_user(Role.FRONT_OFFICE, username="mailgun")
    client = APIClient()
    credentials = base64.b64encode(b"mailgun:correct-horse-battery").decode()
    client.credentials(HTTP_AUTHORIZATION=f"Basic {credentials}")

    response = client.post(
        URL,
        {
            "subject": "Paspoort",
            "body-plain": "Wanneer kan ik mijn paspoort ophalen?",
            "Message-Id": "<m1@mg>",
            "timestamp": "1772439300",
        },
    )

    assert response.status_code == 201
    assert Feedback.objects.get().external_id == "m1@mg"


def test_raw_mime_message(mailbox_client):
    raw = (
        "From: a@example.nl\r\nTo: gemeente@example.nl\r\nSubject: Lantaarnpaal\r\n"
        "Message-ID: <raw-1@example>\r\nDate: Tue, 3 Mar 2026 10:00:00 +0100\r\n\r\n"
        "De lantaarnpaal bij de school is kapot.\r\n"
    )

    response = mailbox_client.post(URL, {"email": raw}, format="json")

    assert response.status_code == 201
    assert "lantaarnpaal bij de school" in Feedback.objects.get().text


def test_empty_payload_is_a_specific_problem(mailbox_client):
    response = mailbox_client.post(URL, {"From": "x@example.nl"}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "Postmark" in response.json()["detail"]
    assert Feedback.objects.count() == 0


def test_webhook_needs_a_role_that_may_log_contacts(client):
    assert client.post(URL, {"Subject": "x"}, content_type="application/json").status_code == 401


def test_nul_characters_in_a_json_mail_are_stripped_and_the_mail_accepted(mailbox_client):
    """A mail provider retries a 5xx for days, and a 400 loses the mail: strip, not refuse."""
    payload = {
        "Subject": "Container\u0000 niet geleegd",
        "TextBody": "Al twee\u0000 weken.",
        "MessageID": "nul-1@mail\u0000.example",
        "Date": "Mon, 2 Mar 2026 09:15:00 +0100",
        "Headers": [{"Name": "X-Spam\u0000", "Value": "no"}],
    }

    response = mailbox_client.post(URL, payload, format="json")

    assert response.status_code == 201
    signal = Feedback.objects.get()
    assert signal.text == "Container niet geleegd\n\nAl twee weken."
    assert signal.external_id == "nul-1@mail.example"


def test_nul_bytes_in_a_form_mail_and_a_raw_message_are_stripped(mailbox_client):
    form = mailbox_client.post(
        URL,
        "subject=Paspoort%00&body-plain=Wanneer%00+ophalen%3F&Message-Id=%3Cm%00f%40mg%3E",
        content_type="application/x-www-form-urlencoded",
    )
    raw = mailbox_client.post(
        URL,
        {"email": "Subject: Lantaarn\u0000paal\r\nMessage-ID: <r\u00001@x>\r\n\r\nKap\u0000ot\r\n"},
        format="json",
    )

    assert form.status_code == raw.status_code == 201
    texts = sorted(Feedback.objects.values_list("text", flat=True))
    assert texts == ["Lantaarnpaal\n\nKapot", "Paspoort\n\nWanneer ophalen?"]
    assert "\x00" not in "".join(Feedback.objects.values_list("external_id", flat=True))


@pytest.mark.parametrize(
    "when",
    [
        "9" * 30,  # Mailgun's seconds since the epoch, past what a date holds: was a 500
        "99999999999",  # the year 5138
        "Fri, 31 Dec 9999 23:59:59 +0000",
    ],
)
def test_a_mail_dated_in_the_future_or_beyond_any_date_counts_as_received_now(mailbox_client, when):
    """A 500 makes the provider send the mail again for days; a date far ahead would put the
    signal past every period. It is taken as received now, like a date that does not parse."""
    payload = {"subject": "Paspoort", "body-plain": "Waar blijft mijn paspoort?", "timestamp": when}

    response = mailbox_client.post(URL, payload, format="json")

    assert response.status_code == 201
    received = Feedback.objects.get().received_at
    assert abs(received - timezone.now()) < timedelta(hours=1)
