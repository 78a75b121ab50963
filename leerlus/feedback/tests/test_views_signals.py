# SPDX-License-Identifier: EUPL-1.2
import csv
import io
import json
import re
from datetime import timedelta
from ipaddress import ip_network

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from leerlus.feedback.forms.signals import _FORM_SALT, public_form_stamp
from leerlus.feedback.models import ContactDetails, Feedback
from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _issued(seconds_ago: float = 30) -> str:
    return public_form_stamp(issued_at=timezone.now().timestamp() - seconds_ago)


def _form(**overrides):
    return {
        "text": "De upload van mijn pasfoto lukt niet",
        "service": "",
        "rating": "",
        "issued": _issued(),
        "website": "",
        **overrides,
    }


def test_public_form_needs_no_login_and_gives_a_reference(client, organisation):
    page = client.get("/feedback/eendorp")
    response = client.post("/feedback/eendorp", _form(), follow=True)

    assert page.status_code == 200
    signal = Feedback.objects.get()
    assert signal.channel == "web_form"
    assert signal.organisation == organisation
    assert signal.reference in response.content.decode()


def test_public_form_keeps_contact_details_apart_with_consent(client, organisation):
    client.post(
        "/feedback/eendorp",
        _form(
            text="Bel mij terug op 0612345678 over de vergunning",
            name="Anna",
            phone="0612345678",
            consent="on",
        ),
    )

    signal = Feedback.objects.get()
    assert "0612345678" not in signal.text
    assert ContactDetails.objects.get(feedback=signal).phone == "0612345678"


def test_public_form_errors_are_specific_and_keep_the_text(client, organisation):
    response = client.post(
        "/feedback/eendorp",
        _form(text="Mijn verhaal over de balie", email="geen-adres", name="Anna"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address" in html
    assert "Tick this box if we may contact you" in html
    assert "Mijn verhaal over de balie" in html
    assert Feedback.objects.count() == 0


@pytest.mark.parametrize(
    "trap", [{"website": "http://spam.example"}, {"issued": "forged"}, {"issued": None}]
)
def test_bots_get_a_thank_you_but_nothing_is_stored(client, organisation, trap):
    data = _form(**trap)
    if trap.get("issued", "") is None:
        data["issued"] = _issued(seconds_ago=0.1)

    response = client.post("/feedback/eendorp", data, follow=True)

    assert response.status_code == 200
    assert Feedback.objects.count() == 0


def test_public_form_is_rate_limited_per_address(client, organisation):
    for _ in range(10):
        client.post("/feedback/eendorp", _form())

    blocked = client.post("/feedback/eendorp", _form(), HTTP_ACCEPT_LANGUAGE="en")

    assert blocked.status_code == 429
    assert "try again in an hour" in blocked.content.decode()
    assert Feedback.objects.count() == 10


def test_a_spoofed_forwarded_for_shares_the_clients_rate_limit(client, organisation, settings):
    settings.LEERLUS_TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    for n in range(10):
        client.post("/feedback/eendorp", _form(), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    blocked = client.post("/feedback/eendorp", _form(), HTTP_X_FORWARDED_FOR="203.0.113.99")

    assert blocked.status_code == 429
    assert Feedback.objects.count() == 10


def test_a_trusted_proxy_gives_each_client_its_own_rate_limit(organisation, settings):
    settings.LEERLUS_TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for _ in range(10):
        proxy.post("/feedback/eendorp", _form(), HTTP_X_FORWARDED_FOR="203.0.113.7")

    blocked = proxy.post("/feedback/eendorp", _form(), HTTP_X_FORWARDED_FOR="203.0.113.7")
    other = proxy.post("/feedback/eendorp", _form(), HTTP_X_FORWARDED_FOR="203.0.113.8")

    assert blocked.status_code == 429
    assert other.status_code == 302
    assert Feedback.objects.count() == 11


def test_a_form_sent_again_with_the_same_stamp_is_refused_and_stored_once(client, organisation):
    data = _form()
    first = client.post("/feedback/eendorp", data)

    again = client.post("/feedback/eendorp", data, HTTP_ACCEPT_LANGUAGE="en")

    assert first.status_code == 302
    assert again.status_code == 409
    html = again.content.decode()
    assert "This form has already been sent" in html
    assert data["text"] in html  # kept, to send again on purpose
    assert data["issued"] not in html  # with a fresh stamp for that
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    "stamp",
    [
        _issued(seconds_ago=3 * 24 * 3600),
        # A stamp of the earlier form (no nonce) cannot be spent once: asked to send again.
        signing.dumps(1_700_000_000.0, salt=_FORM_SALT),
    ],
    ids=["three days old", "of the earlier form"],
)
def test_a_form_left_open_for_days_is_asked_to_be_sent_again(client, organisation, stamp):
    response = client.post("/feedback/eendorp", _form(issued=stamp), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "send it again" in response.content.decode()
    assert Feedback.objects.count() == 0


def test_unknown_organisation_is_404(client):
    assert client.get("/feedback/bestaat-niet").status_code == 404


def test_we_did_page_is_public_with_an_empty_state(client, organisation):
    response = client.get("/feedback/eendorp/we-did", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "No themes have been published yet" in response.content.decode()


def test_quick_entry_remembers_channel_and_service(client_for, make_user, organisation):
    client = client_for(make_user(Role.FRONT_OFFICE))
    service = organisation.services.get()

    client.post(
        "/signals/quick",
        {
            "text": "Vraag over paspoort",
            "channel": "counter",
            "service": service.pk,
            "reporter_kind": "citizen",
        },
    )
    next_form = client.get("/signals/quick").content.decode()

    signal = Feedback.objects.get()
    assert signal.channel == "counter"
    assert signal.service == service
    assert re.search(r'value="counter"[^>]*checked', next_form)
    assert f'<option value="{service.pk}" selected>' in next_form


def _seed(organisation, n: int = 3) -> None:
    for i in range(n):
        feedback_create(
            organisation=organisation,
            item=SignalInput(
                text=f"Signaal {i} over afval",
                channel="phone",
                received_at=timezone.now() - timedelta(days=i),
            ),
        )


def test_list_filters_searches_and_paginates(client_for, analyst, organisation):
    _seed(organisation, 30)
    feedback_create(
        organisation=organisation,
        item=SignalInput(text="Lantaarnpaal kapot", channel="email", received_at=timezone.now()),
    )
    client = client_for(analyst)

    first_page = client.get("/signals/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    email_only = client.get("/signals/", {"channel": "email"}).content.decode()
    search = client.get("/signals/", {"q": "lantaarnpaal"}).content.decode()

    assert "31 signals" in first_page
    assert "Page 1 of 2" in first_page
    assert "Lantaarnpaal kapot" in email_only
    assert "Signaal 0" not in email_only
    assert "Lantaarnpaal kapot" in search
    assert "Signaal" not in search


@pytest.mark.parametrize("role", [Role.FRONT_OFFICE, Role.TEAM_MEMBER, Role.CIO])
def test_export_is_only_for_roles_allowed_to(client_for, make_user, organisation, role):
    _seed(organisation)

    assert client_for(make_user(role)).get("/signals/export?format=csv").status_code == 403


def test_exports_in_three_formats_hold_only_own_redacted_signals(
    client_for, analyst, organisation, other_organisation
):
    _seed(organisation, 2)
    feedback_create(
        organisation=organisation,
        item=SignalInput(
            text="Mijn mail is jan@example.nl", channel="email", received_at=timezone.now()
        ),
    )
    _seed(other_organisation, 1)
    client = client_for(analyst)

    as_csv = b"".join(client.get("/signals/export?format=csv").streaming_content).decode()
    as_json = json.loads(b"".join(client.get("/signals/export?format=json").streaming_content))
    xlsx = client.get("/signals/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).worksheets[0]
    filtered = b"".join(
        client.get("/signals/export?format=csv&channel=email").streaming_content
    ).decode()

    rows = list(csv.DictReader(io.StringIO(as_csv.lstrip("\ufeff"))))
    assert len(rows) == len(as_json) == sheet.max_row - 1 == 3
    assert "jan@example.nl" not in as_csv
    assert "[EMAIL]" in as_csv
    assert len(list(csv.DictReader(io.StringIO(filtered.lstrip("\ufeff"))))) == 1
    assert AuditEntry.objects.filter(action="feedback.export", actor=analyst).count() == 4


def test_contact_details_are_shown_to_front_office_and_audited(client_for, make_user, organisation):
    from leerlus.feedback.services import ContactInput

    signal = feedback_create(
        organisation=organisation,
        item=SignalInput(
            text="Graag terugbellen",
            channel="phone",
            received_at=timezone.now(),
            contact=ContactInput(name="Piet", phone="0201234567", consent=True),
        ),
    )
    front_office = make_user(Role.FRONT_OFFICE)
    team_member = make_user(Role.TEAM_MEMBER)

    shown = client_for(front_office).get(f"/signals/{signal.reference}").content.decode()
    hidden = client_for(team_member).get(f"/signals/{signal.reference}").content.decode()

    assert "0201234567" in shown
    assert "0201234567" not in hidden
    assert AuditEntry.objects.filter(action="contact_details.view", actor=front_office).exists()
    assert not AuditEntry.objects.filter(action="contact_details.view", actor=team_member).exists()


def test_signal_of_another_organisation_is_404(client_for, analyst, other_organisation):
    signal = feedback_create(
        organisation=other_organisation,
        item=SignalInput(text="Geheim", channel="phone", received_at=timezone.now()),
    )

    assert client_for(analyst).get(f"/signals/{signal.reference}").status_code == 404
