# SPDX-License-Identifier: EUPL-1.2
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db.models import Max, Min
from django.utils import timezone

from leerlus.demo.services import DEMO_PASSWORD, demo_load
from leerlus.feedback.models import Feedback
from leerlus.organisations.models import Department, Organisation, Service, User

pytestmark = pytest.mark.django_db


def test_demo_loads_voorbeeldstad_with_an_account_per_role(client):
    demo_load(days=14, analyse=False)

    organisation = Organisation.objects.get(slug="voorbeeldstad")
    assert organisation.name == "Gemeente Voorbeeldstad"
    assert Department.objects.filter(organisation=organisation, slug="kcc").exists()
    assert Service.objects.filter(organisation=organisation).count() >= 8
    roles = {u.username: u.role_names for u in User.objects.filter(organisation=organisation)}
    assert roles == {
        "kcc": ["front_office"],
        "analist": ["analyst"],
        "teamlid": ["team_member"],
        "facilitator": ["facilitator"],
        "cio": ["cio"],
        "beheerder": ["administrator"],
    }
    login = client.post("/accounts/login", {"username": "cio", "password": DEMO_PASSWORD})
    assert login.status_code == 302


def test_demo_is_idempotent(capsys):
    demo_load(days=14, analyse=False)
    call_command("demo")

    assert Organisation.objects.filter(slug="voorbeeldstad").count() == 1
    assert User.objects.filter(username="analist").count() == 1
    assert "Already present" in capsys.readouterr().out


def test_demo_refuses_where_demo_mode_is_off(settings):
    settings.LEERLUS_DEMO = False

    with pytest.raises(ImproperlyConfigured):
        demo_load()
    assert not Organisation.objects.filter(slug="voorbeeldstad").exists()


def test_demo_fills_two_years_of_signals_on_every_channel():
    result = demo_load(analyse=False)  # the themes and alerts: patterns/tests

    signals = Feedback.objects.filter(organisation=result.organisation)
    assert result.signals == signals.count() >= 20_000
    assert set(signals.values_list("channel", flat=True).distinct()) == {
        "web_form",
        "phone",
        "counter",
        "email",
        "chat",
        "social_media",
    }
    span = signals.aggregate(first=Min("received_at"), last=Max("received_at"))
    assert (span["last"] - span["first"]).days >= 700
    assert span["last"] <= timezone.now()
    assert not signals.filter(text__regex=r"\b06-?\d{8}\b").exists()


def test_demo_marks_some_contacts_confidential_which_only_the_administrator_reads(client):
    demo_load(days=60, analyse=False)
    confidential = Feedback.objects.filter(confidential=True)

    assert set(confidential.values_list("channel", flat=True)) <= {"phone", "counter"}
    assert 0 < confidential.count() < Feedback.objects.count() / 40
    hidden = confidential.first()
    assert hidden is not None
    client.post("/accounts/login", {"username": "analist", "password": DEMO_PASSWORD})
    assert client.get(f"/signals/{hidden.reference}").status_code == 404
    client.post("/accounts/login", {"username": "beheerder", "password": DEMO_PASSWORD})
    assert client.get(f"/signals/{hidden.reference}").status_code == 200
