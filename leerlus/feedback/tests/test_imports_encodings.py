# SPDX-License-Identifier: EUPL-1.2
"""Files in more than one encoding, and with a NUL byte: every row read, the odd ones said."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.imports.reasons import describe_all
from leerlus.feedback.models import Feedback

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = b"id;datum;tekst\n"


def mixed_file(tmp_path: Path) -> Path:
    """UTF-8, with rows 3 and 5 saved in Windows-1252 (two exports glued together)."""
    lines = [
        "M-1;31-12-2025;Café bij de balie".encode(),
        "M-2;31-12-2025;Café in de hal".encode("cp1252"),
        "M-3;31-12-2025;Één loket".encode(),
        "M-4;31-12-2025;Wachten voor € 5".encode("cp1252"),
        b"M-5;31-12-2025;Gewoon",
    ]
    path = tmp_path / "gemengd.csv"
    path.write_bytes(HEADER + b"\n".join(lines) + b"\n")
    return path


def test_windows_rows_of_a_utf8_file_are_read_right_and_counted(tmp_path, organisation):
    batch = import_file(organisation=organisation, path=mixed_file(tmp_path), source="KCC")

    texts = dict(Feedback.objects.values_list("external_id", "text"))
    assert texts["M-2"] == "Café in de hal"
    assert texts["M-4"] == "Wachten voor € 5"
    assert texts["M-1"] == "Café bij de balie"
    assert (batch.imported, batch.recoded, batch.recoded_rows) == (5, 2, [3, 5])


def test_the_result_page_says_which_rows_were_read_as_windows(
    tmp_path, organisation, client_for, analyst
):
    batch = import_file(organisation=organisation, path=mixed_file(tmp_path), source="KCC")

    page = client_for(analyst).get(
        reverse("imports:result", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "2 rows were read as Windows-1252: rows 3, 5." in page.content.decode()


def test_the_command_says_which_rows_were_read_as_windows(tmp_path, organisation):
    out = io.StringIO()
    call_command(
        "import", str(mixed_file(tmp_path)), "--org", "eendorp", "--source", "KCC", stdout=out
    )

    assert "2 rows were read as Windows-1252: rows 3, 5." in out.getvalue()


def test_a_nul_byte_rejects_its_row_and_the_rest_is_imported(tmp_path, organisation):
    path = tmp_path / "nul.csv"
    path.write_bytes(HEADER + b"N-1;31-12-2025;Een\nN-2;31-12-2025;Tw\x00ee\nN-3;31-12-2025;Drie\n")

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.status, batch.imported, batch.rejected) == ("done", 2, 1)
    rejected = batch.rejected_rows.get()
    assert rejected.row_number == 3
    assert rejected.values["tekst"] == "Twee"
    assert describe_all(rejected.reasons) == [
        "This row holds a NUL byte (a zero byte, no text): the file may be damaged. Check "
        "the row and import it again."
    ]
    assert set(Feedback.objects.values_list("external_id", flat=True)) == {"N-1", "N-3"}
