# SPDX-License-Identifier: EUPL-1.2
"""``POST /api/v1/feedback`` of a signal already stored (the same source and external id, or
the same source, time and text) answers with that signal, ``200`` and ``Duplicate-Of``, as
the bulk path counts it as a duplicate: never a second row, never a 500."""

import threading

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from leerlus.feedback import services
from leerlus.feedback.api import FeedbackInputSerializer, OrganisationLookup
from leerlus.feedback.models import Feedback
from leerlus.organisations.roles import Role
from leerlus.organisations.services import api_token_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/feedback"
BY_ID = {"text": "Lantaarnpaal kapot", "externalId": "crm-17", "source": "crm"}
BY_TEXT = {"text": "Lantaarnpaal kapot", "source": "crm", "receivedAt": "2026-03-02T09:15:00Z"}


@pytest.fixture
def kcc(make_user):
    return make_user(Role.FRONT_OFFICE, username="kcc")


@pytest.mark.parametrize("payload", [BY_ID, BY_TEXT], ids=["external-id", "text-and-time"])
@pytest.mark.parametrize("key", ["", "retry-1"], ids=["no-key", "idempotency-key"])
def test_the_same_signal_twice_answers_the_stored_one(api_for, kcc, payload, key):
    client = api_for(kcc)
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    first = client.post(URL, payload, format="json", **headers)
    again = client.post(URL, {**payload, "rating": 4}, format="json")

    assert first.status_code == 201
    assert "Duplicate-Of" not in first
    assert again.status_code == 200
    assert again["Duplicate-Of"] == first.json()["reference"]
    assert again.json() == first.json()
    assert Feedback.objects.count() == 1


def test_a_keyed_duplicate_replays_as_a_duplicate(api_for, kcc):
    client = api_for(kcc)
    client.post(URL, BY_ID, format="json")

    first = client.post(URL, BY_ID, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    replay = client.post(URL, BY_ID, format="json", HTTP_IDEMPOTENCY_KEY="k-2")

    assert first.status_code == replay.status_code == 200
    assert replay["Idempotency-Replayed"] == "true"
    assert replay["Duplicate-Of"] == first["Duplicate-Of"]
    assert Feedback.objects.count() == 1


def test_the_same_external_id_from_another_source_is_another_signal(api_for, kcc):
    client = api_for(kcc)

    first = client.post(URL, BY_ID, format="json")
    other = client.post(URL, {**BY_ID, "source": "zaaksysteem"}, format="json")

    assert first.status_code == other.status_code == 201
    assert Feedback.objects.count() == 2


def test_a_duplicate_of_a_confidential_signal_the_caller_may_not_see_is_a_409(api_for, kcc):
    client = api_for(kcc)
    client.post(URL, {**BY_ID, "confidential": True}, format="json")

    again = client.post(URL, BY_ID, format="json")

    assert again.status_code == 409
    assert again["Content-Type"] == "application/problem+json"
    assert "Lantaarnpaal" not in again.content.decode()
    assert Feedback.objects.count() == 1


def _wait_until_blocked_on_a_lock(backend_pid: int, thread: threading.Thread) -> None:
    """Until PostgreSQL shows the session ``backend_pid`` waiting for a lock (or ``thread``,
    which uses that session, has ended: then the test fails on its answer)."""
    with connection.cursor() as cursor:
        while thread.is_alive():
            cursor.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [backend_pid]
            )
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL row locks")
def test_two_racing_creates_of_the_same_signal_store_one(kcc):
    """The second request's insert waits on the unique fingerprint of the first one's open
    transaction and then fails: the IntegrityError path, no check before the insert."""
    token = api_token_create(user=kcc)
    answers: dict[str, object] = {}
    backend: dict[str, int] = {}
    inserted = threading.Event()
    connected = threading.Event()
    release = threading.Event()

    def first() -> None:
        from django.db import connection as own

        serializer = FeedbackInputSerializer(
            data=BY_ID, context={"lookup": OrganisationLookup(kcc.organisation)}
        )
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                services.feedback_create(
                    organisation=kcc.organisation,
                    item=serializer.to_signal(serializer.validated_data),
                    created_by=kcc,
                )
                inserted.set()
                release.wait()
        finally:
            own.close()

    def second() -> None:
        from django.db import connection as own

        with own.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend["pid"] = cursor.fetchone()[0]
        connected.set()
        client = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            answers["second"] = client.post(URL, BY_ID, format="json")
        finally:
            own.close()

    holder = threading.Thread(target=first)
    holder.start()
    inserted.wait()
    racer = threading.Thread(target=second)
    racer.start()
    connected.wait()
    _wait_until_blocked_on_a_lock(backend["pid"], racer)
    release.set()
    holder.join()
    racer.join()

    response = answers["second"]
    stored = Feedback.objects.get()
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response["Duplicate-Of"] == stored.reference  # type: ignore[index]
