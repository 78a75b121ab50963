# SPDX-License-Identifier: EUPL-1.2
from datetime import timedelta

import pytest
from django.utils import timezone

from leerlus.feedback.models import ContactDetails, Feedback, OriginalText
from leerlus.feedback.retention import retention_apply
from leerlus.feedback.services import ContactInput, SignalInput, feedback_create
from leerlus.feedback.tasks import apply_retention
from leerlus.organisations.models import AuditEntry

pytestmark = pytest.mark.django_db


def _signal(organisation, *, days_ago: int, text: str = "Bel me op 06-12345678") -> Feedback:
    return feedback_create(
        organisation=organisation,
        item=SignalInput(
            text=text,
            channel="phone",
            received_at=timezone.now() - timedelta(days=days_ago),
            contact=ContactInput(name="Jan", phone="0612345678", consent=True),
        ),
    )


def test_contact_details_go_after_a_year_the_signal_stays(organisation):
    old = _signal(organisation, days_ago=400)
    recent = _signal(organisation, days_ago=10)

    result = retention_apply(organisation=organisation)

    assert result.contact_details == 1
    assert not ContactDetails.objects.filter(feedback=old).exists()
    assert ContactDetails.objects.filter(feedback=recent).exists()
    assert Feedback.objects.filter(pk=old.pk).exists()


def test_signals_go_after_the_feedback_retention_period(organisation):
    organisation.feedback_retention_days = 365 * 5
    organisation.save()
    ancient = _signal(organisation, days_ago=365 * 5 + 2)
    kept = _signal(organisation, days_ago=365 * 4)

    result = retention_apply(organisation=organisation)

    assert result.signals == 1
    assert not Feedback.objects.filter(pk=ancient.pk).exists()
    assert Feedback.objects.filter(pk=kept.pk).exists()


def test_original_texts_expire(organisation):
    organisation.keep_original_text = True
    organisation.original_retention_days = 30
    organisation.save()
    signal = _signal(organisation, days_ago=1)
    assert OriginalText.objects.get(feedback=signal).text == "Bel me op 06-12345678"
    assert signal.text == "Bel me op [TELEFOON]"

    retention_apply(organisation=organisation, now=timezone.now() + timedelta(days=31))

    assert not OriginalText.objects.filter(feedback=signal).exists()


def test_retention_is_audited_and_idempotent(organisation, other_organisation):
    _signal(organisation, days_ago=400)
    foreign = _signal(other_organisation, days_ago=10)

    apply_retention.delay()
    apply_retention.delay()

    entries = AuditEntry.objects.filter(action="retention.apply")
    assert entries.count() == 1
    assert entries.get().organisation == organisation
    assert entries.get().details == {"contact_details": 1, "original_texts": 0, "signals": 0}
    assert ContactDetails.objects.filter(feedback=foreign).exists()


def test_kept_originals_never_hold_a_bsn(organisation):
    organisation.keep_original_text = True
    organisation.save()

    signal = _signal(organisation, days_ago=1, text="BSN 111222333, bel 06-12345678")

    assert OriginalText.objects.get(feedback=signal).text == "BSN [BSN], bel 06-12345678"
