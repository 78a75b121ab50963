# SPDX-License-Identifier: EUPL-1.2
"""Correcting rejected rows: one row in a form, or the downloaded file of them re-imported.

A corrected row that is stored resolves its rejected row; one that is still wrong keeps its new
values with the new reasons. Every correction is stored into the batch's own source, so a row
that is present already counts as a duplicate, never twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from leerlus.engine import cells, tables
from leerlus.organisations import audit
from leerlus.organisations.models import User

from .. import parsing
from ..models import ImportBatch, RejectedRow
from ..services import SignalInput, feedback_ingest
from .export import REASONS_COLUMN, link_column_for
from .mapping import RowMapper, batch_header, clean, mapper_for
from .reasons import ImportFileError, Reason, describe_parse_error
from .workers import CHUNK_ROWS, chunks


@transaction.atomic
def rejected_row_correct(
    *, row: RejectedRow, values: Mapping[str, str], corrected_by: User | None
) -> list[Reason]:
    """Import a rejected row with corrected values; its reasons (empty when imported).

    The row is marked resolved once it is stored (or found to be present already); a row
    that is still wrong keeps the new values with the new reasons.
    """
    batch = row.batch
    mapper = mapper_for(batch)
    merged = {**row.values, **{k: clean(v) for k, v in values.items()}}
    merged.pop(tables.ROW_ERROR, None)  # a broken JSON line, now filled in by hand
    mapped = mapper.map(merged)
    row.values = mapper.stored_values(merged)
    if not isinstance(mapped, SignalInput):
        row.reasons = list(mapped)
        row.save(update_fields=["values", "reasons"])
        return list(mapped)
    stored = feedback_ingest(
        organisation=batch.organisation, items=[mapped], created_by=corrected_by, batch=batch
    )
    row.reasons = []
    row.resolved = True
    row.save(update_fields=["values", "reasons", "resolved"])
    ImportBatch.objects.filter(pk=batch.pk).update(
        imported=batch.imported + stored.imported, duplicates=batch.duplicates + stored.duplicates
    )
    batch.refresh_from_db()
    audit.record(
        action="feedback.import.correct",
        actor=corrected_by,
        obj=batch,
        organisation=batch.organisation,
        details={"row": row.row_number, "imported": stored.imported},
    )
    return []


@dataclass
class CorrectionResult:
    imported: int = 0
    duplicates: int = 0
    resolved: int = 0
    rejected: int = 0


def rejected_rows_reimport(
    *, batch: ImportBatch, path: str | Path, corrected_by: User | None
) -> CorrectionResult:
    """Import a corrected file of rejected rows (as downloaded, edited) into the same source.

    A row that names its original row (the ``row`` column) resolves that rejected row when
    it is stored, or replaces its values and reasons when it is still wrong; a row without
    one is imported like any other (or kept as a new rejected row). In a file that is the
    download (it has the ``row`` column), the quote the download put in front of a value that
    starts like a formula is taken off: the value is imported as it was.
    """
    path = Path(path)
    mapper = mapper_for(batch)
    result = CorrectionResult()
    try:
        file_format = parsing.format_of(path.name)
        if file_format in ("eml", "mbox"):
            raise tables.ParseError(
                "unsupported_format", "%(name)s is not a table.", name=path.name
            )
        with tables.open_table(path, file_format) as table:
            link_column = link_column_for(batch_header(batch))
            download = link_column in table.header
            header = [cells.unquoted(c) for c in table.header] if download else table.header
            parsing.resolve_mapping(header, mapper.mapping)
            open_rows = {
                r.row_number: r for r in batch.rejected_rows.filter(resolved=False).iterator()
            }
            rows = _unquoted(table.rows) if download else table.rows
            for chunk in chunks(rows, CHUNK_ROWS):
                _reimport_chunk(chunk, batch, mapper, link_column, open_rows, corrected_by, result)
    except tables.ParseError as error:
        raise ImportFileError(describe_parse_error(error), batch=batch) from error
    ImportBatch.objects.filter(pk=batch.pk).update(
        imported=batch.imported + result.imported,
        duplicates=batch.duplicates + result.duplicates,
    )
    batch.refresh_from_db()
    audit.record(
        action="feedback.import.correct",
        actor=corrected_by,
        obj=batch,
        organisation=batch.organisation,
        details={
            "imported": result.imported,
            "duplicates": result.duplicates,
            "resolved": result.resolved,
            "rejected": result.rejected,
        },
    )
    return result


def _unquoted(rows: Iterator[tables.Row]) -> Iterator[tables.Row]:
    """The rows of the download, without the quotes it put in front of formula-like values
    and column names."""
    for number, values in rows:
        yield number, {cells.unquoted(k): cells.unquoted(v) for k, v in values.items()}


def _reimport_chunk(
    chunk: list[tables.Row],
    batch: ImportBatch,
    mapper: RowMapper,
    link_column: str,
    open_rows: dict[int, RejectedRow],
    corrected_by: User | None,
    result: CorrectionResult,
) -> None:
    valid: list[SignalInput] = []
    resolved: list[int] = []
    still_wrong: list[RejectedRow] = []
    new_rejects: list[RejectedRow] = []
    for number, values in chunk:
        link = values.get(link_column, "").strip()
        original = open_rows.get(int(link)) if link.isdigit() else None
        values = {k: v for k, v in values.items() if k not in (link_column, REASONS_COLUMN)}
        mapped = mapper.map(values)
        if isinstance(mapped, SignalInput):
            valid.append(mapped)
            if original is not None:
                resolved.append(original.pk)
                del open_rows[original.row_number]
        elif original is not None:
            original.values = mapper.stored_values(values)
            original.reasons = list(mapped)
            still_wrong.append(original)
        else:
            new_rejects.append(
                RejectedRow(
                    batch=batch,
                    row_number=number,
                    values=mapper.stored_values(values),
                    reasons=list(mapped),
                )
            )
    with transaction.atomic():
        stored = feedback_ingest(
            organisation=batch.organisation, items=valid, created_by=corrected_by, batch=batch
        )
        RejectedRow.objects.filter(pk__in=resolved).update(resolved=True, reasons=[])
        RejectedRow.objects.bulk_update(still_wrong, ["values", "reasons"])
        RejectedRow.objects.bulk_create(new_rejects)
    result.imported += stored.imported
    result.duplicates += stored.duplicates
    result.resolved += len(resolved)
    result.rejected += len(still_wrong) + len(new_rejects)
    if new_rejects:
        ImportBatch.objects.filter(pk=batch.pk).update(rejected=batch.rejected + len(new_rejects))
        batch.rejected += len(new_rejects)
