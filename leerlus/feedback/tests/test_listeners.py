# SPDX-License-Identifier: EUPL-1.2
"""The intake hook: listeners hear of stored signals after the commit, never on a rollback,
and a listener that fails never loses a signal."""

import logging
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.utils import timezone

from leerlus.feedback.listeners import (
    Intake,
    intake_listeners,
    register_intake_listener,
    unregister_intake_listener,
)
from leerlus.feedback.models import Feedback
from leerlus.feedback.services import SignalInput, feedback_create, feedback_ingest
from leerlus.organisations.models import Organisation


class RollBackError(Exception):
    """Raised inside the transaction, so that it is rolled back."""


@pytest.fixture
def heard() -> Iterator[list[Intake]]:
    """Only this test's listener: the ones the apps registered (the theme assignment) are set
    aside, so that a commit here runs no analysis."""
    apps_listeners = intake_listeners()
    for listener in apps_listeners:
        unregister_intake_listener(listener)
    calls: list[Intake] = []
    register_intake_listener(calls.append)
    yield calls
    unregister_intake_listener(calls.append)
    for listener in apps_listeners:
        register_intake_listener(listener)


def signal(text: str = "De container is niet geleegd", **fields: object) -> SignalInput:
    return SignalInput(
        text=text,
        channel="phone",
        received_at=timezone.now(),
        **fields,  # type: ignore[arg-type]
    )


@pytest.mark.django_db(transaction=True)
def test_listeners_are_called_after_the_commit_not_before(organisation, heard):
    with transaction.atomic():
        feedback_create(organisation=organisation, item=signal())
        assert heard == []  # inside the transaction: nobody is told yet

    assert heard == [Intake(organisation_id=organisation.pk, stored=1)]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_intake_calls_no_listener(organisation, heard):
    def intake_then_failure() -> None:
        with transaction.atomic():
            feedback_create(organisation=organisation, item=signal())
            raise RollBackError

    with pytest.raises(RollBackError):
        intake_then_failure()

    assert heard == []
    assert not Feedback.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_raising_listener_loses_no_signal_and_the_others_still_run(organisation, heard, caplog):
    def broken(intake: Intake) -> None:
        raise ConnectionRefusedError("broker down")

    register_intake_listener(broken)
    try:
        with caplog.at_level(logging.ERROR, logger="leerlus.core.listeners"):
            feedback = feedback_create(organisation=organisation, item=signal())
    finally:
        unregister_intake_listener(broken)

    assert Feedback.objects.filter(pk=feedback.pk).exists()
    assert heard == [Intake(organisation_id=organisation.pk, stored=1)]
    assert "intake listener" in caplog.text
    assert "broken" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_batch_tells_the_listeners_per_stored_chunk_and_not_for_duplicates_only(
    organisation: Organisation, heard, monkeypatch
):
    monkeypatch.setattr("leerlus.feedback.services.INSERT_CHUNK", 2)
    items = [signal(f"Melding {n}", source="kcc", external_id=str(n)) for n in range(3)]

    feedback_ingest(organisation=organisation, items=items)
    feedback_ingest(organisation=organisation, items=items)  # all duplicates: nothing new

    assert heard == [
        Intake(organisation_id=organisation.pk, stored=2),
        Intake(organisation_id=organisation.pk, stored=1),
    ]


def test_registering_twice_calls_once(organisation, heard, django_capture_on_commit_callbacks):
    register_intake_listener(heard.append)  # the fixture's listener, again

    with django_capture_on_commit_callbacks(execute=True):
        feedback_create(organisation=organisation, item=signal())

    assert heard == [Intake(organisation_id=organisation.pk, stored=1)]
