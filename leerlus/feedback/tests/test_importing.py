"""Importing files into the database: formats, reasons, quarantine, duplicates, progress."""

import codecs
import csv
import gc
import io
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leerlus.feedback import importing, parsing, services
from leerlus.feedback.importing import (
    ImportFileError,
    RowMapper,
    describe_all,
    import_file,
    rejected_row_correct,
    rejected_rows_csv,
    rejected_rows_reimport,
)
from leerlus.feedback.models import Feedback, ImportBatch, ImportMapping, RejectedRow
from leerlus.feedback.parsing import ColumnMapping, auto_mapping
from leerlus.feedback.services import SignalInput
from leerlus.organisations.models import AuditEntry, Organisation

HEADER = ["id", "datum", "tekst", "kanaal", "dienst", "score"]


@pytest.fixture(autouse=True)
def english():
    """Reasons are put into words in the active language; these tests read English."""
    with translation.override("en"):
        yield


def write_csv(
    tmp_path: Path,
    rows: list[list[Any]],
    *,
    header: list[str] = HEADER,
    delimiter: str = ";",
    encoding: str = "utf-8",
    name: str = "export.csv",
) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def signals_of(organisation: Organisation) -> list[Feedback]:
    return list(Feedback.objects.filter(organisation=organisation).order_by("received_at", "pk"))


GOOD_ROWS = [
    ["A-1", "31-12-2025", "Café bij de balie duurde € 5 te lang", "balie", "Paspoort", "2"],
    ["A-2", "31-12-2025 14:05", "Mijn BSN is 123456782, bel 0612345678", "telefoon", "", ""],
    ["A-3", "2025-12-31T14:05:00Z", "Formulier werkt niet", "", "paspoort", "5"],
]


# --- formats and encodings -------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_rows_become_signals_in_every_encoding_and_delimiter(
    tmp_path, organisation, analyst, delimiter, encoding
):
    path = write_csv(tmp_path, GOOD_ROWS, delimiter=delimiter, encoding=encoding)

    batch = import_file(
        organisation=organisation, path=path, source="KCC-export", created_by=analyst
    )

    assert (batch.imported, batch.rejected, batch.duplicates) == (3, 0, 0)
    assert batch.status == ImportBatch.Status.DONE
    assert batch.rows_seen == 3
    assert batch.processed_bytes == batch.total_bytes == path.stat().st_size
    assert batch.finished_at is not None
    first, second, third = signals_of(organisation)
    assert first.text == "Café bij de balie duurde € 5 te lang"
    assert first.channel == "counter"
    assert first.service is not None
    assert first.service.slug == "paspoort"
    assert first.department is not None
    assert first.department.slug == "publiekszaken"
    assert first.rating == 2
    assert first.received_at == datetime(2025, 12, 30, 23, 0, tzinfo=UTC)
    assert first.source == "KCC-export"
    assert first.external_id == "A-1"
    assert first.batch_id == batch.pk
    assert first.created_by == analyst
    assert second.received_at == datetime(2025, 12, 31, 13, 5, tzinfo=UTC)
    assert "123456782" not in second.text
    assert "[BSN]" in second.text
    assert "[TELEFOON]" in second.text
    assert second.channel == "phone"
    assert third.received_at == datetime(2025, 12, 31, 14, 5, tzinfo=UTC)
    assert third.channel == "import"  # no channel given: the import's own
    assert third.service is not None
    assert third.service.slug == "paspoort"


def test_xlsx_import(tmp_path, organisation):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Omschrijving", "Datum", "Kanaal", "Waardering"])
    sheet.append(["Lange wachttijd", datetime(2025, 6, 1, 10, 30), "website", 3])
    sheet.append(["Geen datum", None, "website", 3])
    path = tmp_path / "enquete.xlsx"
    workbook.save(path)

    batch = import_file(organisation=organisation, path=path, source="enquete")

    assert (batch.imported, batch.rejected) == (1, 1)
    (signal,) = signals_of(organisation)
    assert signal.received_at == datetime(2025, 6, 1, 8, 30, tzinfo=UTC)  # summer time
    assert signal.channel == "web_form"
    assert signal.rating == 3
    rejected = batch.rejected_rows.get()
    assert rejected.row_number == 3
    assert describe_all(rejected.reasons) == ["The date is empty."]


def test_jsonl_import_keeps_broken_lines_as_rejected_rows(tmp_path, organisation):
    lines = [
        json.dumps(
            {
                "text": "Ik heb goede hulp gehad van de gemeente",
                "received_at": "2025-03-01T09:00:00Z",
            }
        ),
        "{kapot",
        json.dumps(
            {
                "text": "Taal opgegeven",
                "date": "x",
                "received_at": "01-03-2025",
                "language": "Engels",
            }
        ),
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    batch = import_file(organisation=organisation, path=path, source="chat")

    assert (batch.imported, batch.rejected) == (2, 1)
    assert {s.language for s in signals_of(organisation)} == {"nl", "en"}
    broken = batch.rejected_rows.get()
    assert broken.row_number == 3
    assert describe_all(broken.reasons) == ["This line is not valid JSON."]
    assert broken.values["_line"] == "{kapot"


EML = b"""From: Jan Jansen <jan.jansen@example.nl>
To: info@gemeente.example
Subject: Paspoort afspraak
Date: Tue, 02 Dec 2025 10:15:00 +0100
Message-ID: <abc-123@example.nl>
Content-Type: text/plain; charset=utf-8

Ik kan geen afspraak maken. Bel me op 0612345678.

Met vriendelijke groet,
Jan

> eerder bericht
"""


def test_eml_and_mbox_are_routed_to_the_mail_reader(tmp_path, organisation):
    eml = tmp_path / "vraag.eml"
    eml.write_bytes(EML)
    mbox = tmp_path / "postbus.mbox"
    second = EML.replace(b"<abc-123@example.nl>", b"<def-456@example.nl>").replace(
        b"Paspoort afspraak", b"Rijbewijs"
    )
    mbox.write_bytes(
        b"From jan@example.nl Tue Dec  2 10:15:00 2025\n"
        + EML
        + b"\n"
        + b"From jan@example.nl Tue Dec  2 11:15:00 2025\n"
        + second
        + b"\n"
    )

    from_eml = import_file(organisation=organisation, path=eml, source="mailbox")
    from_mbox = import_file(organisation=organisation, path=mbox, source="mailbox")

    assert (from_eml.imported, from_eml.file_format) == (1, "eml")
    assert (from_mbox.imported, from_mbox.duplicates, from_mbox.file_format) == (1, 1, "mbox")
    signals = {s.external_id: s for s in signals_of(organisation)}
    assert set(signals) == {"abc-123@example.nl", "def-456@example.nl"}
    mail = signals["abc-123@example.nl"]
    assert mail.channel == "email"
    assert mail.received_at == datetime(2025, 12, 2, 9, 15, tzinfo=UTC)
    assert mail.text.startswith("Paspoort afspraak\n\nIk kan geen afspraak maken.")
    assert "jan.jansen@example.nl" not in mail.text
    assert "0612345678" not in mail.text
    assert "eerder bericht" not in mail.text


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
        7: ["There is no service “Hondenbelasting” in this organisation (by name or short name)."],
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
        | st.just(parsing.ROW_ERROR),
        st.text(max_size=60),
    )
)
def test_row_mapper_never_raises_on_arbitrary_strings(organisation, values):
    mapping = auto_mapping([*HEADER, "afdeling", "melder", "zaak", "taal", "locatie"])
    mapper = RowMapper(
        organisation=organisation,
        source="fuzz",
        mapping=mapping,
        reference=importing.Reference(services={}, departments={}),
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


# --- duplicates ------------------------------------------------------------------------------


def test_importing_the_same_file_twice_imports_nothing_twice(tmp_path, organisation):
    rows = [*GOOD_ROWS, ["", "01-01-2026", "Zonder kenmerk", "", "", ""]]
    path = write_csv(tmp_path, rows)

    first = import_file(organisation=organisation, path=path, source="KCC")
    second = import_file(organisation=organisation, path=path, source="KCC")

    assert (first.imported, first.duplicates) == (4, 0)
    assert (second.imported, second.duplicates, second.rejected) == (0, 4, 0)
    assert len(signals_of(organisation)) == 4


def test_the_same_row_in_another_source_is_another_signal(tmp_path, organisation):
    path = write_csv(tmp_path, GOOD_ROWS)

    import_file(organisation=organisation, path=path, source="KCC")
    other = import_file(organisation=organisation, path=path, source="Enquête")

    assert other.imported == 3


def test_duplicate_rows_within_one_file_are_stored_once(tmp_path, organisation):
    row = ["", "01-01-2026 10:00", "Twee keer dezelfde melding", "", "", ""]
    path = write_csv(tmp_path, [row, row, GOOD_ROWS[0]])

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.imported, batch.duplicates) == (2, 1)


def test_a_chunk_refused_by_a_concurrent_writer_is_retried(tmp_path, organisation, monkeypatch):
    path = write_csv(tmp_path, GOOD_ROWS)
    real = importing.feedback_ingest
    calls = {"n": 0}

    def clashing_once(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(importing, "feedback_ingest", clashing_once)

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.imported, batch.rejected) == (3, 0)
    assert calls["n"] == 2


def test_a_signal_another_worker_stores_during_the_insert_is_then_a_duplicate(
    tmp_path, organisation, monkeypatch
):
    # No stand-in for the clash: the database refuses the chunk (COPY on PostgreSQL,
    # bulk_create on SQLite) because the same signal was stored after the chunk looked.
    path = write_csv(tmp_path, GOOD_ROWS)
    real_build = services._build
    stored_meanwhile: list[Feedback] = []

    def build_while_another_worker_stores(
        organisation: Organisation, item: SignalInput, **kwargs: Any
    ) -> tuple[Feedback, str]:
        if not stored_meanwhile:
            twin, _original = real_build(organisation, item, **kwargs)
            twin.save()
            stored_meanwhile.append(twin)
        return real_build(organisation, item, **kwargs)

    monkeypatch.setattr(services, "_build", build_while_another_worker_stores)

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.imported, batch.duplicates, batch.rejected) == (2, 1, 0)
    assert sorted(f.external_id for f in signals_of(organisation)) == ["A-1", "A-2", "A-3"]


def test_a_row_that_keeps_clashing_is_kept_aside_not_lost(tmp_path, organisation, monkeypatch):
    path = write_csv(tmp_path, GOOD_ROWS)
    real = importing.feedback_ingest

    def clashing_on_a2(**kwargs: Any) -> Any:
        if any(item.external_id == "A-2" for item in kwargs["items"]):
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(importing, "feedback_ingest", clashing_on_a2)

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.imported, batch.rejected) == (2, 1)
    kept = batch.rejected_rows.get()
    assert kept.row_number == 3
    assert describe_all(kept.reasons)[0].startswith("This row could not be stored")


# --- the batch: counters, progress, mapping, audit ---------------------------------------------


def test_progress_is_reported_per_chunk_with_growing_counters(tmp_path, organisation):
    rows = [[f"id-{i}", "31-12-2025", f"Melding {i}", "", "", ""] for i in range(5000)]
    rows[10][1] = "geen datum"
    path = write_csv(tmp_path, rows)
    seen: list[tuple[str, int, int, int]] = []

    def progress(batch: ImportBatch) -> None:
        seen.append((batch.status, batch.rows_seen, batch.processed_bytes, batch.rejected))

    batch = import_file(organisation=organisation, path=path, source="KCC", progress=progress)

    running = [s for s in seen if s[0] == ImportBatch.Status.RUNNING]
    assert [s[1] for s in running] == [2000, 4000, 5000]
    assert [s[2] for s in running] == sorted(s[2] for s in running)
    assert running[0][2] < path.stat().st_size
    assert seen[-1] == (ImportBatch.Status.DONE, 5000, path.stat().st_size, 1)
    stored = ImportBatch.objects.get(pk=batch.pk)
    assert (stored.imported, stored.rejected, stored.percent) == (4999, 1, 100)


def test_the_mapping_used_is_saved_per_source_and_an_explicit_mapping_wins(tmp_path, organisation):
    header = ["Melding", "Wanneer", "Soort"]
    path = write_csv(tmp_path, [["Lang wachten", "12/31/2025", "Telefoon"]], header=header)
    mapping = {
        "text": "Melding",
        "received_at": "Wanneer",
        "defaults": {"channel": "balie"},
        "date_format": "%m/%d/%Y",
    }

    batch = import_file(organisation=organisation, path=path, source="Oud systeem", mapping=mapping)

    (signal,) = signals_of(organisation)
    assert signal.channel == "counter"  # the default: "Soort" is not mapped
    assert signal.received_at == datetime(2025, 12, 30, 23, 0, tzinfo=UTC)
    saved = ImportMapping.objects.get(organisation=organisation, source="Oud systeem")
    assert saved.mapping == mapping
    assert batch.mapping == {**mapping, "header": header}


def test_audit_entry_with_the_counts(tmp_path, organisation, analyst):
    path = write_csv(tmp_path, [*GOOD_ROWS, ["X", "nooit", "Tekst", "", "", ""]])

    batch = import_file(organisation=organisation, path=path, source="KCC", created_by=analyst)

    entry = AuditEntry.objects.get(action="feedback.import")
    assert entry.actor == analyst
    assert entry.object_id == str(batch.pk)
    assert entry.result == AuditEntry.Result.SUCCESS
    assert entry.details == {
        "source": "KCC",
        "format": "csv",
        "rows": 4,
        "imported": 3,
        "rejected": 1,
        "duplicates": 0,
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "has no rows"),
        (b"datum;kanaal\n01-01-2025;balie\n", "No text column found. Columns seen: datum, kanaal"),
        ("text,date\nhoi,2025-01-01\n".encode("utf-16-le"), "unreadable encoding"),
    ],
)
def test_a_file_that_cannot_be_imported_fails_the_batch_with_a_clear_error(
    tmp_path, organisation, content, message
):
    path = tmp_path / "slecht.csv"
    path.write_bytes(content)

    with pytest.raises(ImportFileError, match=message) as caught:
        import_file(organisation=organisation, path=path, source="KCC")

    batch = caught.value.batch
    assert batch is not None
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert message in batch.error
    assert AuditEntry.objects.get(action="feedback.import").result == AuditEntry.Result.FAILURE


# --- quarantine: download, correct, re-import --------------------------------------------------


def test_quarantine_round_trip_download_correct_reimport(tmp_path, organisation, analyst):
    rows = [
        GOOD_ROWS[0],
        ["B-1", "gisteren", "Mijn BSN is 123456782 en de site is traag", "web", "", ""],
        ["B-2", "01-02-2026", "Verkeerde dienst", "web", "Hondenbelasting", ""],
        ["B-3", "01-02-2026", "", "web", "", ""],
    ]
    batch = import_file(
        organisation=organisation, path=write_csv(tmp_path, rows), source="KCC", created_by=analyst
    )
    assert (batch.imported, batch.rejected) == (1, 3)

    download = "".join(rejected_rows_csv(batch))
    assert download.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(download.lstrip("\ufeff")), delimiter=";"))
    assert table[0] == ["row", *HEADER, "reasons"]
    assert [line[0] for line in table[1:]] == ["3", "4", "5"]
    assert table[1][3] == "Mijn BSN is [BSN] en de site is traag"
    assert "not a date" in table[1][-1]

    table[1][2] = "02-02-2026"  # a date for B-1
    table[2][5] = "Paspoort"  # an existing service for B-2; B-3 stays without text
    corrected = tmp_path / "gecorrigeerd.csv"
    with corrected.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows(table)

    result = rejected_rows_reimport(batch=batch, path=corrected, corrected_by=analyst)

    assert (result.imported, result.resolved, result.rejected) == (2, 2, 1)
    batch.refresh_from_db()
    assert batch.imported == 3
    assert set(batch.rejected_rows.filter(resolved=True).values_list("row_number", flat=True)) == {
        3,
        4,
    }
    still = batch.rejected_rows.get(resolved=False)
    assert describe_all(still.reasons) == ["The text is empty."]
    b1 = Feedback.objects.get(external_id="B-1")
    assert b1.text == "Mijn BSN is [BSN] en de site is traag"
    assert b1.source == "KCC"
    assert b1.batch_id == batch.pk

    again = rejected_rows_reimport(batch=batch, path=corrected, corrected_by=analyst)
    assert (again.imported, again.duplicates, again.resolved) == (0, 2, 0)
    assert Feedback.objects.filter(organisation=organisation).count() == 3


def test_correcting_one_row_resolves_it_or_gives_the_new_reasons(tmp_path, organisation, analyst):
    path = write_csv(tmp_path, [["C-1", "gisteren", "Tekst", "postduif", "", ""]])
    batch = import_file(organisation=organisation, path=path, source="KCC")
    row = batch.rejected_rows.get()

    still_wrong = rejected_row_correct(
        row=row, values={"datum": "01-01-2026"}, corrected_by=analyst
    )

    row.refresh_from_db()
    assert describe_all(still_wrong) == describe_all(row.reasons)
    assert "postduif" in describe_all(row.reasons)[0]
    assert row.values["datum"] == "01-01-2026"
    assert not row.resolved

    fixed = rejected_row_correct(row=row, values={"kanaal": "balie"}, corrected_by=analyst)

    row.refresh_from_db()
    batch.refresh_from_db()
    assert fixed == []
    assert row.resolved
    assert batch.imported == 1
    signal = Feedback.objects.get(external_id="C-1")
    assert (signal.channel, signal.source) == ("counter", "KCC")


# --- several processes -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_import_in_worker_processes_gives_the_same_result(tmp_path, organisation, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 40)
    rows = [[f"id-{i}", "31-12-2025", f"Melding nummer {i}", "web", "", ""] for i in range(300)]
    rows[5][1] = "geen datum"
    rows += [list(row) for row in rows[:50]]  # duplicates across chunks and processes
    path = write_csv(tmp_path, rows)

    first = import_file(organisation=organisation, path=path, source="KCC", workers=2)
    second = import_file(organisation=organisation, path=path, source="KCC", workers=2)

    assert (first.imported, first.duplicates, first.rejected) == (299, 49, 2)
    assert first.rejected_rows.count() == 2
    assert (second.imported, second.duplicates, second.rejected) == (0, 348, 2)
    assert Feedback.objects.filter(organisation=organisation).count() == 299


_process_in_worker = importing._process_in_worker
# Where each worker notes how many objects it left to the importing process (set by the test;
# the forked workers inherit it).
_frozen_notes: Path | None = None


def _noting_the_frozen_objects(rows: list[parsing.Row]) -> importing.ChunkResult:
    assert _frozen_notes is not None
    (_frozen_notes / f"frozen-{os.getpid()}").write_text(str(gc.get_freeze_count()))
    return _process_in_worker(rows)


@pytest.mark.django_db(transaction=True)
def test_workers_leave_what_the_parent_loaded_out_of_their_garbage_collection(
    tmp_path, organisation, monkeypatch
):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    monkeypatch.setattr(importing, "_process_in_worker", _noting_the_frozen_objects)
    monkeypatch.setattr(sys.modules[__name__], "_frozen_notes", tmp_path)
    path = write_csv(tmp_path, GOOD_ROWS * 2)

    batch = import_file(organisation=organisation, path=path, source="KCC", workers=2)

    assert (batch.imported, batch.duplicates) == (3, 3)
    frozen = [int(p.read_text()) for p in tmp_path.glob("frozen-*")]
    assert frozen
    assert all(count > 10_000 for count in frozen)  # Django and the apps, at least
    assert gc.get_freeze_count() == 0  # the importing process collects as before


def test_worker_count_stays_one_where_processes_cannot_help(organisation):
    # Inside a test transaction (and on SQLite) worker processes would not see the data.
    assert importing.auto_workers(10**9) == 1
    assert importing.auto_workers(10) == 1


def test_utf16_csv_from_excel_imports(tmp_path, organisation):
    text = "tekst\tdatum\r\nHallo\t31-12-2025\r\n"
    path = tmp_path / "unicode.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert batch.imported == 1


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


def test_postgresql_statistics_are_refreshed_while_a_large_import_grows_the_table(
    tmp_path, organisation, monkeypatch
):
    monkeypatch.setattr(importing._TableStatistics, "FIRST", 100)
    rows = [[f"id-{i}", "31-12-2025", f"Melding {i}", "", "", ""] for i in range(4500)]
    path = write_csv(tmp_path, rows)

    with CaptureQueriesContext(connection) as queries:
        import_file(organisation=organisation, path=path, source="KCC")

    analyses = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert analyses == ['ANALYZE "feedback_feedback"'] * 2  # after 2,000 and 4,000 rows
    else:
        assert analyses == []
