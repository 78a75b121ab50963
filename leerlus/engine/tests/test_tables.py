# SPDX-License-Identifier: EUPL-1.2
"""Reading tables: encodings, delimiters, CSV, XLSX and JSONL, row numbers and row problems."""

import codecs
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leerlus.engine.dates import parse_datetime
from leerlus.engine.tables import (
    NUL_CHARACTER,
    RAW_LINE,
    ROW_ERROR,
    ParseError,
    Table,
    detect_delimiter,
    detect_encoding,
    open_table,
    table_format,
)


def read(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]], Table]:
    with open_table(path) as table:
        rows = list(table.rows)
    return table.header, rows, table


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- CSV: encodings and delimiters ---------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252")],
)
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_in_every_encoding_and_delimiter_reads_the_same(
    tmp_path, encoding, expected, delimiter
):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Datum", "Omschrijving", "Kanaal"])
    writer.writerow(["31-12-2025", "Café kost € 12,50", "telefoon"])
    writer.writerow(["01-01-2026 14:05", "Regel één\nregel twee", "balie"])
    path = write(tmp_path, "export.csv", buffer.getvalue().encode(encoding))

    header, rows, table = read(path)

    assert table.encoding == expected
    assert table.delimiter == delimiter
    assert header == ["Datum", "Omschrijving", "Kanaal"]
    assert rows == [
        (2, {"Datum": "31-12-2025", "Omschrijving": "Café kost € 12,50", "Kanaal": "telefoon"}),
        (
            3,
            {
                "Datum": "01-01-2026 14:05",
                "Omschrijving": "Regel één\nregel twee",
                "Kanaal": "balie",
            },
        ),
    ]


def test_semicolon_file_with_commas_in_the_text_is_read_as_semicolon(tmp_path):
    lines = ["id;tekst;datum"] + [f"{i};Slecht, echt slecht, zeg;31-12-2025" for i in range(30)]
    path = write(tmp_path, "komma.csv", "\n".join(lines).encode())

    header, rows, table = read(path)

    assert table.delimiter == ";"
    assert header == ["id", "tekst", "datum"]
    assert rows[0][1]["tekst"] == "Slecht, echt slecht, zeg"


def test_utf16_with_bom_as_excel_saves_unicode_text_is_read(tmp_path):
    text = "text\tdate\r\nHallo wereld\t2025-01-02\r\n"
    path = write(tmp_path, "unicode.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))

    header, rows, _table = read(path)

    assert header == ["text", "date"]
    assert rows == [(2, {"text": "Hallo wereld", "date": "2025-01-02"})]


@pytest.mark.parametrize(
    "data",
    [
        "text,date\nhallo,2025-01-01\n".encode("utf-16-le"),  # UTF-16 without a BOM
        bytes(range(256)) * 20,  # binary
        b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" * 50,
    ],
)
def test_unreadable_encoding_is_a_clear_error(tmp_path, data):
    path = write(tmp_path, "weird.csv", data)

    with pytest.raises(ParseError, match="unreadable encoding") as caught:
        open_table(path)

    assert caught.value.code == "unreadable_encoding"


def test_utf8_file_with_one_windows_line_still_reads_that_line(tmp_path):
    first = "text;date\n" + "Goed geregeld, één keer;2025-01-01\n" * 3000  # > the sample
    data = first.encode() + "Café;2025-01-02\n".encode("cp1252")

    _header, rows, table = read(write(tmp_path, "mixed.csv", data))

    assert table.encoding == "utf-8"
    assert rows[0][1]["text"] == "Goed geregeld, één keer"
    assert rows[-1][1]["text"] == "Café"


def test_windows_lines_among_utf8_lines_are_read_as_windows_and_flagged(tmp_path):
    lines = [
        "Café bij de balie;2025-01-01".encode(),
        "Café bij de balie;2025-01-02".encode("cp1252"),
        b"Geen accenten;2025-01-03",
        "Één loket, € 5;2025-01-04".encode(),
        '"Twee regels, één\nmet € 5";2025-01-05'.encode("cp1252"),
        b"Daarna;2025-01-06",
    ]
    data = b"text;date\n" + b"\n".join(lines) + b"\n"

    _header, rows, table = read(write(tmp_path, "mixed.csv", data))

    assert table.encoding == "utf-8"
    assert [v["text"] for _n, v in rows] == [
        "Café bij de balie",
        "Café bij de balie",
        "Geen accenten",
        "Één loket, € 5",
        "Twee regels, één\nmet € 5",
        "Daarna",
    ]
    assert (table.recoded.count, table.recoded.rows) == (2, [3, 6])


def test_recoded_rows_keep_the_first_row_numbers_and_count_all(tmp_path):
    body = b"".join(f"Café {i};2025-01-01\n".encode("cp1252") for i in range(150))
    data = "text;date\nEén;2025-01-01\n".encode() + body

    _header, rows, table = read(write(tmp_path, "veel.csv", data))

    assert len(rows) == 151
    assert table.recoded.count == 150
    assert table.recoded.rows == list(range(3, 103))


def test_a_nul_byte_marks_its_row_and_the_file_still_reads(tmp_path):
    data = b"text;date\nEen;2025-01-01\nTw\x00ee;2025-01-02\nDrie;2025-01-03\n"

    _header, rows, _table = read(write(tmp_path, "nul.csv", data))

    assert rows == [
        (2, {"text": "Een", "date": "2025-01-01"}),
        (3, {"text": "Twee", "date": "2025-01-02", ROW_ERROR: NUL_CHARACTER}),
        (4, {"text": "Drie", "date": "2025-01-03"}),
    ]


def test_a_nul_byte_in_a_jsonl_line_marks_that_row(tmp_path):
    data = b'{"text": "Een"}\n{"text": "Tw\x00ee"}\n{"text": "Drie"}\n'

    _header, rows, _table = read(write(tmp_path, "nul.jsonl", data))

    assert rows == [
        (2, {"text": "Een"}),
        (3, {"text": "Twee", ROW_ERROR: NUL_CHARACTER}),
        (4, {"text": "Drie"}),
    ]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", "\ufeff".encode()])
def test_empty_file_is_a_clear_error(tmp_path, data):
    with pytest.raises(ParseError) as caught:
        open_table(write(tmp_path, "leeg.csv", data))

    assert caught.value.code == "empty_file"


def test_blank_lines_are_skipped_but_row_numbers_stay_those_of_the_file(tmp_path):
    path = write(tmp_path, "gaten.csv", b"text,date\n\na,2025-01-01\n,\nb,2025-01-02\n")

    _header, rows, _table = read(path)

    assert [(n, v["text"]) for n, v in rows] == [(3, "a"), (5, "b")]


def test_short_rows_are_padded_and_extra_values_kept(tmp_path):
    path = write(tmp_path, "ongelijk.csv", b"text,date\nkort\nlang,2025-01-01,extra\n")

    _header, rows, _table = read(path)

    assert rows[0][1] == {"text": "kort", "date": ""}
    assert rows[1][1] == {"text": "lang", "date": "2025-01-01", "column_3": "extra"}


def test_header_names_are_trimmed_unique_and_never_empty(tmp_path):
    path = write(tmp_path, "kop.csv", b" Datum ,Datum,,tekst\n1,2,3,4\n")

    header, _rows, _table = read(path)

    assert header == ["Datum", "Datum (2)", "column_3", "tekst"]


def test_old_mac_line_endings_are_read(tmp_path):
    path = write(tmp_path, "mac.csv", b"text;date\rEen;2025-01-01\rTwee;2025-01-02\r")

    _header, rows, _table = read(path)

    assert [v["text"] for _n, v in rows] == ["Een", "Twee"]


def test_a_text_longer_than_the_csv_modules_default_limit_is_read_whole(tmp_path):
    long_text = "x" * 200_000
    path = write(tmp_path, "lang.csv", f'text,date\n"{long_text}",2025-01-01\n'.encode())

    _header, rows, _table = read(path)

    assert rows[0][1]["text"] == long_text


def test_csv_is_streamed_and_reports_its_position(tmp_path):
    body = "".join(f"tekst {i};01-01-2025\n" for i in range(20_000))
    path = write(tmp_path, "groot.csv", ("tekst;datum\n" + body).encode())
    size = path.stat().st_size

    with open_table(path) as table:
        first = next(table.rows)
        early = table.position()
        rest = sum(1 for _ in table.rows)
        late = table.position()

    assert first == (2, {"tekst": "tekst 0", "datum": "01-01-2025"})
    assert early < size // 2  # only the start of the file has been read
    assert rest == 19_999
    assert late == size


def test_a_file_that_is_no_table_is_refused():
    for name in ("verslag.docx", "bericht.eml"):
        with pytest.raises(ParseError, match="not a CSV, XLSX or JSONL file") as caught:
            table_format(name)
        assert caught.value.code == "unsupported_format"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.CSV", "csv"),
        ("a.tsv", "csv"),
        ("a.xlsx", "xlsx"),
        ("a.jsonl", "jsonl"),
        ("a.ndjson", "jsonl"),
    ],
)
def test_table_formats_by_extension(name, expected):
    assert table_format(name) == expected


# --- XLSX and JSONL ------------------------------------------------------------------------


def test_xlsx_rows_with_dates_numbers_and_blank_lines(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Datum", "Omschrijving", "Score", "Kenmerk"])
    sheet.append([datetime(2025, 12, 31, 14, 5), "Café € fijn", 4, 1001])
    sheet.append([None, None, None, None])
    sheet.append(["31-12-2025", "Tweede", 4.5, "A-2"])
    path = tmp_path / "export.xlsx"
    workbook.save(path)

    header, rows, table = read(path)

    assert table.file_format == "xlsx"
    assert header == ["Datum", "Omschrijving", "Score", "Kenmerk"]
    assert rows == [
        (
            2,
            {
                "Datum": "2025-12-31 14:05:00",
                "Omschrijving": "Café € fijn",
                "Score": "4",
                "Kenmerk": "1001",
            },
        ),
        (4, {"Datum": "31-12-2025", "Omschrijving": "Tweede", "Score": "4.5", "Kenmerk": "A-2"}),
    ]
    assert parse_datetime(rows[0][1]["Datum"]) == datetime(2025, 12, 31, 13, 5, tzinfo=UTC)


def test_xlsx_with_empty_rows_above_the_header_counts_rows_as_excel_does(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A3"] = "text"
    sheet["B3"] = "date"
    sheet["A4"] = "hallo"
    sheet["B4"] = "2025-01-01"
    path = tmp_path / "leeg-boven.xlsx"
    workbook.save(path)

    header, rows, _table = read(path)

    assert header == ["text", "date"]
    assert rows == [(4, {"text": "hallo", "date": "2025-01-01"})]


def test_a_file_that_is_not_really_xlsx_is_a_clear_error(tmp_path):
    path = write(tmp_path, "nep.xlsx", b"text,date\nhallo,2025-01-01\n")

    with pytest.raises(ParseError) as caught:
        open_table(path)

    assert caught.value.code == "unreadable_file"


def test_jsonl_rows_keep_broken_lines_with_their_problem(tmp_path):
    lines = [
        json.dumps({"text": "Café", "received_at": "2025-01-01", "rating": 4, "extra": None}),
        "",
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"text": "Later veld", "received_at": "2025-01-02", "nested": {"a": 1}}),
    ]
    path = write(tmp_path, "export.jsonl", "\n".join(lines).encode())

    header, rows, _table = read(path)

    assert header == ["text", "received_at", "rating", "extra", "nested"]
    assert rows == [
        (2, {"text": "Café", "received_at": "2025-01-01", "rating": "4", "extra": ""}),
        (4, {RAW_LINE: "{not json", ROW_ERROR: "invalid_json"}),
        (5, {RAW_LINE: '["a", "list"]', ROW_ERROR: "not_an_object"}),
        (6, {"text": "Later veld", "received_at": "2025-01-02", "nested": '{"a": 1}'}),
    ]


def test_jsonl_values_that_no_database_stores_are_cleaned(tmp_path):
    path = write(tmp_path, "raar.jsonl", b'{"text": "nul\\u0000 en \\ud800 alleen"}\n')

    _header, rows, _table = read(path)

    assert rows[0][1]["text"] == "nul en ? alleen"


# --- properties: what is written is read back ----------------------------------------------

cell_text = st.text(
    alphabet=st.characters(
        codec="cp1252", exclude_categories=("Cs", "Cc"), include_characters=";,\t\"'\n"
    ),
    max_size=30,
)
# Column names as the reader gives them back: trimmed, single spaces (it normalises those).
header_name = st.from_regex(r"[A-Za-z][A-Za-z0-9 _]{0,11}", fullmatch=True).map(
    lambda name: " ".join(name.split())
)


def _as_utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(header_name, min_size=2, max_size=6, unique_by=str.lower),
    data=st.data(),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_random_rows_in_any_delimiter_and_encoding_read_back_equal(
    tmp_path_factory, header, data, delimiter, encoding
):
    rows = data.draw(
        st.lists(st.lists(cell_text, min_size=len(header), max_size=len(header)), max_size=25)
    )
    # A row of only blank cells is no row at all; the reader skips it.
    assume(all(any(cell.strip() for cell in row) for row in rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    encoded = buffer.getvalue().encode(encoding)
    # Windows-1252 bytes that also decode as UTF-8, to other text ("Â" + no-break space is
    # C2 A0, a no-break space in UTF-8), say nothing about which was meant: a line that reads
    # as UTF-8 is read as UTF-8 (a UTF-8 file may hold Windows-1252 lines).
    assume(
        encoding != "cp1252"
        or all(_as_utf8(line) in (None, line.decode("cp1252")) for line in encoded.split(b"\n"))
    )
    path = tmp_path_factory.mktemp("csv") / "random.csv"
    path.write_bytes(encoded)

    read_header, read_rows, table = read(path)

    assert table.delimiter == delimiter
    assert read_header == header
    assert [list(values.values()) for _n, values in read_rows] == rows


@given(st.binary(max_size=2000))
def test_encoding_detection_never_fails_other_than_with_a_parse_error(data):
    problem = ""
    try:
        encoding = detect_encoding(data)
    except ParseError as error:
        problem, encoding = error.code, ""
    assert problem == "unreadable_encoding" or encoding in (
        "utf-8",
        "utf-8-sig",
        "cp1252",
        "utf-16",
        "utf-32",
    )


@given(st.text(max_size=300))
def test_delimiter_detection_always_answers_one_of_three(sample):
    assert detect_delimiter(sample) in (";", ",", "\t")


@given(
    st.lists(st.text(alphabet="abcdef ", min_size=1, max_size=8), min_size=2, max_size=5),
    st.sampled_from([";", ",", "\t"]),
)
def test_delimiter_detection_on_a_plain_header(names, delimiter):
    assume(all(name.strip() for name in names))
    assert detect_delimiter(delimiter.join(names) + "\n") == delimiter


# A record's text: any Windows-1252 character but tab (the delimiter), new lines included.
record_text = st.text(
    alphabet=st.characters(
        codec="cp1252", exclude_categories=("Cs", "Cc"), include_characters="\n"
    ),
    min_size=1,
    max_size=30,
).filter(str.strip)


# No deadline: each example writes a file, which a busy machine may take its time over.
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    records=st.lists(
        st.tuples(record_text, st.sampled_from(["utf-8", "cp1252"]), st.booleans()),
        min_size=1,
        max_size=30,
    )
)
def test_mixed_encodings_and_nul_bytes_never_lose_a_valid_row(tmp_path_factory, records):
    # More NUL bytes than a few say that the file is no text (UTF-16 without a BOM, binary).
    assume(sum(nul for _t, _e, nul in records) <= 2)
    data = b"text\tid\r\n"
    for index, (text, encoding, nul) in enumerate(records):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter="\t").writerow([text, f"r{index}"])
        line = buffer.getvalue().encode(encoding)
        # Windows-1252 bytes that also read as UTF-8 say nothing about which was meant.
        assume(encoding == "utf-8" or _as_utf8(line) in (None, buffer.getvalue()))
        data += line.replace(b"\tr", b"\tr\x00") if nul else line
    path = tmp_path_factory.mktemp("mixed") / "mixed.tsv"
    path.write_bytes(data)

    _header, rows, table = read(path)

    assert [(n, v["id"], v["text"]) for n, v in rows] == [
        (i + 2, f"r{i}", text) for i, (text, _e, _n) in enumerate(records)
    ]
    assert [n for n, v in rows if v.get(ROW_ERROR) == NUL_CHARACTER] == [
        i + 2 for i, (_t, _e, nul) in enumerate(records) if nul
    ]
    windows = [i + 2 for i, (t, e, _n) in enumerate(records) if e == "cp1252" and not t.isascii()]
    assert table.recoded.rows == (windows if table.encoding == "utf-8" else [])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=st.lists(st.binary(max_size=40), min_size=1, max_size=20))
def test_any_bytes_are_read_or_refused_as_a_whole_never_raise_otherwise(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("bytes") / "bytes.csv"
    path.write_bytes(b"text;date\n" + b"\n".join(lines))
    try:
        with open_table(path) as table:
            rows = list(table.rows)
    except ParseError:
        return
    assert all(isinstance(v, str) for _n, values in rows for v in values.values())
