# SPDX-License-Identifier: EUPL-1.2
"""Mapping and storing the chunks of a file, in this process or in a pool of workers.

A large CSV/JSONL import on PostgreSQL runs in several processes: the parent reads the file
and hands each chunk's result to the batch (its counters, its rejected rows); every worker
maps, redacts and stores its own chunks through ``feedback_ingest``. Duplicates are still
found by fingerprint: two workers that insert the same signal at once collide on the unique
constraint, and the loser retries its chunk, which then counts the signal as a duplicate.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.pool import AsyncResult
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, connection, connections

from leerlus.engine import tables
from leerlus.organisations.models import User

from ..models import ImportBatch
from ..services import SignalInput, feedback_ingest
from .mapping import RowMapper
from .reasons import Reason, reason

logger = logging.getLogger(__name__)

CHUNK_ROWS: Final = 2000
# Below this size a file is imported in one process: starting workers costs more than it gains.
PARALLEL_MIN_BYTES: Final = 8 * 1024 * 1024
MAX_WORKERS: Final = 8


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

    def __call__(self, rows: list[tables.Row]) -> ChunkResult:
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


def _process_in_worker(rows: list[tables.Row]) -> ChunkResult:
    assert _worker_processor is not None
    return _worker_processor(rows)


def chunks(rows: Iterator[tables.Row], size: int) -> Iterator[list[tables.Row]]:
    chunk: list[tables.Row] = []
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


# Called in the importing process with each chunk's result and how far the file has been read.
OnChunk = Callable[[ChunkResult, int], None]


def process_table(
    table: tables.Table, processor: ChunkProcessor, on_chunk: OnChunk, workers: int
) -> None:
    """Map and store every chunk of ``table``: in ``workers`` processes where there are more
    than one and the file is read line by line (CSV, JSONL), else here."""
    if workers > 1 and table.file_format in ("csv", "jsonl"):
        _run_in_workers(table, processor, on_chunk, workers)
    else:
        _run_here(table, processor, on_chunk)


def _run_here(table: tables.Table, processor: ChunkProcessor, on_chunk: OnChunk) -> None:
    for chunk in chunks(table.rows, CHUNK_ROWS):
        on_chunk(processor(chunk), table.position())


def _forget_inherited_connections() -> None:
    """In a forked worker: never touch a connection object inherited from the parent (its
    socket is the parent's); the first query opens the worker's own."""
    for connection_ in connections.all(initialized_only=True):
        connection_.connection = None


def _run_in_workers(
    table: tables.Table, processor: ChunkProcessor, on_chunk: OnChunk, workers: int
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
            _run_here(table, processor, on_chunk)
            return
        with pool:
            for chunk in chunks(table.rows, CHUNK_ROWS):
                pending.append((pool.apply_async(_process_in_worker, (chunk,)), table.position()))
                if len(pending) >= window:
                    done, position = pending.popleft()
                    on_chunk(done.get(), position)
            while pending:
                done, position = pending.popleft()
                on_chunk(done.get(), position)
    finally:
        gc.unfreeze()
        _worker_processor = None
