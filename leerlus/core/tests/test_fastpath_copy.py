# SPDX-License-Identifier: EUPL-1.2
"""Signals stored with PostgreSQL's COPY are the signals ``bulk_create`` stores, field by field;
the chunk stays one transaction with its contact details and kept originals."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerlus.core.fastpath import newrows
from leerlus.feedback import services
from leerlus.feedback.models import ContactDetails, Feedback, ImportBatch, OriginalText
from leerlus.feedback.services import ContactInput, SignalInput, feedback_ingest
from leerlus.organisations.models import Department, Organisation, Service, User

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite keeps bulk_create"
)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# What a COPY line could get wrong: its separators, its escape, its NULL and end-of-data marks.
AWKWARD = "tab\there, line\nbreak\r\nback\\slash \\N \\. 'single' \"double\" € é 😀"


def _items(organisation: Organisation) -> list[SignalInput]:
    service = Service.objects.get(organisation=organisation)
    return [
        SignalInput(
            text=f"Mijn BSN is 123456782, bel 0612345678. {AWKWARD}",
            channel="phone",
            received_at=datetime(2025, 12, 31, 23, 30, tzinfo=AMSTERDAM),  # UTC: 22:30
            service=service,
            reporter_kind="business",
            rating=4,
            location="Stationsstraat 12, 1234 AB Eendorp",
            confidential=True,
            external_id="A-1",
            source="KCC",
            case_url="https://zaken.example.org/zaak/1",
        ),
        SignalInput(
            text="The form does not work and nobody answers the phone",
            channel="web_form",
            received_at=datetime(2026, 1, 2, 8, 0, tzinfo=UTC),
            department=Department.objects.get(organisation=organisation),
            language="en",
            source="KCC",
            external_id="A-2",
        ),
        SignalInput(text="\\N", channel="email", received_at=timezone.now(), source="KCC"),
    ]


def _built(
    organisation: Organisation,
    items: list[SignalInput],
    *,
    created_by: User | None = None,
    batch: ImportBatch | None = None,
) -> list[Feedback]:
    return [
        services._build(
            organisation,
            item,
            fingerprint=services.fingerprint_of(organisation.pk, item),
            created_by=created_by,
            batch=batch,
        )[0]
        for item in items
    ]


def _stored(organisation: Organisation) -> dict[str, dict[str, Any]]:
    """Every column of the organisation's signals by fingerprint, as the ORM reads them."""
    columns = [field.attname for field in Feedback._meta.concrete_fields]
    rows = Feedback.objects.filter(organisation=organisation).values(*columns)
    return {row["fingerprint"]: row for row in rows}


@on_postgresql
@pytest.mark.django_db
def test_copy_stores_what_bulk_create_stores_field_by_field(organisation, analyst):
    batch = ImportBatch.objects.create(
        organisation=organisation, source="KCC", filename="kcc.csv", file_format="csv"
    )
    items = _items(organisation)
    started = timezone.now()
    Feedback.objects.bulk_create(_built(organisation, items, created_by=analyst, batch=batch))
    by_orm = _stored(organisation)
    Feedback.objects.filter(organisation=organisation).delete()

    copied = _built(organisation, items, created_by=analyst, batch=batch)
    assert newrows.copy_insert(copied, connection=connection) == 3
    by_copy = _stored(organisation)
    finished = timezone.now()

    assert by_copy.keys() == by_orm.keys()
    for fingerprint, row in by_copy.items():
        orm_row = by_orm[fingerprint]
        assert started <= orm_row.pop("created_at") <= row.pop("created_at") <= finished
        orm_row.pop("id")
        row.pop("id")
        assert row == orm_row
    first = Feedback.objects.get(organisation=organisation, external_id="A-1")
    assert first.received_at == datetime(2025, 12, 31, 22, 30, tzinfo=UTC)
    assert first.received_at.tzinfo is not None
    assert first.redactions == {"BSN": 1, "TELEFOON": 1}
    assert "123456782" not in first.text
    assert first.text.endswith(AWKWARD)
    assert first.language == "nl"
    assert first.reference == services.reference_of(first.fingerprint)
    service = items[0].service
    assert service is not None
    assert (first.service_id, first.department_id) == (service.pk, service.department_id)
    assert (first.batch_id, first.created_by_id, first.closed_at) == (batch.pk, analyst.pk, None)
    second = Feedback.objects.get(organisation=organisation, external_id="A-2")
    assert (second.language, second.rating, second.service_id, second.location) == (
        "en",
        None,
        None,
        "",
    )
    assert second.redactions == {}
    assert Feedback.objects.get(organisation=organisation, channel="email").text == "\\N"
    assert all(not f._state.adding and f.pk is None for f in copied)  # COPY returns no keys


@on_postgresql
@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), min_size=1
    ),
)
def test_any_text_comes_back_from_copy_as_it_went_in(organisation, text):
    fingerprint = uuid.uuid4().hex
    feedback = Feedback(
        organisation=organisation,
        reference=fingerprint[:20],
        fingerprint=fingerprint,
        channel="web_form",
        text=text,
        location=text[:200],
        external_id=text[:100],
        received_at=timezone.now(),
        redactions={text: len(text)},
    )
    with transaction.atomic():
        newrows.copy_insert([feedback], connection=connection)
        stored = Feedback.objects.get(fingerprint=fingerprint)
        transaction.set_rollback(True)

    assert (stored.text, stored.location, stored.external_id) == (text, text[:200], text[:100])
    assert stored.redactions == {text: len(text)}


@on_postgresql
@pytest.mark.django_db
def test_equal_values_of_different_types_are_stored_as_bulk_create_stores_them(organisation):
    values: list[Any] = [True, 1, "1", 1, True, 1.0]

    def signals(tag: str) -> list[Feedback]:
        return [
            Feedback(
                organisation=organisation,
                reference=f"{tag}-{i}",
                fingerprint=f"{tag}-{i}",
                channel="web_form",
                text="Tekst",
                received_at=timezone.now(),
                external_id=value,
                redactions=value,
            )
            for i, value in enumerate(values)
        ]

    Feedback.objects.bulk_create(signals("orm"))
    newrows.copy_insert(signals("copy"), connection=connection)

    stored = {
        f.fingerprint: (f.external_id, f.redactions)
        for f in Feedback.objects.filter(organisation=organisation)
    }
    assert [stored[f"copy-{i}"] for i in range(6)] == [stored[f"orm-{i}"] for i in range(6)]
    assert stored["copy-0"] == ("True", True)
    assert stored["copy-5"] == ("1.0", 1.0)


@on_postgresql
@pytest.mark.django_db
def test_a_clash_with_a_stored_signal_is_djangos_integrity_error_and_stores_nothing(organisation):
    items = _items(organisation)
    newrows.copy_insert(_built(organisation, items[:1]), connection=connection)

    with pytest.raises(IntegrityError), transaction.atomic():
        newrows.copy_insert(_built(organisation, items[1:] + items[:1]), connection=connection)

    assert list(
        Feedback.objects.filter(organisation=organisation).values_list("external_id", flat=True)
    ) == ["A-1"]


@on_postgresql
@pytest.mark.django_db
def test_copy_takes_new_rows_of_one_model_only(organisation):
    stored = _built(organisation, _items(organisation)[:1])
    Feedback.objects.bulk_create(stored)

    with pytest.raises(ValueError, match="new Feedback rows only"):
        newrows.copy_insert(stored, connection=connection)
    unsaved_batch = ImportBatch(
        organisation=organisation, source="s", filename="f", file_format="csv"
    )
    with pytest.raises(ValueError, match="unsaved related object 'batch'"):
        newrows.copy_insert(
            _built(organisation, _items(organisation)[1:2], batch=unsaved_batch),
            connection=connection,
        )
    assert newrows.copy_insert([], connection=connection) == 0


# --- through the service, on both databases --------------------------------------------------


def _feedback_statements(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"].split(" ", 3)[0]
        for query in queries.captured_queries
        if '"feedback_feedback"' in query["sql"]
    ]


@pytest.mark.django_db
def test_ingest_links_contact_details_and_kept_originals_and_keeps_the_keys(organisation):
    organisation.keep_original_text = True
    organisation.save()
    items = _items(organisation)
    items[1] = replace(
        items[1], contact=ContactInput(name="Jan", email="jan@example.org", consent=True)
    )

    with CaptureQueriesContext(connection) as queries:
        result = feedback_ingest(organisation=organisation, items=items, keep_created=True)

    assert (result.imported, result.duplicates) == (3, 0)
    stored = {f.external_id: f for f in Feedback.objects.filter(organisation=organisation)}
    assert [f.pk for f in result.created] == [stored["A-1"].pk, stored["A-2"].pk, stored[""].pk]
    assert all(f.pk is not None and not f._state.adding for f in result.created)
    assert ContactDetails.objects.get().feedback == stored["A-2"]
    assert ContactDetails.objects.get().email == "jan@example.org"
    original = OriginalText.objects.get()  # only the redacted text differs from its original
    assert original.feedback == stored["A-1"]
    assert original.text.startswith("Mijn BSN is [BSN], bel 0612345678.")
    if connection.vendor == "postgresql":
        # The duplicates' lookup, the COPY, the keys' lookup: no INSERT.
        assert _feedback_statements(queries) == ["SELECT", "COPY", "SELECT"]
    else:
        assert _feedback_statements(queries) == ["SELECT", "INSERT"]


@pytest.mark.django_db
def test_ingest_looks_up_no_keys_when_nothing_refers_to_the_new_signals(organisation):
    items = _items(organisation)

    with CaptureQueriesContext(connection) as queries:
        result = feedback_ingest(organisation=organisation, items=items)
    again = feedback_ingest(organisation=organisation, items=items)

    assert (result.imported, result.created) == (3, [])
    assert (again.imported, again.duplicates) == (0, 3)
    if connection.vendor == "postgresql":
        assert _feedback_statements(queries) == ["SELECT", "COPY"]
    else:
        assert _feedback_statements(queries) == ["SELECT", "INSERT"]
