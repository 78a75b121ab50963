"""Importing files of signals: map each row, keep what is wrong, store what is right.

One row at a time, from the file to the database: a row becomes a ``SignalInput`` (stored
through ``services.feedback_ingest``, which redacts, detects the language and deduplicates) or
a list of reasons (kept as a ``RejectedRow`` with its values, the text redacted, for correction
and re-import). Rows are handled in chunks; the batch's counters are updated after every chunk,
so the progress bar moves while nothing but the current chunk is held in memory.

A large CSV/JSONL import on PostgreSQL runs in several processes (``workers``): the parent
reads the file and writes the counters and rejected rows, every worker maps, redacts and stores
its own chunks through ``feedback_ingest``. Duplicates are still found by fingerprint: two
workers that insert the same signal at once collide on the unique constraint, and the loser
retries its chunk, which then counts the signal as a duplicate.
"""

from __future__ import annotations

import csv
import gc
import io
import logging
import multiprocessing
import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, Final, TypedDict, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leerlus.organisations import audit
from leerlus.organisations.models import AuditEntry, Department, Organisation, Service, User

from . import mail, parsing
from .models import Channel, Feedback, ImportBatch, ImportMapping, RejectedRow, ReporterKind
from .redaction import redact
from .services import SignalInput, feedback_ingest
from .vocabulary import channel_code, reporter_code

logger = logging.getLogger(__name__)

MAX_TEXT: Final = 10_000
MAX_LOCATION: Final = 200
MAX_EXTERNAL_ID: Final = 100
MAX_URL: Final = 200
MAX_SOURCE: Final = 100
MAX_UPLOAD_BYTES: Final = 200 * 1024 * 1024
FUTURE_MARGIN: Final = timedelta(days=1)
CHUNK_ROWS: Final = 2000
# Below this size a file is imported in one process: starting workers costs more than it gains.
PARALLEL_MIN_BYTES: Final = 8 * 1024 * 1024
MAX_WORKERS: Final = 8
# A value quoted in a reason is cut to this length.
QUOTED_VALUE: Final = 80
# Columns added to the download of rejected rows; the first links a corrected row back.
ROW_COLUMN: Final = "row"
REASONS_COLUMN: Final = "reasons"


# --- reasons -------------------------------------------------------------------------------


class Reason(TypedDict):
    """Why a row was not imported: a code, the field it is about, values for the message.

    Stored as is (in ``RejectedRow.reasons``) and put into words when shown, in the reader's
    language, by :func:`describe`.
    """

    code: str
    field: str
    params: dict[str, str]


REASON_MESSAGES: Final[dict[str, Promise]] = {
    "missing_text": gettext_lazy("The text is empty."),
    "text_too_long": gettext_lazy(
        "The text is %(length)s characters long; at most %(limit)s characters are allowed."
    ),
    "missing_date": gettext_lazy("The date is empty."),
    "bad_date": gettext_lazy(
        "“%(value)s” is not a date we can read. Expected a date such as %(formats)s."
    ),
    "future_date": gettext_lazy("The date “%(value)s” lies in the future."),
    "unknown_channel": gettext_lazy(
        "“%(value)s” is not a known channel. Accepted channels: %(accepted)s."
    ),
    "unknown_service": gettext_lazy(
        "There is no service “%(value)s” in this organisation (by name or short name)."
    ),
    "unknown_department": gettext_lazy(
        "There is no department “%(value)s” in this organisation (by name or short name)."
    ),
    "unknown_reporter": gettext_lazy(
        "“%(value)s” is not a known kind of reporter. Accepted: %(accepted)s."
    ),
    "bad_rating": gettext_lazy("The rating “%(value)s” is not a whole number from 1 to 5."),
    "bad_url": gettext_lazy(
        "“%(value)s” is not a valid web address (http or https, at most %(limit)s characters)."
    ),
    "location_too_long": gettext_lazy(
        "The location is %(length)s characters long; at most %(limit)s characters are allowed."
    ),
    "external_id_too_long": gettext_lazy(
        "The external id is %(length)s characters long; at most %(limit)s characters are allowed."
    ),
    "unknown_language": gettext_lazy(
        "“%(value)s” is not a language code such as nl or en; leave it empty to detect it."
    ),
    "invalid_json": gettext_lazy("This line is not valid JSON."),
    "not_an_object": gettext_lazy("This line is not a JSON object with fields."),
    "not_stored": gettext_lazy(
        "This row could not be stored: it clashes with a signal stored at the same time. "
        "Import it again."
    ),
}


def reason(code: str, field: str = "", **params: object) -> Reason:
    return {"code": code, "field": field, "params": {k: str(v) for k, v in params.items()}}


def _quoted(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= QUOTED_VALUE else value[: QUOTED_VALUE - 1] + "…"


def describe(item: Reason | Mapping[str, Any] | str) -> str:
    """A reason in words, in the active language."""
    if isinstance(item, str):
        return item
    message = REASON_MESSAGES.get(str(item.get("code", "")))
    if message is None:
        return str(item.get("code", ""))
    try:
        return str(message) % dict(item.get("params") or {})
    except (KeyError, TypeError, ValueError):
        return str(message)


def describe_all(reasons: Iterable[Reason | Mapping[str, Any] | str]) -> list[str]:
    return [describe(r) for r in reasons]


# --- errors about a whole file ---------------------------------------------------------------

_PARSE_MESSAGES: Final[dict[str, Promise]] = {
    "unsupported_format": gettext_lazy(
        "%(name)s is not a file we can import. Accepted: CSV, XLSX (Excel), JSONL, EML and "
        "MBOX files."
    ),
    "unreadable_encoding": gettext_lazy(
        "The file is not text in UTF-8 or Windows-1252 (unreadable encoding). Save it as "
        "“CSV UTF-8” and try again."
    ),
    "empty_file": gettext_lazy("%(name)s has no rows."),
    "unreadable_file": gettext_lazy("%(name)s cannot be read as a %(kind)s file."),
    "broken_row": gettext_lazy("Row %(row)s of %(name)s cannot be read: %(problem)s."),
    "unknown_column": gettext_lazy(
        "The mapping uses column “%(column)s” for %(field)s, but the file has no such column. "
        "Columns seen: %(seen)s."
    ),
    "no_text_column": gettext_lazy(
        "No text column found. Columns seen: %(seen)s. Accepted names: %(accepted)s "
        "(or give a mapping)."
    ),
    "no_date_column": gettext_lazy(
        "No date column found. Columns seen: %(seen)s. Accepted names: %(accepted)s "
        "(or give a mapping)."
    ),
}


def describe_parse_error(error: parsing.ParseError) -> str:
    message = _PARSE_MESSAGES.get(error.code)
    if message is None:  # bad_mapping: the parser's own (English) words name the problem
        return _("The mapping is not valid: %(problem)s") % {"problem": str(error)}
    try:
        return str(message) % error.params
    except (KeyError, TypeError, ValueError):
        return str(error)


class ImportFileError(Exception):
    """The file as a whole cannot be imported; ``message`` says why, in words for people."""

    def __init__(self, message: str, *, batch: ImportBatch | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.batch = batch


# --- mapping one row -------------------------------------------------------------------------

LANGUAGE_ALIASES: Final[dict[str, str]] = {
    "nl": "nl",
    "nld": "nl",
    "dut": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "eng": "en",
    "engels": "en",
    "english": "en",
}
_LANGUAGE_CODE: Final = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{2,4})?")
_URL: Final = URLValidator(schemes=["http", "https"])


Known = TypeVar("Known", Service, Department)


def _key(value: str) -> str:
    return " ".join(value.casefold().split())


@dataclass(frozen=True)
class Reference:
    """The organisation's services and departments by short name and by name, loaded once
    per import so that no row costs a query."""

    services: dict[str, Service]
    departments: dict[str, Department]

    @classmethod
    def of(cls, organisation: Organisation) -> Reference:
        services: dict[str, Service] = {}
        for service in Service.objects.filter(organisation=organisation).select_related(
            "department"
        ):
            services.setdefault(_key(service.slug), service)
            services.setdefault(_key(service.name), service)
        departments: dict[str, Department] = {}
        for department in Department.objects.filter(organisation=organisation):
            departments.setdefault(_key(department.slug), department)
            departments.setdefault(_key(department.name), department)
        return cls(services=services, departments=departments)


def _clean(value: object) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text.strip()


class RowMapper:
    """Turns a raw row into a ``SignalInput``, or into the reasons why it cannot be one.

    Never raises on a row's values: whatever the strings, the answer is a signal or reasons.
    """

    def __init__(
        self,
        *,
        organisation: Organisation,
        source: str,
        mapping: parsing.ColumnMapping,
        reference: Reference | None = None,
        now: datetime | None = None,
    ) -> None:
        self.organisation = organisation
        self.source = source
        self.mapping = mapping
        self.reference = reference or Reference.of(organisation)
        self.latest = (now or timezone.now()) + FUTURE_MARGIN
        self.formats = ", ".join(
            ([mapping.date_format] if mapping.date_format else []) + list(parsing.DATE_EXAMPLES)
        )
        self.accepted_channels = ", ".join(Channel.values)
        self.accepted_reporters = ", ".join(ReporterKind.values)

    def value(self, values: Mapping[str, Any], target: str) -> str:
        column = self.mapping.columns.get(target)
        found = _clean(values.get(column, "")) if column else ""
        return found or _clean(self.mapping.defaults.get(target, ""))

    def map(self, values: Mapping[str, Any]) -> SignalInput | list[Reason]:
        problem = values.get(parsing.ROW_ERROR)
        if problem in parsing.ROW_ERRORS:
            return [reason(str(problem))]
        reasons: list[Reason] = []

        text = self.value(values, "text")
        if not text:
            reasons.append(reason("missing_text", "text"))
        elif len(text) > MAX_TEXT:
            reasons.append(reason("text_too_long", "text", length=len(text), limit=MAX_TEXT))

        received_at = self._received_at(self.value(values, "received_at"), reasons)

        channel_value = self.value(values, "channel")
        channel = channel_code(channel_value) if channel_value else Channel.IMPORT
        if channel is None:
            reasons.append(
                reason(
                    "unknown_channel",
                    "channel",
                    value=_quoted(channel_value),
                    accepted=self.accepted_channels,
                )
            )

        service = self._lookup(values, "service", self.reference.services, reasons)
        department = self._lookup(values, "department", self.reference.departments, reasons)

        reporter_value = self.value(values, "reporter_kind")
        reporter = reporter_code(reporter_value) if reporter_value else ReporterKind.CITIZEN
        if reporter is None:
            reasons.append(
                reason(
                    "unknown_reporter",
                    "reporter_kind",
                    value=_quoted(reporter_value),
                    accepted=self.accepted_reporters,
                )
            )

        rating = self._rating(self.value(values, "rating"), reasons)

        location = self.value(values, "location")
        if len(location) > MAX_LOCATION:
            reasons.append(
                reason("location_too_long", "location", length=len(location), limit=MAX_LOCATION)
            )

        case_url = self.value(values, "case_url")
        if case_url and not _valid_url(case_url):
            reasons.append(reason("bad_url", "case_url", value=_quoted(case_url), limit=MAX_URL))

        language = self._language(self.value(values, "language"), reasons)

        external_id = self.value(values, "external_id")
        if len(external_id) > MAX_EXTERNAL_ID:
            reasons.append(
                reason(
                    "external_id_too_long",
                    "external_id",
                    length=len(external_id),
                    limit=MAX_EXTERNAL_ID,
                )
            )

        if reasons or received_at is None or channel is None or reporter is None:
            return reasons
        return SignalInput(
            text=text,
            channel=channel,
            received_at=received_at,
            service=service,
            department=department,
            reporter_kind=reporter,
            rating=rating,
            location=location,
            external_id=external_id,
            source=self.source,
            case_url=case_url,
            language=language,
        )

    def _received_at(self, value: str, reasons: list[Reason]) -> datetime | None:
        if not value:
            reasons.append(reason("missing_date", "received_at"))
            return None
        moment = parsing.parse_datetime(value, date_format=self.mapping.date_format or None)
        if moment is None:
            reasons.append(
                reason("bad_date", "received_at", value=_quoted(value), formats=self.formats)
            )
            return None
        if moment > self.latest:
            reasons.append(reason("future_date", "received_at", value=_quoted(value)))
            return None
        return moment

    def _lookup(
        self,
        values: Mapping[str, Any],
        target: str,
        known: Mapping[str, Known],
        reasons: list[Reason],
    ) -> Known | None:
        value = self.value(values, target)
        if not value:
            return None
        found = known.get(_key(value))
        if found is None:
            reasons.append(reason(f"unknown_{target}", target, value=_quoted(value)))
        return found

    @staticmethod
    def _rating(value: str, reasons: list[Reason]) -> int | None:
        if not value:
            return None
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = float("nan")
        if not number.is_integer() or not 1 <= number <= 5:
            reasons.append(reason("bad_rating", "rating", value=_quoted(value)))
            return None
        return int(number)

    @staticmethod
    def _language(value: str, reasons: list[Reason]) -> str:
        if not value:
            return ""
        lowered = value.lower()
        if lowered in LANGUAGE_ALIASES:
            return LANGUAGE_ALIASES[lowered]
        if _LANGUAGE_CODE.fullmatch(lowered):
            return lowered
        reasons.append(reason("unknown_language", "language", value=_quoted(value)))
        return ""

    def stored_values(self, values: Mapping[str, Any]) -> dict[str, str]:
        """A rejected row's values as they are kept: every column that is not one of the
        structured fields (date, channel, service...) passes the redaction, the text first."""
        structured = {
            column for target, column in self.mapping.columns.items() if target != "location"
        } - {self.mapping.columns.get("text")}
        kept: dict[str, str] = {}
        for column, raw in values.items():
            value = _clean(raw) if column != parsing.ROW_ERROR else str(raw)
            kept[str(column)] = value if column in structured or not value else redact(value)
        return kept


def _valid_url(value: str) -> bool:
    if len(value) > MAX_URL:
        return False
    try:
        _URL(value)
    except ValidationError:
        return False
    return True


# --- importing a file ------------------------------------------------------------------------

Progress = Callable[[ImportBatch], None]


@dataclass
class ChunkResult:
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, dict[str, str], list[Reason]]] = field(default_factory=list)


class ChunkProcessor:
    """Maps and stores one chunk of rows; runs in the importing process or in a worker."""

    def __init__(
        self,
        *,
        batch: ImportBatch,
        mapper: RowMapper,
        created_by: User | None,
    ) -> None:
        self.batch = batch
        self.mapper = mapper
        self.created_by = created_by

    def __call__(self, rows: list[parsing.Row]) -> ChunkResult:
        result = ChunkResult(rows=len(rows))
        valid: list[tuple[int, Mapping[str, Any], SignalInput]] = []
        for number, values in rows:
            mapped = self.mapper.map(values)
            if isinstance(mapped, SignalInput):
                valid.append((number, values, mapped))
            else:
                result.rejected.append((number, self.mapper.stored_values(values), mapped))
        self._store(valid, result)
        return result

    def _ingest(self, items: list[SignalInput]) -> tuple[int, int]:
        stored = feedback_ingest(
            organisation=self.mapper.organisation,
            items=items,
            created_by=self.created_by,
            batch=self.batch,
        )
        return stored.imported, stored.duplicates

    def _store(
        self, valid: list[tuple[int, Mapping[str, Any], SignalInput]], result: ChunkResult
    ) -> None:
        if not valid:
            return
        # Another process may store one of these signals at the same moment; the unique
        # fingerprint then refuses the chunk. Once more sees it as a duplicate; a clash that
        # remains (two different signals with the same reference) is narrowed to its row.
        for _attempt in range(2):
            try:
                imported, duplicates = self._ingest([item for _n, _v, item in valid])
            except IntegrityError:
                continue
            result.imported += imported
            result.duplicates += duplicates
            return
        for number, values, item in valid:
            try:
                imported, duplicates = self._ingest([item])
            except IntegrityError:
                result.rejected.append(
                    (number, self.mapper.stored_values(values), [reason("not_stored")])
                )
                continue
            result.imported += imported
            result.duplicates += duplicates


# The worker processes' processor, inherited from the parent when the pool forks.
_worker_processor: ChunkProcessor | None = None


def _process_in_worker(rows: list[parsing.Row]) -> ChunkResult:
    assert _worker_processor is not None
    return _worker_processor(rows)


def _chunks(rows: Iterator[parsing.Row], size: int) -> Iterator[list[parsing.Row]]:
    chunk: list[parsing.Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def auto_workers(size: int) -> int:
    """How many processes an import of ``size`` bytes uses when not told.

    Several only where it pays and works: a large file, PostgreSQL (SQLite takes one writer
    at a time), outside a transaction (workers would not see uncommitted rows), not inside a
    daemonic process (which may not start children), in a process without other threads
    (forking one with threads can copy a lock another thread holds) and where processes can
    fork. ``LEERLUS_IMPORT_WORKERS`` caps the number (default: one per CPU, at most 8).
    """
    configured = settings.LEERLUS_IMPORT_WORKERS
    wanted = int(configured) if configured else min(os.cpu_count() or 1, MAX_WORKERS)
    if (
        wanted <= 1
        or size < PARALLEL_MIN_BYTES
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or multiprocessing.current_process().daemon
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return 1
    return wanted


def _open(path: Path, file_format: str) -> parsing.Table:
    if file_format in ("eml", "mbox"):
        return mail.open_mail(path, file_format)
    return parsing.open_table(path, file_format)


def _mapping_from(
    value: parsing.ColumnMapping | Mapping[str, Any] | None,
) -> parsing.ColumnMapping | None:
    """A mapping that says something, or None (then the columns are recognised by name)."""
    if not value:
        return None
    loaded = value if isinstance(value, parsing.ColumnMapping) else parsing.load_mapping(value)
    return loaded if loaded.columns or loaded.defaults else None


def batch_mapping(batch: ImportBatch) -> parsing.ColumnMapping:
    """The mapping an import used (or will use), as stored on its batch."""
    if batch.file_format in ("eml", "mbox"):
        return mail.MAIL_MAPPING
    return parsing.load_mapping(batch.mapping or {})


def batch_header(batch: ImportBatch) -> list[str]:
    header = (batch.mapping or {}).get("header")
    if isinstance(header, list):
        return [str(h) for h in header]
    if batch.file_format in ("eml", "mbox"):
        return list(mail.MAIL_HEADER)
    return []


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
    """The batch's counters, written at most once a chunk (about 2,000 rows)."""

    def __init__(self, batch: ImportBatch, progress: Progress | None) -> None:
        self.batch = batch
        self.progress = progress
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
        batch.save(
            update_fields=["rows_seen", "imported", "duplicates", "rejected", "processed_bytes"]
        )
        self.statistics.update(batch.imported)
        if self.progress is not None:
            self.progress(batch)


def _run_here(table: parsing.Table, processor: ChunkProcessor, counters: _Counters) -> None:
    for chunk in _chunks(table.rows, CHUNK_ROWS):
        counters.add(processor(chunk), table.position())


def _forget_inherited_connections() -> None:
    """In a forked worker: never touch a connection object inherited from the parent (its
    socket is the parent's); the first query opens the worker's own."""
    for connection_ in connections.all(initialized_only=True):
        connection_.connection = None


def _run_in_workers(
    table: parsing.Table, processor: ChunkProcessor, counters: _Counters, workers: int
) -> None:
    global _worker_processor  # handed to the forked workers
    _worker_processor = processor
    # The workers must not share the parent's database connection: close it before forking;
    # each side opens its own on its next query.
    connections.close_all()
    window = 2 * workers  # chunks in flight: enough to keep every worker busy, no more
    pending: deque[tuple[AsyncResult[ChunkResult], int]] = deque()
    # What the importing process has loaded (Django, every app, the engine that the system
    # checks import: some 200,000 objects) is kept out of the workers' garbage collection:
    # each full collection would go through all of it again (0.12 s each, some 4 % of a
    # worker's CPU time) and write to every page of it that the fork had shared.
    gc.freeze()
    try:
        try:
            pool = multiprocessing.get_context("fork").Pool(
                workers, initializer=_forget_inherited_connections
            )
        except (AssertionError, OSError):  # no children allowed here: one process it is
            logger.warning("import.workers_refused", exc_info=True)
            _run_here(table, processor, counters)
            return
        with pool:
            for chunk in _chunks(table.rows, CHUNK_ROWS):
                pending.append((pool.apply_async(_process_in_worker, (chunk,)), table.position()))
                if len(pending) >= window:
                    done, position = pending.popleft()
                    counters.add(done.get(), position)
            while pending:
                done, position = pending.popleft()
                counters.add(done.get(), position)
    finally:
        gc.unfreeze()
        _worker_processor = None


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
    batch's stored mapping is used, else the columns are recognised by name. ``progress`` is
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
    except (parsing.ParseError, OSError) as error:
        if isinstance(error, parsing.ParseError):
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
    batch.save(update_fields=["status", "total_bytes"])

    try:
        with _open(path, file_format) as table:
            if file_format in ("eml", "mbox"):
                column_mapping = mail.MAIL_MAPPING
            else:
                wanted = _mapping_from(mapping) or _mapping_from(batch.mapping)
                column_mapping = parsing.resolve_mapping(table.header, wanted)
                ImportMapping.objects.update_or_create(
                    organisation=organisation,
                    source=source,
                    defaults={"mapping": column_mapping.as_json()},
                )
            batch.mapping = {**column_mapping.as_json(), "header": table.header}
            batch.save(update_fields=["mapping"])
            mapper = RowMapper(organisation=organisation, source=source, mapping=column_mapping)
            processor = ChunkProcessor(batch=batch, mapper=mapper, created_by=created_by)
            counters = _Counters(batch, progress)
            count = workers if workers is not None else auto_workers(size)
            if count > 1 and table.file_format in ("csv", "jsonl"):
                _run_in_workers(table, processor, counters, count)
            else:
                _run_here(table, processor, counters)
    except parsing.ParseError as error:
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
    return batch


# --- the web upload ------------------------------------------------------------------------


def import_batch_create(
    *, organisation: Organisation, source: str, upload: UploadedFile, created_by: User | None
) -> ImportBatch:
    """Keep an uploaded file as a waiting import, after checking that it can be read."""
    name = Path(upload.name or "").name
    try:
        file_format = parsing.format_of(name)
    except parsing.ParseError as error:
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
    try:
        with _open(Path(batch.file.path), file_format) as table:
            header = table.header
    except parsing.ParseError as error:
        batch.file.delete(save=False)
        raise ImportFileError(describe_parse_error(error)) from error
    batch.mapping = {"header": header}
    batch.save()
    return batch


def suggested_mapping(batch: ImportBatch) -> parsing.ColumnMapping:
    """The saved mapping of the batch's source where its columns are all in this file, else
    the columns recognised by name."""
    header = batch_header(batch)
    saved = ImportMapping.objects.filter(
        organisation=batch.organisation, source=batch.source
    ).first()
    if saved is not None:
        try:
            return parsing.resolve_mapping(header, parsing.load_mapping(saved.mapping))
        except parsing.ParseError:
            pass
    return parsing.auto_mapping(header)


def import_batch_set_mapping(*, batch: ImportBatch, mapping: parsing.ColumnMapping) -> None:
    """Remember the mapping chosen for a waiting import; ImportFileError when it cannot work."""
    header = batch_header(batch)
    try:
        parsing.resolve_mapping(header, mapping)
    except parsing.ParseError as error:
        raise ImportFileError(describe_parse_error(error), batch=batch) from error
    batch.mapping = {**mapping.as_json(), "header": header}
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
    mapper = RowMapper(
        organisation=batch.organisation, source=batch.source, mapping=batch_mapping(batch)
    )
    shown: list[PreviewRow] = []
    try:
        with _open(Path(batch.file.path), batch.file_format) as table:
            for number, values in table.rows:
                mapped = mapper.map(values)
                if isinstance(mapped, SignalInput):
                    shown.append(PreviewRow(number, mapped, redact(mapped.text), []))
                else:
                    shown.append(PreviewRow(number, None, "", describe_all(mapped)))
                if len(shown) >= limit:
                    break
    except parsing.ParseError as error:
        raise ImportFileError(describe_parse_error(error), batch=batch) from error
    return shown


def import_batch_claim(*, batch_id: int, resume: bool = False) -> ImportBatch | None:
    """Mark a waiting import as running and return it; None when it is not waiting (already
    running or finished), so that a job delivered twice runs once. ``resume``: a job delivered
    again after its worker died takes over the running import and starts it afresh (what was
    already stored then counts as duplicates)."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PENDING).update(
        status=ImportBatch.Status.RUNNING
    )
    if not claimed and resume:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update()
                .filter(pk=batch_id, status=ImportBatch.Status.RUNNING)
                .first()
            )
            if batch is None:
                return None
            batch.rejected_rows.all().delete()
            batch.rows_seen = batch.imported = batch.rejected = batch.duplicates = 0
            batch.processed_bytes = 0
            batch.save()
            return batch
    if not claimed:
        return None
    return ImportBatch.objects.select_related("organisation", "created_by").get(pk=batch_id)


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


# --- corrections -----------------------------------------------------------------------------


def _mapper_for(batch: ImportBatch) -> RowMapper:
    return RowMapper(
        organisation=batch.organisation, source=batch.source, mapping=batch_mapping(batch)
    )


@transaction.atomic
def rejected_row_correct(
    *, row: RejectedRow, values: Mapping[str, str], corrected_by: User | None
) -> list[Reason]:
    """Import a rejected row with corrected values; its reasons (empty when imported).

    The row is marked resolved once it is stored (or found to be present already); a row
    that is still wrong keeps the new values with the new reasons.
    """
    batch = row.batch
    mapper = _mapper_for(batch)
    merged = {**row.values, **{k: _clean(v) for k, v in values.items()}}
    merged.pop(parsing.ROW_ERROR, None)  # a broken JSON line, now filled in by hand
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


def _link_column(header: list[str]) -> str:
    """The download's first column; renamed where the file itself has a ``row`` column."""
    return ROW_COLUMN if ROW_COLUMN not in header else f"{ROW_COLUMN} (leerlus)"


def rejected_rows_reimport(
    *, batch: ImportBatch, path: str | Path, corrected_by: User | None
) -> CorrectionResult:
    """Import a corrected file of rejected rows (as downloaded, edited) into the same source.

    A row that names its original row (the ``row`` column) resolves that rejected row when
    it is stored, or replaces its values and reasons when it is still wrong; a row without
    one is imported like any other (or kept as a new rejected row).
    """
    path = Path(path)
    mapper = _mapper_for(batch)
    result = CorrectionResult()
    try:
        file_format = parsing.format_of(path.name)
        if file_format in ("eml", "mbox"):
            raise parsing.ParseError(
                "unsupported_format", "%(name)s is not a table.", name=path.name
            )
        with parsing.open_table(path, file_format) as table:
            parsing.resolve_mapping(table.header, mapper.mapping)
            link_column = _link_column(batch_header(batch))
            open_rows = {
                r.row_number: r for r in batch.rejected_rows.filter(resolved=False).iterator()
            }
            for chunk in _chunks(table.rows, CHUNK_ROWS):
                _reimport_chunk(chunk, batch, mapper, link_column, open_rows, corrected_by, result)
    except parsing.ParseError as error:
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


def _reimport_chunk(
    chunk: list[parsing.Row],
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


def rejected_rows_csv(batch: ImportBatch) -> Iterator[str]:
    """The unresolved rejected rows as CSV (``;``, UTF-8 with BOM, as Dutch Excel opens it):
    the link column, the file's own columns with the text redacted, and the reasons."""
    header = batch_header(batch)
    if batch.file_format == "jsonl":
        header = [*header, parsing.RAW_LINE]
    link_column = _link_column(header)
    reasons_column = REASONS_COLUMN if REASONS_COLUMN not in header else "reasons (leerlus)"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow([link_column, *header, reasons_column])
    yield "\ufeff" + flush()
    rows = batch.rejected_rows.filter(resolved=False).order_by("row_number", "pk")
    for row in rows.iterator(chunk_size=2000):
        values = row.values if isinstance(row.values, dict) else {}
        writer.writerow(
            [
                row.row_number,
                *(values.get(column, "") for column in header),
                " ".join(describe_all(row.reasons or [])),
            ]
        )
        if buffer.tell() > 64 * 1024:
            yield flush()
    yield flush()


# --- reads -----------------------------------------------------------------------------------


def import_batches_of(*, user: User) -> QuerySet[ImportBatch]:
    """The imports of the person's organisation, newest first."""
    if user.organisation_id is None:
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(organisation_id=user.organisation_id).select_related(
        "created_by"
    )


def import_batch_get(*, user: User, pk: int) -> ImportBatch:
    """The same 404 for a missing import and another organisation's."""
    found = import_batches_of(user=user).select_related("organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def rejected_row_get(*, batch: ImportBatch, pk: int) -> RejectedRow:
    found = batch.rejected_rows.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found
