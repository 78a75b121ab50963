# SPDX-License-Identifier: EUPL-1.2
"""The daily alert digest, sent through Django's in-memory mail backend."""

import smtplib
from datetime import date, timedelta

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import formats, timezone, translation

from leerlus.organisations.roles import Role
from leerlus.patterns.models import Alert, AlertSubscription
from leerlus.patterns.services import digests

from .factories import AlertFactory, ThemeFactory

pytestmark = pytest.mark.django_db

START = date(2026, 3, 4)


def subscribe(user, language: str, *, since=None) -> AlertSubscription:
    digests.subscription_set(user=user, subscribed=True, language=language)
    subscription = AlertSubscription.objects.get(user=user)
    subscription.sent_up_to = since or timezone.now() - timedelta(days=1)
    subscription.save()
    return subscription


@pytest.fixture
def alerts(organisation, other_organisation) -> list[Alert]:
    upload = ThemeFactory(organisation=organisation, name="Upload mislukt")
    parking = ThemeFactory(organisation=organisation, name="Parkeervergunning")
    ThemeFactory(organisation=other_organisation, name="Geheim thema")
    AlertFactory(theme=ThemeFactory(organisation=other_organisation, name="Geheim thema 2"))
    first: Alert = AlertFactory(theme=upload, start=START, observed=40, expected=10, score=9)
    second: Alert = AlertFactory(
        theme=parking, start=START, kind=Alert.Kind.NEW_THEME, channel="", score=4
    )
    return [first, second]


def test_each_subscriber_gets_the_new_alerts_of_their_organisation_in_their_language(
    make_user, alerts, mailoutbox
):
    english = subscribe(make_user(Role.ANALYST, email="analist@example.org"), "en")
    subscribe(make_user(Role.CIO, email="cio@example.org"), "nl")

    sent = digests.send_digests()

    assert sent == 2
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {"analist@example.org", "cio@example.org"}
    mail = by_address["analist@example.org"]
    assert mail.subject == "Leerlus: 2 new alerts for Gemeente Eendorp"
    assert "Upload mislukt" in mail.body
    assert "Parkeervergunning" in mail.body
    assert "Geheim" not in mail.body
    assert f"/patterns/alerts/{alerts[0].pk}" in mail.body
    # The most unusual alert first.
    assert mail.body.index("Upload mislukt") < mail.body.index("Parkeervergunning")
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html"
    assert "Upload mislukt" in html
    assert f'href="http://localhost:8000/patterns/alerts/{alerts[0].pk}"' in html
    for language, address in (("en", "analist@example.org"), ("nl", "cio@example.org")):
        with translation.override(language):
            assert formats.date_format(START, "DATE_FORMAT") in by_address[address].body
    english.refresh_from_db()
    assert english.sent_up_to is not None
    assert all(
        a.notified_at is not None for a in Alert.objects.filter(pk__in=[a.pk for a in alerts])
    )


def test_a_second_run_sends_only_what_is_new(make_user, organisation, alerts, mailoutbox):
    subscribe(make_user(Role.ANALYST, email="analist@example.org"), "en")
    digests.send_digests()
    mailoutbox.clear()

    nothing = digests.send_digests()
    AlertFactory(theme=ThemeFactory(organisation=organisation, name="Afval"), start=START)
    one = digests.send_digests()

    assert nothing == 0
    assert one == 1
    assert len(mailoutbox) == 1
    assert "Afval" in mailoutbox[0].body
    assert "Upload mislukt" not in mailoutbox[0].body


def test_alerts_from_before_the_subscription_are_not_sent(make_user, alerts, mailoutbox):
    subscribe(make_user(Role.ANALYST, email="analist@example.org"), "en", since=timezone.now())

    assert digests.send_digests() == 0
    assert mailoutbox == []


def test_people_without_an_address_or_the_right_to_see_signals_get_nothing(
    make_user, alerts, mailoutbox
):
    subscribe(make_user(Role.ANALYST, email=""), "en")
    subscribe(make_user(email="geen-rol@example.org"), "en")
    subscribe(make_user(Role.ANALYST, email="weg@example.org", is_active=False), "en")

    assert digests.send_digests() == 0
    assert mailoutbox == []


def test_a_failed_delivery_is_tried_again_next_time(make_user, alerts, mailoutbox, monkeypatch):
    subscription = subscribe(make_user(Role.ANALYST, email="analist@example.org"), "en")
    watermark = subscription.sent_up_to
    subscribe(make_user(Role.CIO, email="cio@example.org"), "en")
    real_send = EmailMultiAlternatives.send

    def failing_send(message, *args, **kwargs):
        if message.to == ["analist@example.org"]:
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", failing_send)
    sent = digests.send_digests()
    subscription.refresh_from_db()
    kept = subscription.sent_up_to
    monkeypatch.undo()
    retried = digests.send_digests()

    assert sent == 1
    assert kept == watermark
    assert retried == 1
    assert [m.to for m in mailoutbox] == [["cio@example.org"], ["analist@example.org"]]
    assert "Upload mislukt" in mailoutbox[1].body
