# SPDX-License-Identifier: EUPL-1.2
"""An import's life: formats and encodings, duplicates, counters and progress, the saved
mapping, the audit entry, a file that cannot be imported."""

import codecs
import json
from datetime import UTC, datetime

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leerlus.feedback.imports import batches
from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.imports.reasons import ImportFileError, describe_all
from leerlus.feedback.models import ImportBatch, ImportMapping
from leerlus.organisations.models import AuditEntry

from .files import GOOD_ROWS, signals_of, write_csv

# Reasons are put into words in the active language; these tests read English.
pytestmark = pytest.mark.usefixtures("english")


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


def test_utf16_csv_from_excel_imports(tmp_path, organisation):
    text = "tekst\tdatum\r\nHallo\t31-12-2025\r\n"
    path = tmp_path / "unicode.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert batch.imported == 1


def test_postgresql_statistics_are_refreshed_while_a_large_import_grows_the_table(
    tmp_path, organisation, monkeypatch
):
    monkeypatch.setattr(batches._TableStatistics, "FIRST", 100)
    rows = [[f"id-{i}", "31-12-2025", f"Melding {i}", "", "", ""] for i in range(4500)]
    path = write_csv(tmp_path, rows)

    with CaptureQueriesContext(connection) as queries:
        import_file(organisation=organisation, path=path, source="KCC")

    analyses = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        assert analyses == ['ANALYZE "feedback_feedback"'] * 2  # after 2,000 and 4,000 rows
    else:
        assert analyses == []
