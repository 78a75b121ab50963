# SPDX-License-Identifier: EUPL-1.2
"""An import's life: a file becomes a batch, is mapped, previewed, claimed by a job and run.

One row at a time, from the file to the database: a row becomes a ``SignalInput`` (stored
through ``services.feedback_ingest``, which redacts, detects the language and deduplicates) or
a list of reasons (kept as a ``RejectedRow`` with its values, the text redacted, for correction
and re-import). Rows are handled in chunks (:mod:`.workers`); the batch's counters are updated
after every chunk, so the progress bar moves while nothing but the current chunk is held in
memory.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from leerlus.engine import tables
from leerlus.organisations import audit
from leerlus.organisations.models import AuditEntry, Organisation, User

from .. import mail, parsing
from ..listeners import import_finished
from ..models import Channel, Feedback, ImportBatch, ImportMapping, RejectedRow
from ..redaction import redact
from ..services import SignalInput
from .detection import detect_table, detected_json, detected_mapping
from .mapping import Reference, RowMapper, batch_header, mapper_for
from .reasons import ImportFileError, describe_all, describe_parse_error
from .workers import ChunkProcessor, ChunkResult, auto_workers, process_table

logger = logging.getLogger(__name__)

MAX_SOURCE: Final = 100
MAX_UPLOAD_BYTES: Final = 200 * 1024 * 1024

Progress = Callable[[ImportBatch], None]


def open_file(path: Path, file_format: str) -> tables.Table:
    """A batch's file as a table of rows: mail through the mail reader, the rest as tables."""
    if file_format in ("eml", "mbox"):
        return mail.open_mail(path, file_format)
    return tables.open_table(path, file_format)


def _mapping_from(
    value: parsing.ColumnMapping | Mapping[str, Any] | None,
) -> parsing.ColumnMapping | None:
    """A mapping that says something, or None (then the columns are recognised by name)."""
    if not value:
        return None
    loaded = value if isinstance(value, parsing.ColumnMapping) else parsing.load_mapping(value)
    return loaded if loaded.columns or loaded.defaults else None


class _TableStatistics:
    """Keeps PostgreSQL's statistics of the signals table up to date during a large import.

    Each chunk asks which of its fingerprints are stored already. With statistics from when
    the table was small (autovacuum off, or not yet round) the planner answers that by reading
    all of the organisation's signals instead of the fingerprint index, and every chunk takes
    longer than the one before (measured: 0.6 s a chunk at 1 million signals, 0.09 s after
    ANALYZE). So the table is analysed after 20,000 imported rows, and again each time the
    import has doubled that.
    """

    FIRST: Final = 20_000

    def __init__(self) -> None:
        self.next_at: int | None = self.FIRST if connection.vendor == "postgresql" else None

    def update(self, imported: int) -> None:
        if self.next_at is None or imported < self.next_at:
            return
        self.next_at = 2 * imported
        table = connection.ops.quote_name(Feedback._meta.db_table)
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {table}")
        except DatabaseError:  # not the table's owner: the import goes on, only slower
            logger.warning("import.analyze_refused", exc_info=True)
            self.next_at = None


class _Counters:
    """The batch's counters, written at most once a chunk (about 2,000 rows, well under a
    second): with them the rows read as Windows-1252 so far and the heartbeat, the sign of
    life that tells a running import from one whose process died (costing no query more)."""

    def __init__(self, batch: ImportBatch, progress: Progress | None, table: tables.Table) -> None:
        self.batch = batch
        self.progress = progress
        self.table = table
        self.statistics = _TableStatistics()

    def add(self, result: ChunkResult, position: int) -> None:
        batch = self.batch
        if result.rejected:
            RejectedRow.objects.bulk_create(
                RejectedRow(batch=batch, row_number=number, values=values, reasons=reasons)
                for number, values, reasons in result.rejected
            )
        batch.rows_seen += result.rows
        batch.imported += result.imported
        batch.duplicates += result.duplicates
        batch.rejected += len(result.rejected)
        batch.processed_bytes = min(max(position, batch.processed_bytes), batch.total_bytes)
        batch.recoded = self.table.recoded.count
        batch.recoded_rows = list(self.table.recoded.rows)
        batch.heartbeat_at = timezone.now()
        batch.save(
            update_fields=[
                "rows_seen",
                "imported",
                "duplicates",
                "rejected",
                "processed_bytes",
                "recoded",
                "recoded_rows",
                "heartbeat_at",
            ]
        )
        self.statistics.update(batch.imported)
        if self.progress is not None:
            self.progress(batch)


def _fail(batch: ImportBatch, message: str, *, code: str, created_by: User | None) -> None:
    batch.status = ImportBatch.Status.FAILED
    batch.error = message
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "error", "finished_at"])
    audit.record(
        action="feedback.import",
        actor=created_by,
        result=AuditEntry.Result.FAILURE,
        obj=batch,
        organisation=batch.organisation,
        details={"source": batch.source, "format": batch.file_format, "error": code},
    )


def import_file(
    *,
    organisation: Organisation,
    path: str | Path,
    source: str,
    mapping: parsing.ColumnMapping | Mapping[str, Any] | None = None,
    created_by: User | None = None,
    batch: ImportBatch | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> ImportBatch:
    """Import a CSV, XLSX, JSONL, EML or MBOX file into ``source``; returns the finished batch.

    Valid rows are stored (a row already present, by external id or by time and text, counts
    as a duplicate), invalid rows are kept as rejected rows with their reasons. ``mapping``
    (a ``ColumnMapping`` or its JSON form) says which column is which field; without one the
    batch's stored mapping is used, else the columns are recognised by name and by the
    values of the first rows (where that is unsure, the import fails and says which column
    it is unsure of). Listeners to finished imports hear of it (the patterns app then
    retrains the routing where signals came with a service). ``progress`` is
    called with the batch after every chunk. ``workers``: processes to use (default: see
    :func:`auto_workers`).

    Raises ImportFileError (after marking the batch failed) when the file as a whole cannot be
    imported: unreadable, empty, no text column...
    """
    path = Path(path)
    source = " ".join(source.split())
    if not source or len(source) > MAX_SOURCE:
        raise ImportFileError(
            _("Give a source name of 1 to %(limit)s characters.") % {"limit": MAX_SOURCE}
        )
    try:
        file_format = parsing.format_of(path.name)
        size = path.stat().st_size
    except (tables.ParseError, OSError) as error:
        if isinstance(error, tables.ParseError):
            message, code = describe_parse_error(error), error.code
        else:
            message, code = _("%(name)s cannot be opened.") % {"name": path.name}, "unreadable"
        if batch is not None:  # a waiting web import must not stay "waiting" for ever
            _fail(batch, message, code=code, created_by=created_by)
        raise ImportFileError(message, batch=batch) from error

    if batch is None:
        batch = ImportBatch.objects.create(
            organisation=organisation,
            source=source,
            filename=path.name[:255],
            file_format=file_format,
            created_by=created_by,
        )
    batch.status = ImportBatch.Status.RUNNING
    batch.total_bytes = size
    batch.heartbeat_at = timezone.now()
    batch.save(update_fields=["status", "total_bytes", "heartbeat_at"])

    reference = Reference.of(organisation)  # loaded once, for the detector and every row
    try:
        with open_file(path, file_format) as table:
            if file_format in ("eml", "mbox"):
                column_mapping = mail.MAIL_MAPPING
            else:
                wanted = _mapping_from(mapping) or _mapping_from(batch.mapping)
                if wanted is None:
                    wanted = detected_mapping(table, reference=reference)
                column_mapping = parsing.resolve_mapping(table.header, wanted)
                ImportMapping.objects.update_or_create(
                    organisation=organisation,
                    source=source,
                    defaults={"mapping": column_mapping.as_json()},
                )
            batch.mapping = {**column_mapping.as_json(), "header": table.header}
            batch.save(update_fields=["mapping"])
            mapper = RowMapper(
                organisation=organisation,
                source=source,
                mapping=column_mapping,
                reference=reference,
                created_by=created_by,
            )
            processor = ChunkProcessor(batch=batch, mapper=mapper, created_by=created_by)
            counters = _Counters(batch, progress, table)
            count = workers if workers is not None else auto_workers(size)
            process_table(table, processor, counters.add, count)
    except tables.ParseError as error:
        message = describe_parse_error(error)
        _fail(batch, message, code=error.code, created_by=created_by)
        raise ImportFileError(message, batch=batch) from error
    except Exception:
        _fail(
            batch,
            _("The import stopped because of an internal error."),
            code="internal_error",
            created_by=created_by,
        )
        raise

    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.processed_bytes = batch.total_bytes
    batch.save(update_fields=["status", "finished_at", "processed_bytes"])
    audit.record(
        action="feedback.import",
        actor=created_by,
        obj=batch,
        organisation=organisation,
        details={
            "source": source,
            "format": file_format,
            "rows": batch.rows_seen,
            "imported": batch.imported,
            "rejected": batch.rejected,
            "duplicates": batch.duplicates,
        },
    )
    if progress is not None:
        progress(batch)
    _tell_import_listeners(batch, column_mapping)
    return batch


def _tell_import_listeners(batch: ImportBatch, mapping: parsing.ColumnMapping) -> None:
    """Signals with a service are confirmed examples of the routing: say how many came."""
    with_service = 0
    if batch.imported and ("service" in mapping.columns or "service" in mapping.defaults):
        with_service = Feedback.objects.filter(batch=batch, service__isnull=False).count()
    import_finished(
        organisation_id=batch.organisation_id, batch_id=batch.pk, with_service=with_service
    )


def import_batch_create(
    *, organisation: Organisation, source: str, upload: UploadedFile, created_by: User | None
) -> ImportBatch:
    """Keep an uploaded file as a waiting import, after checking that it can be read."""
    name = Path(upload.name or "").name
    try:
        file_format = parsing.format_of(name)
    except tables.ParseError as error:
        raise ImportFileError(describe_parse_error(error)) from error
    if (upload.size or 0) > MAX_UPLOAD_BYTES:
        raise ImportFileError(
            _("The file is larger than %(limit)s MB; split it or use the command line.")
            % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    batch = ImportBatch(
        organisation=organisation,
        source=" ".join(source.split()),
        filename=name[:255],
        file_format=file_format,
        total_bytes=upload.size or 0,
        created_by=created_by,
    )
    batch.file.save(name, upload, save=False)
    detected: dict[str, Any] = {}
    try:
        with open_file(Path(batch.file.path), file_format) as table:
            header = table.header
            if file_format not in ("eml", "mbox"):
                detected = detected_json(detect_table(table, reference=Reference.of(organisation)))
    except tables.ParseError as error:
        batch.file.delete(save=False)
        raise ImportFileError(describe_parse_error(error)) from error
    batch.mapping = {"header": header, "detected": detected} if detected else {"header": header}
    batch.save()
    return batch


def import_batch_set_mapping(*, batch: ImportBatch, mapping: parsing.ColumnMapping) -> None:
    """Remember the mapping chosen for a waiting import; ImportFileError when it cannot work."""
    header = batch_header(batch)
    try:
        parsing.resolve_mapping(header, mapping)
    except tables.ParseError as error:
        raise ImportFileError(describe_parse_error(error), batch=batch) from error
    detected = (batch.mapping or {}).get("detected")
    batch.mapping = {**mapping.as_json(), "header": header}
    if detected:
        batch.mapping["detected"] = detected
    batch.save(update_fields=["mapping"])


@dataclass(frozen=True)
class PreviewRow:
    row_number: int
    signal: SignalInput | None
    text: str  # redacted, as it will be stored
    reasons: list[str]

    @property
    def channel_label(self) -> str:
        return str(Channel(self.signal.channel).label) if self.signal else ""


def import_preview(batch: ImportBatch, *, limit: int = 20) -> list[PreviewRow]:
    """The first rows of a waiting import as they would be stored, or why they would not."""
    mapper = mapper_for(batch, preview=True)
    shown: list[PreviewRow] = []
    try:
        with open_file(Path(batch.file.path), batch.file_format) as table:
            for number, values in table.rows:
                mapped = mapper.map(values)
                if isinstance(mapped, SignalInput):
                    shown.append(PreviewRow(number, mapped, redact(mapped.text), []))
                else:
                    shown.append(PreviewRow(number, None, "", describe_all(mapped)))
                if len(shown) >= limit:
                    break
    except tables.ParseError as error:
        raise ImportFileError(describe_parse_error(error), batch=batch) from error
    return shown


def import_batch_claim(*, batch_id: int, resume: bool = False) -> ImportBatch | None:
    """Mark a waiting import as running and return it; None when it is not waiting (already
    running or finished), so that a job delivered twice runs once. ``resume``: a job delivered
    again takes over a running import once it is interrupted, and starts it afresh (what was
    already stored then counts as duplicates); see :func:`_take_over`."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PENDING).update(
        status=ImportBatch.Status.RUNNING, heartbeat_at=timezone.now()
    )
    if not claimed and resume:
        return _take_over(batch_id)
    if not claimed:
        return None
    return ImportBatch.objects.select_related("organisation", "created_by").get(pk=batch_id)


def _take_over(batch_id: int) -> ImportBatch | None:
    """A job is delivered again when its worker died, but also when the broker thinks it did
    (Redis: a job not acknowledged within its visibility timeout) while the import still runs.
    So the running import is taken over only once it is interrupted: its heartbeat is waited
    for, at most ``LEERLUS_IMPORT_STALE_SECONDS`` (and a little), and an import whose heartbeat
    still moves is left to its process (None)."""
    deadline = time.monotonic() + settings.LEERLUS_IMPORT_STALE_SECONDS + 5
    while True:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update()
                .filter(pk=batch_id, status=ImportBatch.Status.RUNNING)
                .first()
            )
            if batch is None:
                return None
            if batch.interrupted:
                _start_afresh(batch)
                batch.heartbeat_at = timezone.now()
                batch.save()
                return batch
        if time.monotonic() > deadline:
            return None
        time.sleep(1)


def _start_afresh(batch: ImportBatch) -> None:
    """Forget what an import that starts again had counted (not saved here): its file is read
    from the start, and the rows it stored already count as duplicates."""
    batch.rejected_rows.all().delete()
    batch.rows_seen = batch.imported = batch.rejected = batch.duplicates = 0
    batch.processed_bytes = batch.recoded = 0
    batch.recoded_rows = []


def import_batch_resume(
    *, batch: ImportBatch, resumed_by: User | None, request: HttpRequest | None = None
) -> ImportBatch | None:
    """Make an interrupted import wait again, to be run from the start of its file (a browser
    import by its job, from the file it keeps; a command-line one by ``leerlus import
    --resume``): the rows it stored before its process died then count as duplicates, and
    nothing is stored twice. None when it is not interrupted (running, finished, or resumed
    already by someone else)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk).first()
        if locked is None or not locked.interrupted:
            return None
        before = {"rows": locked.rows_seen, "imported": locked.imported}
        _start_afresh(locked)
        locked.status = ImportBatch.Status.PENDING
        locked.heartbeat_at = None
        locked.save()
        audit.record(
            action="feedback.import.resume",
            actor=resumed_by,
            obj=locked,
            organisation=locked.organisation,
            request=request,
            details={"source": locked.source, "before": before},
        )
    return locked


def import_batch_run(batch: ImportBatch) -> ImportBatch:
    """Run a claimed web import from its stored file, then delete the file: it may hold
    personal data that the redaction removed from everything else."""
    try:
        return import_file(
            organisation=batch.organisation,
            path=batch.file.path,
            source=batch.source,
            created_by=batch.created_by,
            batch=batch,
        )
    except ImportFileError:
        return batch
    finally:
        if batch.file:
            batch.file.delete(save=False)
            ImportBatch.objects.filter(pk=batch.pk).update(file="")
