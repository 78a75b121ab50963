# SPDX-License-Identifier: EUPL-1.2
"""Mapping rows: every problem its own reason, values kept redacted, no query per row, and
whatever the strings, a signal or reasons."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerlus.engine import tables
from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.imports.mapping import Reference, RowMapper
from leerlus.feedback.imports.reasons import describe_all
from leerlus.feedback.models import ImportBatch, RejectedRow
from leerlus.feedback.parsing import ColumnMapping, auto_mapping
from leerlus.feedback.services import SignalInput

from .files import HEADER, signals_of, write_csv

# Reasons are put into words in the active language; these tests read English.
pytestmark = pytest.mark.usefixtures("english")


# --- reasons ---------------------------------------------------------------------------------


def test_every_kind_of_problem_gets_its_own_specific_reason(tmp_path, organisation):
    future = (timezone.now() + timedelta(days=3)).strftime("%d-%m-%Y")
    header = [*HEADER, "zaak", "afdeling", "melder"]
    rows = [
        ["1", "31-12-2025", "", "balie", "", "", "", "", ""],
        ["2", "31-12-2025", "x" * 10_001, "", "", "", "", "", ""],
        ["3", "gisteren", "Tekst", "", "", "", "", "", ""],
        ["4", future, "Tekst", "", "", "", "", "", ""],
        ["5", "31-12-2025", "Tekst", "postduif", "", "", "", "", ""],
        ["6", "31-12-2025", "Tekst", "", "Hondenbelasting", "", "", "", ""],
        ["7", "31-12-2025", "Tekst", "", "", "7", "", "", ""],
        ["8", "31-12-2025", "Tekst", "", "", "", "geen-url", "", ""],
        ["9", "31-12-2025", "Tekst", "", "", "", "", "Geheime Afdeling", "alien"],
        [
            "10",
            "31-12-2025",
            "Alles goed",
            "e-mail",
            "PASPOORT",
            "4,0",
            "https://zaken.example.nl/zaak/1",
            "publiekszaken",
            "bedrijf",
        ],
    ]
    path = write_csv(tmp_path, rows, header=header)

    batch = import_file(organisation=organisation, path=path, source="test")

    reasons = {row.row_number: describe_all(row.reasons) for row in batch.rejected_rows.all()}
    assert reasons == {
        2: ["The text is empty."],
        3: ["The text is 10001 characters long; at most 10000 characters are allowed."],
        4: [
            "“gisteren” is not a date we can read. Expected a date such as 31-12-2025, "
            "31-12-2025 14:05, 31/12/2025, 2025-12-31, 2025-12-31T14:05:00Z."
        ],
        5: [f"The date “{future}” lies in the future."],
        6: [
            "“postduif” is not a known channel. Accepted channels: web_form, phone, counter, "
            "email, chat, social_media, api, import, session."
        ],
        7: [
            "There is no service “Hondenbelasting” in this organisation (by name or short "
            "name). Add it to the organisation's services, or import again with the option to "
            "create missing services."
        ],
        8: ["The rating “7” is not a whole number from 1 to 5."],
        9: ["“geen-url” is not a valid web address (http or https, at most 200 characters)."],
        10: [
            "There is no department “Geheime Afdeling” in this organisation (by name or short "
            "name).",
            "“alien” is not a known kind of reporter. Accepted: citizen, business, staff, partner.",
        ],
    }
    (signal,) = signals_of(organisation)
    assert (signal.channel, signal.rating, signal.reporter_kind) == ("email", 4, "business")
    assert signal.case_url == "https://zaken.example.nl/zaak/1"
    assert (batch.imported, batch.rejected) == (1, 9)


def test_rejected_rows_keep_all_values_with_personal_data_redacted(tmp_path, organisation):
    header = ["tekst", "datum", "dienst", "Naam melder"]
    path = write_csv(
        tmp_path,
        [["Mijn BSN is 123456782", "gisteren", "Paspoort", "mijn naam is Jan de Vries"]],
        header=header,
    )

    batch = import_file(organisation=organisation, path=path, source="test")

    row = batch.rejected_rows.get()
    assert row.values["tekst"] == "Mijn BSN is [BSN]"
    assert row.values["datum"] == "gisteren"  # fields to correct are kept as they were
    assert row.values["dienst"] == "Paspoort"
    assert "Vries" not in row.values["Naam melder"]


def test_services_and_departments_are_loaded_once_not_per_row(
    tmp_path, organisation, django_assert_max_num_queries
):
    rows = [[f"id-{i}", "31-12-2025", f"Tekst {i}", "web", "Paspoort", "3"] for i in range(300)]
    path = write_csv(tmp_path, rows)

    with django_assert_max_num_queries(25):
        batch = import_file(organisation=organisation, path=path, source="test")

    assert batch.imported == 300


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.dictionaries(
        st.sampled_from([*HEADER, "afdeling", "melder", "zaak", "taal", "locatie", "_error"])
        | st.just(tables.ROW_ERROR),
        st.text(max_size=60),
    )
)
def test_row_mapper_never_raises_on_arbitrary_strings(organisation, values):
    mapping = auto_mapping([*HEADER, "afdeling", "melder", "zaak", "taal", "locatie"])
    mapper = RowMapper(
        organisation=organisation,
        source="fuzz",
        mapping=mapping,
        reference=Reference(services={}, departments={}),
    )

    result = mapper.map(values)

    if isinstance(result, SignalInput):
        assert result.text
        assert result.received_at.tzinfo is not None
    else:
        assert result, "a row that is not imported has at least one reason"
        assert all(isinstance(text, str) and text for text in describe_all(result))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.text(min_size=1, max_size=300), st.text(max_size=30))
def test_any_text_in_a_file_is_imported_or_kept_never_an_error(
    tmp_path_factory, organisation, text, date
):
    path = tmp_path_factory.mktemp("fuzz") / "rij.jsonl"
    path.write_text(json.dumps({"text": text, "date": date or "2025-01-01"}) + "\n")

    batch = import_file(organisation=organisation, path=path, source="fuzz")

    assert batch.status == ImportBatch.Status.DONE
    assert batch.imported + batch.duplicates + batch.rejected == 1


def test_mapper_uses_defaults_and_explicit_mapping(organisation):
    mapper = RowMapper(
        organisation=organisation,
        source="s",
        mapping=ColumnMapping(
            columns={"text": "T", "received_at": "D"}, defaults={"channel": "telefoon"}
        ),
    )

    result = mapper.map({"T": " Hallo ", "D": "01-01-2025"})

    assert isinstance(result, SignalInput)
    assert (result.text, result.channel, result.source) == ("Hallo", "phone", "s")


def test_rejected_row_model_holds_reason_codes(tmp_path, organisation):
    path = write_csv(tmp_path, [["1", "nooit", "Tekst", "", "", ""]])

    batch = import_file(organisation=organisation, path=path, source="s")

    row = RejectedRow.objects.get(batch=batch)
    assert row.reasons == [
        {
            "code": "bad_date",
            "field": "received_at",
            "params": {
                "value": "nooit",
                "formats": "31-12-2025, 31-12-2025 14:05, 31/12/2025, 2025-12-31, "
                "2025-12-31T14:05:00Z",
            },
        }
    ]
