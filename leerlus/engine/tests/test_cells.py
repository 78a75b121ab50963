# SPDX-License-Identifier: EUPL-1.2
"""Export cells that a spreadsheet shows and never runs."""

import csv
import io
import re
import zipfile
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from leerlus.engine.cells import (
    FORMULA_TRIGGERS,
    append_text_row,
    safe_row,
    safe_text,
    unquoted,
)

HYPERLINK = '=HYPERLINK("http://x","klik hier")'
# Texts that start with a formula character more often than any text would by chance.
texts = st.one_of(
    st.text(),
    st.builds(lambda first, rest: first + rest, st.sampled_from(FORMULA_TRIGGERS), st.text()),
    st.builds(lambda rest: "'" + rest, st.text()),
)


@given(texts)
def test_a_safe_text_never_starts_like_a_formula(text):
    assert not safe_text(text).startswith(FORMULA_TRIGGERS)


@given(texts)
def test_a_text_that_does_not_start_like_a_formula_is_unchanged(text):
    if not text.startswith(FORMULA_TRIGGERS):
        assert safe_text(text) == text


@given(texts)
def test_the_quote_comes_off_again(text):
    if not (text.startswith("'") and text[1:].startswith(FORMULA_TRIGGERS)):
        assert unquoted(safe_text(text)) == text


def test_csv_rows_quote_formulas_and_keep_numbers():
    buffer = io.StringIO()
    csv.writer(buffer).writerow(safe_row([HYPERLINK, "-2+3", "@SUM(A1)", "\tx", -1, 2.5, None]))

    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [
        "'" + HYPERLINK,
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "-1",
        "2.5",
        "",
    ]


def _sheet_xml(rows):
    book = Workbook(write_only=True)
    sheet = book.create_sheet("signals")
    for row in rows:
        append_text_row(sheet, row)
    spool = io.BytesIO()
    book.save(spool)
    with zipfile.ZipFile(spool) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode(), spool


def test_xlsx_cells_are_text_and_never_formulas():
    xml, spool = _sheet_xml(
        [[HYPERLINK, "+31 6 12345678", 3, None, datetime(2025, 1, 2, 3, 4, tzinfo=UTC)]]
    )

    assert "<f>" not in xml
    assert "<f " not in xml
    assert re.findall(r"<c [^>/]*[^>/ ]", xml) == [
        f'<c r="{column}1" t="inlineStr"' for column in "ABCDE"
    ]
    cells = next(load_workbook(spool).worksheets[0].iter_rows())
    assert [c.value for c in cells] == [
        "'" + HYPERLINK,
        "'+31 6 12345678",
        "3",
        None,  # an empty text cell reads back as empty
        "2025-01-02 03:04:00+00:00",
    ]


def test_xlsx_drops_control_characters_before_it_looks_for_a_formula():
    xml, spool = _sheet_xml([["\x01=1+1", "bel\x0bterug"]])

    cells = next(load_workbook(spool).worksheets[0].iter_rows())
    assert "<f>" not in xml
    assert [c.value for c in cells] == ["'=1+1", "belterug"]
