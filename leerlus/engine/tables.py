# SPDX-License-Identifier: EUPL-1.2
"""Reading tables: CSV, XLSX and JSONL files, row by row, in whatever encoding they come.

Pure Python (no Django), so the engine's command line, the importer's web upload and the
benchmarks read files the same way. Every reader streams: a CSV or JSONL file of any size is
read one line at a time and never held in memory whole. XLSX is read with python-calamine,
which loads one sheet at a time (an XLSX sheet holds at most 1,048,576 rows).

A reader yields ``(row_number, values)``: the row number as a spreadsheet shows it (the header
is row 1) and the row's values by column name, all strings. A JSONL line that is not a JSON
object still yields a row, with the line under :data:`RAW_LINE` and the problem under
:data:`ROW_ERROR`, so a reader of the rows can keep it with a reason instead of dropping it;
so does a row with a NUL byte (:data:`NUL_CHARACTER`, the NUL taken out of its values).

A UTF-8 file with lines in Windows-1252 (two exports glued together, a line edited in an old
program) reads: those lines alone are read as Windows-1252 (:mod:`.decoding`), and
:attr:`Table.recoded` counts their rows.

Errors about the file as a whole raise :class:`ParseError` with a ``code`` and ``params``; the
web and command-line layers turn those into their own messages. What the columns mean is not
decided here (the importer's column mapping does that).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, Final

from .decoding import LineMarks, Recoded, decoded_lines, sample_encoding, text_lines, without_nul

__all__ = [
    "NUL_CHARACTER",
    "RAW_LINE",
    "ROW_ERROR",
    "ROW_ERRORS",
    "TABLE_EXTENSIONS",
    "ParseError",
    "Recoded",
    "Row",
    "Table",
    "detect_delimiter",
    "detect_encoding",
    "open_table",
    "table_format",
]

Row = tuple[int, dict[str, str]]

SAMPLE_BYTES: Final = 64 * 1024
# The sniffer is slow on long samples; the first 16 KiB of lines say enough.
SNIFF_CHARS: Final = 16 * 1024
DELIMITERS: Final = ";,\t"
# A text may be at most 10,000 characters; a longer field is read whole so that the importer
# can say how long it is, up to this size (the csv module's default limit is 128 KiB).
FIELD_SIZE_LIMIT: Final = 16 * 1024 * 1024

RAW_LINE: Final = "_line"
# A control character no column name can hold (header names are split on whitespace, and
# \x1f is whitespace), so a column of the file never passes for a row's problem.
ROW_ERROR: Final = "\x1ferror"
# A row with a NUL byte: no text holds one (the file may be damaged), so the row is kept aside.
NUL_CHARACTER: Final = "nul_character"
ROW_ERRORS: Final = frozenset({"invalid_json", "not_an_object", NUL_CHARACTER})

# Extension → table format.
TABLE_EXTENSIONS: Final[dict[str, str]] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))


class ParseError(ValueError):
    """A problem with the file as a whole. ``code`` names it; ``params`` fill the message."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.params = params


# --- formats and encodings -----------------------------------------------------------------


def table_format(filename: str) -> str:
    """``csv``, ``xlsx`` or ``jsonl`` from the file name, else ParseError."""
    suffix = Path(filename).suffix.lower()
    if suffix not in TABLE_EXTENSIONS:
        raise _unsupported(Path(filename).name)
    return TABLE_EXTENSIONS[suffix]


def _unsupported(name: str) -> ParseError:
    return ParseError("unsupported_format", "%(name)s is not a CSV, XLSX or JSONL file.", name=name)


def detect_encoding(sample: bytes) -> str:
    """``utf-8-sig``/``utf-16``/``utf-32`` (by their BOM), ``utf-8`` or ``cp1252``.

    UTF-8 is tried strictly on the sample (a character cut off at its end is allowed). A
    sample that is not UTF-8 throughout is still UTF-8 where one of its lines with accents is
    (the other lines are then read as Windows-1252, line by line); else it is Windows-1252.
    A sample with more than a few NUL bytes or other control characters (binary, or UTF-16
    without a BOM) is neither: ParseError ``unreadable_encoding``.
    """
    encoding = sample_encoding(sample)
    if encoding is None:
        raise ParseError(
            "unreadable_encoding",
            "The file is not text in UTF-8 or Windows-1252 (unreadable encoding).",
        )
    return encoding


# --- delimiters ----------------------------------------------------------------------------


def detect_delimiter(sample: str, complete: bool = False) -> str:
    """``;``, ``,`` or tab for the CSV text ``sample`` (its first lines).

    ``csv.Sniffer`` (restricted to those three) proposes; every candidate is checked by
    parsing the sample with it: the header must split into more than one column and (nearly)
    every record must have as many fields. Among the candidates that pass, the sniffer's
    choice wins, then the one with the most columns. When none passes, the delimiter that
    splits the header into the most columns is taken (one column: ``,``).
    ``complete`` says that the sample is the whole file (its last record is not cut off).
    """
    try:
        sniffed: str | None = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    scores: list[tuple[bool, bool, int, float, str]] = []
    for delimiter in DELIMITERS:
        rows = _sample_rows(sample, delimiter, complete=complete)
        if not rows:
            continue
        width = len(rows[0])
        body = rows[1:]
        consistent = sum(len(r) == width for r in body) / len(body) if body else 1.0
        plausible = width > 1 and consistent >= 0.8
        scores.append((plausible, delimiter == sniffed, width, consistent, delimiter))
    if not scores:
        return ","
    best = max(scores, key=lambda s: (s[0], s[1] if s[0] else False, s[2], s[3]))
    return best[4] if best[2] > 1 else ","


def _sample_rows(sample: str, delimiter: str, *, complete: bool) -> list[list[str]]:
    rows: list[list[str]] = []
    try:
        for row in csv.reader(sample.splitlines(keepends=True), delimiter=delimiter):
            if row:
                rows.append(row)
    except csv.Error:
        return rows
    if not complete and len(rows) > 1:
        rows.pop()  # the sample may end in the middle of a record
    return rows


# --- tables --------------------------------------------------------------------------------


@dataclass
class Table:
    """An open file: its header and a one-pass iterator over its rows.

    ``position()`` says how far the reader has got, in bytes of ``size``, for a progress bar;
    ``recoded`` which rows so far were read as Windows-1252 in a UTF-8 file.
    """

    header: list[str]
    rows: Iterator[Row]
    size: int
    file_format: str
    encoding: str = ""
    delimiter: str = ""
    position: Callable[[], int] = field(default=lambda: 0)
    recoded: Recoded = field(default_factory=Recoded)
    _close: Callable[[], None] = field(default=lambda: None, repr=False)

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _header_names(values: Iterable[str]) -> list[str]:
    """Trimmed, unique and never empty: a blank column is named ``column_N``, a repeated name
    gets `` (2)``, `` (3)``..."""
    names: list[str] = []
    seen: set[str] = set()
    for index, value in enumerate(values, start=1):
        name = " ".join(value.replace("\ufeff", "").split()) or f"column_{index}"
        candidate, n = name, 1
        while candidate.lower() in seen:
            n += 1
            candidate = f"{name} ({n})"
        seen.add(candidate.lower())
        names.append(candidate)
    return names


def _as_dict(header: list[str], values: list[str]) -> dict[str, str]:
    row = dict(zip(header, values, strict=False))
    if len(values) < len(header):
        row.update(dict.fromkeys(header[len(values) :], ""))
    for index in range(len(header), len(values)):
        if values[index].strip():  # keep extra values: nothing the file holds is dropped
            row[f"column_{index + 1}"] = values[index]
    return row


def _marked(
    number: int, values: list[str], header: list[str], marks: LineMarks, recoded: Recoded
) -> Iterator[Row]:
    """A CSV row whose lines were read as Windows-1252 or held a NUL byte (none if blank)."""
    was_recoded, nul = marks.take()
    if not values or not any(v.strip() for v in values):
        return
    if was_recoded:
        recoded.add(number)
    row = _as_dict(header, values)
    if nul:
        row[ROW_ERROR] = NUL_CHARACTER
    yield number, row


def open_table(path: str | Path, file_format: str | None = None) -> Table:
    """Open a CSV, XLSX or JSONL file for reading; use as a context manager.

    ``file_format`` (``csv``, ``xlsx`` or ``jsonl``) defaults to the one of the file's name.

    Raises ParseError for a file that cannot be read: ``unsupported_format``,
    ``unreadable_encoding``, ``empty_file`` or ``unreadable_file``.
    """
    path = Path(path)
    file_format = file_format or table_format(path.name)
    if file_format == "csv":
        return _open_csv(path)
    if file_format == "jsonl":
        return _open_jsonl(path)
    if file_format == "xlsx":
        return _open_xlsx(path)
    raise _unsupported(path.name)


def _empty(path: Path) -> ParseError:
    return ParseError("empty_file", "%(name)s has no rows.", name=path.name)


def _sample_text(binary: IO[bytes], encoding: str) -> tuple[str, bool]:
    """The first whole lines of the file as text, and whether that is the whole file."""
    raw = binary.read(SAMPLE_BYTES)
    complete = len(raw) < SAMPLE_BYTES
    binary.seek(0)
    if encoding in ("utf-16", "utf-32"):
        text = raw.decode(encoding, errors="ignore")
    else:
        text = raw.decode("cp1252" if encoding == "cp1252" else "utf-8", errors="ignore")
    text = text.lstrip("\ufeff")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text, complete


def _first_lines(sample: str, complete: bool) -> tuple[str, bool]:
    if len(sample) <= SNIFF_CHARS:
        return sample, complete
    cut = sample[:SNIFF_CHARS]
    return (cut[: cut.rindex("\n") + 1] if "\n" in cut else cut), False


def _open_csv(path: Path) -> Table:
    binary = path.open("rb")
    try:
        size = path.stat().st_size
        head = binary.read(SAMPLE_BYTES)
        encoding = detect_encoding(head)
        binary.seek(0)
        sample, complete = _sample_text(binary, encoding)
        if not sample.strip():
            raise _empty(path)
        if path.suffix.lower() == ".tsv":
            delimiter = "\t"
        else:
            delimiter = detect_delimiter(*_first_lines(sample, complete))
        # Old Mac files end lines with a lone CR; the byte-wise line reader needs LF.
        lone_cr = b"\r" in head and b"\n" not in head
        marks = LineMarks()
        lines = (
            without_nul(text_lines(binary, "utf-8" if encoding == "utf-8-sig" else encoding), marks)
            if lone_cr
            else decoded_lines(binary, encoding, marks)
        )
        reader = csv.reader(lines, delimiter=delimiter, strict=False)
        header: list[str] | None = None
        for values in reader:
            if any(v.strip() for v in values):
                header = _header_names(values)
                break
        if header is None:
            raise _empty(path)
        marks.take()
    except csv.Error as error:
        binary.close()
        raise ParseError(
            "unreadable_file",
            "%(name)s cannot be read as a %(kind)s file.",
            name=path.name,
            kind="CSV",
        ) from error
    except BaseException:
        binary.close()
        raise

    recoded = Recoded()

    def rows() -> Iterator[Row]:
        number = 1
        try:
            for values in reader:
                number += 1
                if marks.recoded or marks.nul:  # rare: a check per row, no call
                    yield from _marked(number, values, header, marks, recoded)
                elif values and any(v.strip() for v in values):
                    yield number, _as_dict(header, values)
        except csv.Error as error:
            raise ParseError(
                "broken_row",
                "Row %(row)s of %(name)s cannot be read as CSV: %(problem)s.",
                row=number,
                name=path.name,
                problem=str(error),
            ) from error

    return Table(
        header=header,
        rows=rows(),
        size=size,
        file_format="csv",
        encoding=encoding,
        delimiter=delimiter,
        position=binary.tell,
        recoded=recoded,
        _close=binary.close,
    )


def _json_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _clean(value: str) -> str:
    """No NUL characters and no lone surrogates (from ``"\\ud800"`` in JSON): no database
    stores them."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", errors="replace").decode("utf-8")
    return value


def _json_row(line: str) -> dict[str, str]:
    try:
        data = json.loads(line)
    except ValueError:
        return {RAW_LINE: _clean(line.strip()), ROW_ERROR: "invalid_json"}
    if not isinstance(data, dict):
        return {RAW_LINE: _clean(line.strip()), ROW_ERROR: "not_an_object"}
    return {_clean(str(k)): _clean(_json_value(v)) for k, v in data.items()}


JSONL_HEADER_SAMPLE: Final = 200


def _open_jsonl(path: Path) -> Table:
    binary = path.open("rb")
    try:
        size = path.stat().st_size
        encoding = detect_encoding(binary.read(SAMPLE_BYTES))
        binary.seek(0)
        # The header is every key seen in the first lines, in order of appearance.
        names: dict[str, None] = {}
        seen_rows = 0
        for line in decoded_lines(binary, encoding, LineMarks()):
            if not line.strip():
                continue
            row = _json_row(line)
            if ROW_ERROR not in row:
                names.update(dict.fromkeys(row))
            seen_rows += 1
            if seen_rows >= JSONL_HEADER_SAMPLE:
                break
        if not seen_rows:
            raise _empty(path)
        binary.seek(0)
    except BaseException:
        binary.close()
        raise

    marks = LineMarks()
    recoded = Recoded()

    def rows() -> Iterator[Row]:
        number = 1  # row 1 is the (implicit) header, as in a spreadsheet
        for line in decoded_lines(binary, encoding, marks):
            number += 1
            was_recoded, nul = marks.take()
            if line.strip():
                if was_recoded:
                    recoded.add(number)
                row = _json_row(line)
                if nul and ROW_ERROR not in row:
                    row[ROW_ERROR] = NUL_CHARACTER
                yield number, row

    return Table(
        header=list(names),
        rows=rows(),
        size=size,
        file_format="jsonl",
        encoding=encoding,
        position=binary.tell,
        recoded=recoded,
        _close=binary.close,
    )


def _cell(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return _clean(str(value))


def _open_xlsx(path: Path) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    size = path.stat().st_size
    if not size:
        raise _empty(path)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError) as error:
        raise ParseError(
            "unreadable_file",
            "%(name)s cannot be read as a %(kind)s file.",
            name=path.name,
            kind="XLSX",
        ) from error
    # iter_rows starts at the sheet's first row (empty rows above the data included).
    height = max(sheet.total_height, sheet.height) + 1
    iterator = sheet.iter_rows()
    header: list[str] | None = None
    number = 0
    for values in iterator:
        number += 1
        cells = [_cell(v) for v in values]
        if any(c.strip() for c in cells):
            header = _header_names(cells)
            break
    if header is None:
        workbook.close()
        raise _empty(path)
    done = [number]

    def rows() -> Iterator[Row]:
        row_number = number
        for values in iterator:
            row_number += 1
            done[0] += 1
            cells = [_cell(v) for v in values]
            if any(c.strip() for c in cells):
                yield row_number, _as_dict(header, cells)

    return Table(
        header=header,
        rows=rows(),
        size=size,
        file_format="xlsx",
        position=lambda: size * min(done[0], height) // height,
        _close=workbook.close,
    )
