# SPDX-License-Identifier: EUPL-1.2
"""Importing in the browser: upload, columns, preview, progress, result, correction."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from leerlus.feedback.imports import batches
from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.imports.reasons import ImportFileError
from leerlus.feedback.models import Feedback, ImportBatch, ImportMapping
from leerlus.feedback.tasks import run_import
from leerlus.organisations.models import AuditEntry, Organisation, User
from leerlus.organisations.roles import Role


@pytest.fixture
def client_for(client_for):
    """Logged-in clients that ask for English pages (Dutch is the default)."""

    def login(user: User) -> Client:
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_upload(
    rows: list[list[str]], name: str = "export.csv", delimiter: str = ";"
) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode("utf-8"), content_type="text/csv")


HEADER = ["Kenmerk", "Datum", "Omschrijving", "Kanaal", "Dienst"]
ROWS = [
    HEADER,
    [
        "K-1",
        "31-12-2025 09:15",
        "Mijn BSN is 123456782 en het portaal hangt",
        "website",
        "Paspoort",
    ],
    ["K-2", "gisteren", "Datum is onleesbaar", "telefoon", ""],
    ["K-3", "31-12-2025", "Onbekende dienst", "balie", "Hondenbelasting"],
    ["K-4", "01-01-2026", "Alles in orde", "", ""],
]


def upload(client: Client, file: SimpleUploadedFile, source: str = "KCC-export") -> ImportBatch:
    response = client.post(reverse("imports:start"), {"file": file, "source": source})
    assert response.status_code == 302, response.content.decode()
    return ImportBatch.objects.latest("pk")


def mapping_post(**overrides: str) -> dict[str, str]:
    data = {
        "column_text": "Omschrijving",
        "column_received_at": "Datum",
        "column_channel": "Kanaal",
        "column_service": "Dienst",
        "column_external_id": "Kenmerk",
        "default_channel": "import",
        "date_format": "",
    }
    data.update(overrides)
    return data


def html(response) -> str:
    return response.content.decode()


# --- the whole way through --------------------------------------------------------------------


def test_upload_map_preview_import_and_see_the_result(client_for, analyst, organisation, media):
    client = client_for(analyst)

    start = client.get(reverse("imports:start"))
    assert start.status_code == 200
    assert 'enctype="multipart/form-data"' in html(start)
    assert "No imports yet." in html(start)

    batch = upload(client, csv_upload(ROWS))
    assert batch.status == ImportBatch.Status.PENDING
    assert batch.organisation == organisation
    assert batch.created_by == analyst
    assert batch.file_format == "csv"

    mapping_page = client.get(reverse("imports:mapping", args=[batch.pk]))
    page = html(mapping_page)
    assert mapping_page.status_code == 200
    # Recognised columns are chosen already.
    assert re.search(r'<option value="Omschrijving" selected>', page)
    assert re.search(r'<option value="Datum" selected>', page)
    assert '<label class="leerlus-field__label utrecht-form-label" for="id_column_text">' in page

    mapped = client.post(reverse("imports:mapping", args=[batch.pk]), mapping_post())
    assert mapped.status_code == 302
    assert mapped["Location"] == reverse("imports:preview", args=[batch.pk])

    preview = client.get(reverse("imports:preview", args=[batch.pk]))
    page = html(preview)
    assert preview.status_code == 200
    assert "<caption>" in page
    assert "Mijn BSN is [BSN] en het portaal hangt" in page
    assert "123456782" not in page
    assert "“gisteren” is not a date we can read." in page
    assert "There is no service “Hondenbelasting” in this organisation" in page
    assert "2 of them can be imported" in page
    assert Feedback.objects.count() == 0  # a preview stores nothing

    started = client.post(reverse("imports:run", args=[batch.pk]))
    assert started["Location"] == reverse("imports:progress", args=[batch.pk])

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE  # Celery runs eagerly in the tests
    assert (batch.imported, batch.rejected, batch.duplicates) == (2, 2, 0)
    assert not batch.file  # the uploaded file, with personal data, is gone
    assert not any(media.rglob("*.csv"))

    progress = client.get(reverse("imports:progress", args=[batch.pk]))
    assert progress["Location"] == reverse("imports:result", args=[batch.pk])

    result = client.get(reverse("imports:result", args=[batch.pk]))
    page = html(result)
    assert result.status_code == 200
    assert "Rows kept aside, with their reasons" in page
    assert "“gisteren” is not a date we can read." in page
    assert "Download rejected rows as CSV" in page
    assert "Correct row 3" in page
    assert ImportMapping.objects.get(organisation=organisation, source="KCC-export").mapping == {
        "text": "Omschrijving",
        "received_at": "Datum",
        "channel": "Kanaal",
        "service": "Dienst",
        "external_id": "Kenmerk",
    }

    recent = client.get(reverse("imports:start"))
    assert "export.csv" in html(recent)
    assert "leerlus-badge--ok" in html(recent)


def test_starting_twice_runs_the_import_once(client_for, analyst):
    client = client_for(analyst)
    batch = upload(client, csv_upload(ROWS))
    client.post(reverse("imports:mapping", args=[batch.pk]), mapping_post())

    client.post(reverse("imports:run", args=[batch.pk]))
    client.post(reverse("imports:run", args=[batch.pk]))
    run_import.delay(batch.pk)

    batch.refresh_from_db()
    assert (batch.imported, batch.duplicates) == (2, 0)
    assert AuditEntry.objects.filter(action="feedback.import").count() == 1


def test_the_saved_mapping_of_a_source_is_offered_again(client_for, analyst):
    client = client_for(analyst)
    rows = [["Wat", "Wanneer"], ["Lamp stuk", "01-01-2026"]]
    first = upload(client, csv_upload(rows), source="Oud systeem")
    client.post(
        reverse("imports:mapping", args=[first.pk]),
        {"column_text": "Wat", "column_received_at": "Wanneer", "default_channel": "phone"},
    )
    client.post(reverse("imports:run", args=[first.pk]))

    second = upload(client, csv_upload(rows, name="week2.csv"), source="Oud systeem")
    page = html(client.get(reverse("imports:mapping", args=[second.pk])))

    assert "The choices you made for this source last time are filled in." in page
    assert '<option value="Wat" selected>' in page
    assert '<option value="Wanneer" selected>' in page
    assert '<option value="phone" selected>' in page


def test_mapping_errors_are_summarised_and_linked_to_their_field(client_for, analyst):
    client = client_for(analyst)
    batch = upload(client, csv_upload(ROWS))

    response = client.post(
        reverse("imports:mapping", args=[batch.pk]),
        mapping_post(column_text="", column_location="Datum"),
    )

    page = html(response)
    assert response.status_code == 400
    assert 'class="leerlus-error-summary"' in page
    assert 'href="#id_column_text"' in page
    assert "Column “Datum” is already used for Date received." in page
    assert 'aria-invalid="true"' in page


def test_mail_skips_the_column_step(client_for, analyst):
    client = client_for(analyst)
    message = (
        b"Subject: Container\nDate: Mon, 01 Dec 2025 09:30:00 +0100\nMessage-ID: <a@b>\n\n"
        b"De container is niet geleegd.\n"
    )

    response = client.post(
        reverse("imports:start"),
        {"file": SimpleUploadedFile("mail.eml", message), "source": "Postbus"},
    )

    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("imports:preview", args=[batch.pk])
    client.post(reverse("imports:run", args=[batch.pk]))
    signal = Feedback.objects.get()
    assert (signal.channel, signal.external_id) == ("email", "a@b")


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (
            SimpleUploadedFile("notulen.docx", b"PK\x03\x04"),
            "notulen.docx is not a file we can import",
        ),
        (
            SimpleUploadedFile("export.csv", "tekst;datum\nhoi;1-1-2026\n".encode("utf-16-le")),
            "unreadable encoding",
        ),
        (SimpleUploadedFile("leeg.csv", b""), "The submitted file is empty."),
        (
            SimpleUploadedFile("nep.xlsx", b"tekst;datum\n"),
            "nep.xlsx cannot be read as a XLSX file.",
        ),
    ],
)
def test_files_that_cannot_be_imported_are_refused_with_a_specific_message(
    client_for, analyst, file, message
):
    client = client_for(analyst)

    response = client.post(reverse("imports:start"), {"file": file, "source": "KCC"})

    page = html(response)
    assert response.status_code == 400
    assert 'class="leerlus-error-summary"' in page
    assert message in page
    assert not ImportBatch.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client_for, analyst, monkeypatch):
    monkeypatch.setattr(batches, "MAX_UPLOAD_BYTES", 10)
    client = client_for(analyst)

    response = client.post(reverse("imports:start"), {"file": csv_upload(ROWS), "source": "KCC"})

    assert response.status_code == 400
    assert "The file is larger than 0 MB" in html(response)


def test_a_source_is_required(client_for, analyst):
    response = client_for(analyst).post(
        reverse("imports:start"), {"file": csv_upload(ROWS), "source": "   "}
    )

    assert response.status_code == 400
    assert 'href="#id_source"' in html(response)


def test_without_the_import_capability_no_access(client_for, make_user):
    front_office = make_user(Role.FRONT_OFFICE, username="kcc")

    response = client_for(front_office).get(reverse("imports:start"))

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("imports:start"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- another organisation's import ------------------------------------------------------------


@pytest.fixture
def foreign_batch(tmp_path, other_organisation: Organisation) -> ImportBatch:
    path = tmp_path / "geheim.csv"
    path.write_text("tekst;datum\nGeheim;nooit\nOok geheim;01-01-2026\n", encoding="utf-8")
    return import_file(organisation=other_organisation, path=path, source="Geheim")


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("imports:progress", "get", []),
        ("imports:mapping", "get", []),
        ("imports:preview", "get", []),
        ("imports:run", "post", []),
        ("imports:result", "get", []),
        ("imports:rejected_csv", "get", []),
        ("imports:corrected", "post", []),
        ("imports:correct_row", "get", ["row"]),
        ("imports:correct_row", "post", ["row"]),
    ],
)
def test_another_organisations_import_is_not_found(
    client_for, analyst, foreign_batch, name, method, extra
):
    args = [foreign_batch.pk] + [foreign_batch.rejected_rows.get().pk for _ in extra]
    client = client_for(analyst)

    response = getattr(client, method)(reverse(name, args=args))

    assert response.status_code == 404
    assert "Geheim" not in html(response)


def test_another_organisations_import_is_not_listed(client_for, analyst, foreign_batch):
    page = html(client_for(analyst).get(reverse("imports:start")))

    assert "geheim.csv" not in page


# --- progress -------------------------------------------------------------------------------


def test_progress_page_polls_a_fragment_every_second_and_has_a_refresh_link(
    client_for, analyst, organisation
):
    batch = ImportBatch.objects.create(
        organisation=organisation,
        source="KCC",
        filename="groot.csv",
        file_format="csv",
        status=ImportBatch.Status.RUNNING,
        total_bytes=1000,
        processed_bytes=450,
        rows_seen=4000,
        imported=3900,
        rejected=60,
        duplicates=40,
    )
    client = client_for(analyst)

    page = html(client.get(reverse("imports:progress", args=[batch.pk])))
    fragment = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")

    assert "<h1" in page
    assert "<h1" not in html(fragment)
    for text in (page, html(fragment)):
        assert 'hx-trigger="every 1s"' in text
        assert f'hx-get="{reverse("imports:progress", args=[batch.pk])}"' in text
        assert '<progress class="leerlus-progress" max="100" value="45"' in text
        assert "4000 rows read: 3900 imported, 60 kept aside, 40 already present." in text
        assert ">Refresh</a>" in text
        assert "http-equiv" not in text
    # While running, a swapped fragment has no heading: focus stays where it is.
    assert "<h2" not in html(fragment)

    batch.status = ImportBatch.Status.DONE
    batch.save()
    done = html(client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true"))

    assert "hx-trigger" not in done
    assert "data-leerlus-focus" in done
    assert 'data-leerlus-announce="Import finished: 3900 imported, 60 kept aside' in done
    assert reverse("imports:result", args=[batch.pk]) in done


def test_a_failed_import_shows_why(english, client_for, analyst, organisation, tmp_path):
    """The error is kept in the language of the import (here English, as the page is read)."""
    path = tmp_path / "leeg.csv"
    path.write_text("datum;kanaal\n01-01-2026;balie\n")
    with pytest.raises(ImportFileError):
        import_file(organisation=organisation, path=path, source="KCC")
    batch = ImportBatch.objects.get()

    page = html(client_for(analyst).get(reverse("imports:result", args=[batch.pk])))

    assert "The import failed" in page
    assert "No text column found. Columns seen: datum, kanaal." in page


# --- correcting rejected rows -----------------------------------------------------------------


@pytest.fixture
def imported(client_for, analyst) -> tuple[Client, ImportBatch]:
    client = client_for(analyst)
    batch = upload(client, csv_upload(ROWS))
    client.post(reverse("imports:mapping", args=[batch.pk]), mapping_post())
    client.post(reverse("imports:run", args=[batch.pk]))
    batch.refresh_from_db()
    return client, batch


def test_download_of_rejected_rows_has_the_original_columns_and_reasons(imported):
    client, batch = imported

    response = client.get(reverse("imports:rejected_csv", args=[batch.pk]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert table[0] == ["row", *HEADER, "reasons"]
    assert [line[:3] for line in table[1:]] == [
        ["3", "K-2", "gisteren"],
        ["4", "K-3", "31-12-2025"],
    ]
    assert "is not a date we can read" in table[1][-1]
    assert AuditEntry.objects.filter(action="feedback.import.download_rejected").count() == 1


def test_correct_one_row_in_the_browser(imported):
    client, batch = imported
    row = batch.rejected_rows.get(row_number=3)
    url = reverse("imports:correct_row", args=[batch.pk, row.pk])

    form = html(client.get(url))
    assert "Why this row was kept aside" in form
    assert "“gisteren” is not a date we can read." in form
    assert 'value="gisteren"' in form

    still_wrong = client.post(
        url,
        {
            "value_text": "Datum is onleesbaar",
            "value_received_at": "eergisteren",
            "value_channel": "telefoon",
            "value_service": "",
            "value_external_id": "K-2",
        },
    )
    page = html(still_wrong)
    assert still_wrong.status_code == 400
    assert 'class="leerlus-error-summary"' in page
    assert 'href="#id_value_received_at"' in page
    assert "“eergisteren” is not a date we can read." in page

    fixed = client.post(
        url,
        {
            "value_text": "Datum is onleesbaar",
            "value_received_at": "30-12-2025",
            "value_channel": "telefoon",
            "value_service": "",
            "value_external_id": "K-2",
        },
    )
    assert fixed["Location"] == reverse("imports:result", args=[batch.pk])
    row.refresh_from_db()
    assert row.resolved
    assert Feedback.objects.filter(external_id="K-2", source="KCC-export").exists()
    result = html(client.get(reverse("imports:result", args=[batch.pk])))
    assert "Row 3 has been imported." in result
    assert "1 still to correct" in result


def test_upload_corrected_csv_resolves_the_rows(imported):
    client, batch = imported
    download = b"".join(
        client.get(reverse("imports:rejected_csv", args=[batch.pk])).streaming_content
    ).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(download), delimiter=";"))
    table[1][2] = "30-12-2025"
    table[2][5] = "paspoort"
    corrected = io.StringIO()
    csv.writer(corrected, delimiter=";").writerows(table)

    response = client.post(
        reverse("imports:corrected", args=[batch.pk]),
        {"corrected": SimpleUploadedFile("correctie.csv", corrected.getvalue().encode())},
    )

    assert response["Location"] == reverse("imports:result", args=[batch.pk])
    assert not batch.rejected_rows.filter(resolved=False).exists()
    batch.refresh_from_db()
    assert batch.imported == 4
    page = html(client.get(reverse("imports:result", args=[batch.pk])))
    assert "2 new, 0 already present, 2 rejected rows resolved, 0 still wrong" in page
    assert "Download rejected rows as CSV" not in page


def test_a_corrected_file_of_the_wrong_kind_is_refused(imported):
    client, batch = imported

    response = client.post(
        reverse("imports:corrected", args=[batch.pk]),
        {"corrected": SimpleUploadedFile("mail.eml", b"Subject: x\n\ny")},
    )

    assert response.status_code == 400
    assert "Upload the corrected rows as a CSV, XLSX or JSONL file." in html(response)


def test_a_corrected_file_without_the_columns_is_refused(imported):
    client, batch = imported

    response = client.post(
        reverse("imports:corrected", args=[batch.pk]),
        {"corrected": SimpleUploadedFile("c.csv", b"iets;anders\n1;2\n")},
    )

    assert response.status_code == 400
    assert "the file has no such column" in html(response)


def test_finished_imports_cannot_be_mapped_again(imported):
    client, batch = imported

    response = client.get(reverse("imports:mapping", args=[batch.pk]))

    assert response["Location"] == reverse("imports:progress", args=[batch.pk])


def test_pages_have_one_h1_and_labelled_tables(imported, client_for):
    client, batch = imported
    for name in ("imports:start", "imports:result"):
        args = [] if name == "imports:start" else [batch.pk]
        page = html(client.get(reverse(name, args=args)))
        assert page.count("<h1") == 1
        assert page.count("<table") == page.count("<caption")


def test_signals_list_links_to_imports(client_for, analyst):
    page = html(client_for(analyst).get(reverse("feedback:list")))

    assert reverse("imports:start") in page


def test_a_waiting_import_whose_file_is_gone_fails_instead_of_waiting_for_ever(client_for, analyst):
    client = client_for(analyst)
    batch = upload(client, csv_upload(ROWS))
    client.post(reverse("imports:mapping", args=[batch.pk]), mapping_post())
    Path(batch.file.path).unlink()

    client.post(reverse("imports:run", args=[batch.pk]))

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    page = html(client.get(reverse("imports:result", args=[batch.pk])))
    assert "export" in page
    assert "cannot be opened" in page
