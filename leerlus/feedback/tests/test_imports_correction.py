# SPDX-License-Identifier: EUPL-1.2
"""Correcting rejected rows: the download, the corrected file re-imported, one row by hand."""

import csv
import io

import pytest

from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.imports.correction import rejected_row_correct, rejected_rows_reimport
from leerlus.feedback.imports.export import rejected_rows_csv
from leerlus.feedback.imports.reasons import describe_all
from leerlus.feedback.models import Feedback

from .files import GOOD_ROWS, HEADER, write_csv

# Reasons are put into words in the active language; these tests read English.
pytestmark = pytest.mark.usefixtures("english")


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


def test_formulas_are_quoted_in_the_download_and_come_back_as_they_were(
    tmp_path, organisation, analyst
):
    formula = '=HYPERLINK("http://x","klik hier")'
    rows = [
        ["-7", "gisteren", formula, "web", "", ""],
        ["+8", "gisteren", "-5 graden in de wachtkamer", "web", "", ""],
    ]
    batch = import_file(organisation=organisation, path=write_csv(tmp_path, rows), source="KCC")

    download = "".join(rejected_rows_csv(batch))
    table = list(csv.reader(io.StringIO(download.lstrip("\ufeff")), delimiter=";"))
    assert [line[1:4] for line in table[1:]] == [
        ["'-7", "gisteren", "'" + formula],
        ["'+8", "gisteren", "'-5 graden in de wachtkamer"],
    ]

    for line in table[1:]:
        line[2] = "02-02-2026"
    corrected = tmp_path / "gecorrigeerd.csv"
    with corrected.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows(table)
    result = rejected_rows_reimport(batch=batch, path=corrected, corrected_by=analyst)

    assert (result.imported, result.resolved) == (2, 2)
    stored = dict(Feedback.objects.values_list("external_id", "text"))
    assert stored == {"-7": formula, "+8": "-5 graden in de wachtkamer"}


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
