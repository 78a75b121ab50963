# SPDX-License-Identifier: EUPL-1.2
"""The download of an import's rejected rows, to correct in a spreadsheet and re-import."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Final

from leerlus.engine import cells, tables

from ..models import ImportBatch
from .mapping import batch_header
from .reasons import describe_all

# Columns added to the download; the first links a corrected row back to its rejected row.
ROW_COLUMN: Final = "row"
REASONS_COLUMN: Final = "reasons"


def link_column_for(header: list[str]) -> str:
    """The download's first column; renamed where the file itself has a ``row`` column."""
    return ROW_COLUMN if ROW_COLUMN not in header else f"{ROW_COLUMN} (leerlus)"


def rejected_rows_csv(batch: ImportBatch) -> Iterator[str]:
    """The unresolved rejected rows as CSV (``;``, UTF-8 with BOM, as Dutch Excel opens it):
    the link column, the file's own columns with the text redacted, and the reasons. A value
    that starts like a formula gets a quote in front (:mod:`leerlus.engine.cells`), which the
    re-import of the corrected file takes off again."""
    header = batch_header(batch)
    if batch.file_format == "jsonl":
        header = [*header, tables.RAW_LINE]
    link_column = link_column_for(header)
    reasons_column = REASONS_COLUMN if REASONS_COLUMN not in header else "reasons (leerlus)"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(cells.safe_row([link_column, *header, reasons_column]))
    yield "\ufeff" + flush()
    rows = batch.rejected_rows.filter(resolved=False).order_by("row_number", "pk")
    for row in rows.iterator(chunk_size=2000):
        values = row.values if isinstance(row.values, dict) else {}
        writer.writerow(
            cells.safe_row(
                [
                    row.row_number,
                    *(values.get(column, "") for column in header),
                    " ".join(describe_all(row.reasons or [])),
                ]
            )
        )
        if buffer.tell() > 64 * 1024:
            yield flush()
    yield flush()
