# SPDX-License-Identifier: EUPL-1.2
"""Storing chunks: a clash with a concurrent writer retried or narrowed to its row, worker
processes giving the same result, what they inherit and when there are several."""

import gc
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError

from leerlus.engine import tables
from leerlus.feedback import services
from leerlus.feedback.imports import workers
from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.imports.reasons import describe_all
from leerlus.feedback.models import Feedback
from leerlus.feedback.services import SignalInput
from leerlus.organisations.models import Organisation

from .files import GOOD_ROWS, signals_of, write_csv

# Reasons are put into words in the active language; these tests read English.
pytestmark = pytest.mark.usefixtures("english")


# --- clashes with a concurrent writer --------------------------------------------------------


def test_a_chunk_refused_by_a_concurrent_writer_is_retried(tmp_path, organisation, monkeypatch):
    path = write_csv(tmp_path, GOOD_ROWS)
    real = workers.feedback_ingest
    calls = {"n": 0}

    def clashing_once(**kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(workers, "feedback_ingest", clashing_once)

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.imported, batch.rejected) == (3, 0)
    assert calls["n"] == 2


def test_a_signal_another_worker_stores_during_the_insert_is_then_a_duplicate(
    tmp_path, organisation, monkeypatch
):
    # No stand-in for the clash: the database refuses the chunk (COPY on PostgreSQL,
    # bulk_create on SQLite) because the same signal was stored after the chunk looked.
    path = write_csv(tmp_path, GOOD_ROWS)
    real_build = services._build
    stored_meanwhile: list[Feedback] = []

    def build_while_another_worker_stores(
        organisation: Organisation, item: SignalInput, **kwargs: Any
    ) -> tuple[Feedback, str]:
        if not stored_meanwhile:
            twin, _original = real_build(organisation, item, **kwargs)
            twin.save()
            stored_meanwhile.append(twin)
        return real_build(organisation, item, **kwargs)

    monkeypatch.setattr(services, "_build", build_while_another_worker_stores)

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.imported, batch.duplicates, batch.rejected) == (2, 1, 0)
    assert sorted(f.external_id for f in signals_of(organisation)) == ["A-1", "A-2", "A-3"]


def test_a_row_that_keeps_clashing_is_kept_aside_not_lost(tmp_path, organisation, monkeypatch):
    path = write_csv(tmp_path, GOOD_ROWS)
    real = workers.feedback_ingest

    def clashing_on_a2(**kwargs: Any) -> Any:
        if any(item.external_id == "A-2" for item in kwargs["items"]):
            raise IntegrityError("duplicate key value violates unique constraint")
        return real(**kwargs)

    monkeypatch.setattr(workers, "feedback_ingest", clashing_on_a2)

    batch = import_file(organisation=organisation, path=path, source="KCC")

    assert (batch.imported, batch.rejected) == (2, 1)
    kept = batch.rejected_rows.get()
    assert kept.row_number == 3
    assert describe_all(kept.reasons)[0].startswith("This row could not be stored")


# --- several processes -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_import_in_worker_processes_gives_the_same_result(tmp_path, organisation, monkeypatch):
    monkeypatch.setattr(workers, "CHUNK_ROWS", 40)
    rows = [[f"id-{i}", "31-12-2025", f"Melding nummer {i}", "web", "", ""] for i in range(300)]
    rows[5][1] = "geen datum"
    rows += [list(row) for row in rows[:50]]  # duplicates across chunks and processes
    path = write_csv(tmp_path, rows)

    first = import_file(organisation=organisation, path=path, source="KCC", workers=2)
    second = import_file(organisation=organisation, path=path, source="KCC", workers=2)

    assert (first.imported, first.duplicates, first.rejected) == (299, 49, 2)
    assert first.rejected_rows.count() == 2
    assert (second.imported, second.duplicates, second.rejected) == (0, 348, 2)
    assert Feedback.objects.filter(organisation=organisation).count() == 299


_process_in_worker = workers._process_in_worker
# Where each worker notes how many objects it left to the importing process (set by the test;
# the forked workers inherit it).
_frozen_notes: Path | None = None


def _noting_the_frozen_objects(rows: list[tables.Row]) -> workers.ChunkResult:
    assert _frozen_notes is not None
    (_frozen_notes / f"frozen-{os.getpid()}").write_text(str(gc.get_freeze_count()))
    return _process_in_worker(rows)


@pytest.mark.django_db(transaction=True)
def test_workers_leave_what_the_parent_loaded_out_of_their_garbage_collection(
    tmp_path, organisation, monkeypatch
):
    monkeypatch.setattr(workers, "CHUNK_ROWS", 2)
    monkeypatch.setattr(workers, "_process_in_worker", _noting_the_frozen_objects)
    monkeypatch.setattr(sys.modules[__name__], "_frozen_notes", tmp_path)
    path = write_csv(tmp_path, GOOD_ROWS * 2)

    batch = import_file(organisation=organisation, path=path, source="KCC", workers=2)

    assert (batch.imported, batch.duplicates) == (3, 3)
    frozen = [int(p.read_text()) for p in tmp_path.glob("frozen-*")]
    assert frozen
    assert all(count > 10_000 for count in frozen)  # Django and the apps, at least
    assert gc.get_freeze_count() == 0  # the importing process collects as before


def test_worker_count_stays_one_where_processes_cannot_help(organisation):
    # Inside a test transaction (and on SQLite) worker processes would not see the data.
    assert workers.auto_workers(10**9) == 1
    assert workers.auto_workers(10) == 1
