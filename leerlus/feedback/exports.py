# SPDX-License-Identifier: EUPL-1.2
"""Filtered signals as CSV, XLSX or JSON: redacted text only, streamed row by row.

The CSV and XLSX cells go through :mod:`leerlus.engine.cells`, so a text that starts like a
formula is shown and never run; JSON is no spreadsheet and keeps every value as it is.
"""

import csv
import json
import tempfile
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook

from leerlus.engine import cells

from .models import Feedback

COLUMNS = [
    "reference",
    "received_at",
    "channel",
    "service",
    "department",
    "reporter_kind",
    "rating",
    "language",
    "text",
    "source",
    "external_id",
    "case_url",
]
FORMATS = {"csv", "xlsx", "json"}


def _rows(signals: QuerySet[Feedback]) -> Iterator[list[Any]]:
    for f in signals.select_related("service", "department").iterator(chunk_size=2000):
        yield [
            f.reference,
            f.received_at.isoformat(),
            f.channel,
            f.service.slug if f.service else "",
            f.department.slug if f.department else "",
            f.reporter_kind,
            f.rating if f.rating is not None else "",
            f.language,
            f.text,
            f.source,
            f.external_id,
            f.case_url,
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(signals: QuerySet[Feedback]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)  # BOM: Excel opens UTF-8 correctly
    for row in _rows(signals):
        yield writer.writerow(cells.safe_row(row))


def _json(signals: QuerySet[Feedback]) -> Iterator[str]:
    yield "["
    for index, row in enumerate(_rows(signals)):
        yield ("," if index else "") + json.dumps(dict(zip(COLUMNS, row, strict=True)))
    yield "]"


def export_response(signals: QuerySet[Feedback], file_format: str, stem: str) -> Any:
    if file_format == "csv":
        response = StreamingHttpResponse(_csv(signals), content_type="text/csv; charset=utf-8")
    elif file_format == "json":
        response = StreamingHttpResponse(_json(signals), content_type="application/json")
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("signals")
        cells.append_text_row(sheet, COLUMNS)
        for row in _rows(signals):
            cells.append_text_row(sheet, row)
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        workbook.save(spool)
        spool.seek(0)
        return FileResponse(spool, as_attachment=True, filename=f"{stem}.xlsx")
    response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    return response
