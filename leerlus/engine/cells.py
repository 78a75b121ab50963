# SPDX-License-Identifier: EUPL-1.2
"""Cells of an exported table that a spreadsheet shows and never runs.

A citizen's text that starts with ``=`` (``=HYPERLINK("http://…","klik hier")``), ``+``, ``-``,
``@``, a tab or a carriage return is read as a formula by Excel and LibreOffice when the export
is opened. Every export (CSV and XLSX) writes its cells through this module, as the OWASP
guidance on CSV injection advises: such a text gets a single quote in front, which the
spreadsheet shows and does not run; an XLSX cell is always written as text, never as a formula.
A table that was exported and comes back (the rejected rows, corrected in a spreadsheet) has
the quote taken off again by :func:`unquoted`.

Numbers (``int``, ``float``) are left as they are: they cannot hold a formula, and ``-1`` stays a
number. Pure Python; openpyxl is imported only by :func:`append_text_row`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

__all__ = ["FORMULA_TRIGGERS", "append_text_row", "safe_cell", "safe_row", "safe_text", "unquoted"]

# The first characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
QUOTE: Final = "'"
# Control characters an XLSX file cannot hold (openpyxl refuses them): dropped from a cell.
_NOT_IN_XLSX: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(text: str) -> str:
    """``text`` as a spreadsheet shows it without running it: a quote in front where it starts
    like a formula, else unchanged."""
    return QUOTE + text if text.startswith(FORMULA_TRIGGERS) else text


def unquoted(text: str) -> str:
    """The text that :func:`safe_text` was given: the quote it added is taken off (a text
    that began with a quote followed by a formula character loses that quote)."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def safe_cell(value: object) -> object:
    """A value for a CSV writer: text made safe, numbers as they are, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def safe_row(values: Iterable[object]) -> list[object]:
    """A row for ``csv.writer().writerow``: every cell through :func:`safe_cell`."""
    return [safe_cell(value) for value in values]


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float):
        return str(safe_cell(value))
    # Control characters first: a text behind one must not start like a formula once it goes.
    return safe_text(_NOT_IN_XLSX.sub("", str(value)))


def append_text_row(sheet: WriteOnlyWorksheet, values: Iterable[object]) -> None:
    """Append a row to a write-only openpyxl sheet, every value a text cell (type ``s``,
    never a formula): text made safe, control characters XLSX cannot hold dropped."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=_text(value))
        cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)
