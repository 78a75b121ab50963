# SPDX-License-Identifier: EUPL-1.2
"""An import whose process died: shown as interrupted with its counts, and resumed."""

import csv
import io
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from leerlus.feedback.imports import batches, workers
from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.models import Feedback, ImportBatch
from leerlus.organisations.models import AuditEntry
from leerlus.organisations.roles import Role

pytestmark = pytest.mark.django_db

LEERLUS = str(Path(sys.executable).with_name("leerlus"))
ROWS = 5
# Enough rows that the killed import is still running after its first chunk of 2,000.
ROWS_KILLED = 10_000


class _Killed(BaseException):
    """The import's process dies: no except clause of the import runs, no finally of ours."""


def _file(rows: int = ROWS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["id", "datum", "tekst"])
    writer.writerows([f"R-{i}", "31-12-2025", f"Signaal nummer {i}"] for i in range(rows))
    return buffer.getvalue().encode()


def _killed_import(organisation, path: Path, batch: ImportBatch | None, monkeypatch) -> ImportBatch:
    """An import killed after its first chunk of two rows, its heartbeat two minutes old."""
    monkeypatch.setattr(workers, "CHUNK_ROWS", 2)

    def die(_batch: ImportBatch) -> None:
        raise _Killed

    with pytest.raises(_Killed):
        import_file(organisation=organisation, path=path, source="KCC", batch=batch, progress=die)
    monkeypatch.undo()
    stopped = ImportBatch.objects.latest("pk")
    ImportBatch.objects.filter(pk=stopped.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=2)
    )
    stopped.refresh_from_db()
    return stopped


@pytest.fixture
def web_batch(organisation, analyst, settings, tmp_path, monkeypatch) -> ImportBatch:
    """A browser import (its file kept for the run) whose worker was killed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    batch = ImportBatch(
        organisation=organisation,
        source="KCC",
        filename="kcc.csv",
        file_format="csv",
        created_by=analyst,
    )
    batch.file.save("kcc.csv", ContentFile(_file()), save=True)
    return _killed_import(organisation, Path(batch.file.path), batch, monkeypatch)


def _page(client, name: str, batch: ImportBatch | None = None) -> str:
    url = reverse(name, args=[batch.pk] if batch else [])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_a_killed_import_shows_as_interrupted_with_its_counts(web_batch, client_for, analyst):
    client = client_for(analyst)

    listed = _page(client, "imports:start")
    detail = _page(client, "imports:progress", web_batch)

    assert web_batch.status == ImportBatch.Status.RUNNING
    assert web_batch.interrupted
    assert "Interrupted" in listed
    assert "Interrupted" in detail
    assert "hx-trigger" not in detail  # no polling of an import that will not move
    assert "2 rows read: 2 imported, 0 kept aside, 0 already present." in detail
    assert reverse("imports:resume", args=[web_batch.pk]) in detail


def test_a_running_import_with_a_recent_heartbeat_is_not_interrupted(
    web_batch, client_for, analyst
):
    ImportBatch.objects.filter(pk=web_batch.pk).update(heartbeat_at=timezone.now())
    web_batch.refresh_from_db()
    client = client_for(analyst)

    detail = _page(client, "imports:progress", web_batch)
    refused = client.post(reverse("imports:resume", args=[web_batch.pk]))

    assert not web_batch.interrupted
    assert "Interrupted" not in detail
    assert reverse("imports:resume", args=[web_batch.pk]) not in detail
    assert refused.status_code == 302
    web_batch.refresh_from_db()
    assert (web_batch.status, web_batch.imported) == ("running", 2)
    assert not AuditEntry.objects.filter(action="feedback.import.resume").exists()


def test_resuming_reads_the_file_again_and_stores_nothing_twice(web_batch, client_for, analyst):
    client = client_for(analyst)

    resumed = client.post(reverse("imports:resume", args=[web_batch.pk]))

    assert resumed["Location"] == reverse("imports:progress", args=[web_batch.pk])
    web_batch.refresh_from_db()  # Celery runs eagerly in the tests
    assert web_batch.status == ImportBatch.Status.DONE
    assert (web_batch.rows_seen, web_batch.imported, web_batch.duplicates) == (5, 3, 2)
    assert Feedback.objects.count() == ROWS
    assert not web_batch.file  # gone once the import is done
    assert AuditEntry.objects.filter(
        action="feedback.import.resume", actor=analyst, object_id=str(web_batch.pk)
    ).exists()


def test_only_who_may_import_may_resume(web_batch, client_for, make_user):
    response = client_for(make_user(Role.FRONT_OFFICE)).post(
        reverse("imports:resume", args=[web_batch.pk])
    )

    assert response.status_code == 403
    web_batch.refresh_from_db()
    assert web_batch.interrupted


def test_a_job_delivered_again_takes_over_an_interrupted_import(web_batch):
    batch = batches.import_batch_claim(batch_id=web_batch.pk, resume=True)

    assert batch is not None
    batches.import_batch_run(batch)
    web_batch.refresh_from_db()
    assert (web_batch.status, web_batch.imported, web_batch.duplicates) == ("done", 3, 2)
    assert Feedback.objects.count() == ROWS


class _Clock:
    """Time for the take-over's wait: each second waited, the import's process beats."""

    def __init__(self, batch: ImportBatch) -> None:
        self.batch = batch
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        ImportBatch.objects.filter(pk=self.batch.pk).update(heartbeat_at=timezone.now())


def test_a_job_delivered_again_leaves_an_import_that_still_beats_alone(web_batch, monkeypatch):
    ImportBatch.objects.filter(pk=web_batch.pk).update(heartbeat_at=timezone.now())
    clock = _Clock(web_batch)
    monkeypatch.setattr(batches, "time", clock)

    assert batches.import_batch_claim(batch_id=web_batch.pk, resume=True) is None
    assert clock.now > 60  # it waited a whole stale period for the heartbeat to stop
    web_batch.refresh_from_db()
    assert (web_batch.status, web_batch.imported) == ("running", 2)


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_command_line_import_says_how_to_resume_it_and_resumes(
    organisation, client_for, analyst, tmp_path, monkeypatch
):
    path = tmp_path / "kcc.csv"
    path.write_bytes(_file())
    batch = _killed_import(organisation, path, None, monkeypatch)

    detail = _page(client_for(analyst), "imports:progress", batch)
    out = _command(str(path), "--org", "eendorp", "--source", "KCC", "--resume", str(batch.pk))

    assert f"leerlus import FILE --org eendorp --source KCC --resume {batch.pk}" in detail
    assert f"Imported 3, rejected 0, duplicates 2 (5 rows, import {batch.pk})." in out
    assert Feedback.objects.count() == ROWS
    assert ImportBatch.objects.count() == 1


def test_the_command_resumes_only_an_interrupted_import_of_its_source(
    organisation, tmp_path, monkeypatch
):
    path = tmp_path / "kcc.csv"
    path.write_bytes(_file())
    batch = _killed_import(organisation, path, None, monkeypatch)
    resume = ("--resume", str(batch.pk))

    with pytest.raises(CommandError, match="into source KCC"):
        _command(str(path), "--org", "eendorp", "--source", "Andere", *resume)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    with pytest.raises(CommandError, match=f"Import {batch.pk} is still running"):
        _command(str(path), "--org", "eendorp", "--source", "KCC", *resume)
    with pytest.raises(CommandError, match="No import 999999"):
        _command(str(path), "--org", "eendorp", "--source", "KCC", "--resume", "999999")


@pytest.mark.django_db(transaction=True)
def test_an_import_killed_with_sigkill_is_resumed(organisation, tmp_path):
    """A real ``leerlus import`` process, killed with SIGKILL after its first chunk."""
    path = tmp_path / "groot.csv"
    path.write_bytes(_file(rows=ROWS_KILLED))
    database = connection.settings_dict
    env = {**os.environ, "LEERLUS_IMPORT_WORKERS": "1"}
    if connection.vendor == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{database['NAME']}"
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        )
    command = [LEERLUS, "import", str(path), "--org", "eendorp", "--source", "KCC"]
    process = subprocess.Popen(  # noqa: S603 - the project's own command, fixed arguments
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 120
        while not ImportBatch.objects.filter(imported__gt=0).exists():
            assert process.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "the import stored nothing in two minutes"
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.RUNNING
    stored = Feedback.objects.count()
    assert 0 < stored < ROWS_KILLED
    ImportBatch.objects.filter(pk=batch.pk).update(
        heartbeat_at=timezone.now() - timedelta(minutes=2)
    )

    out = _command(str(path), "--org", "eendorp", "--source", "KCC", "--resume", str(batch.pk))

    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.imported + batch.duplicates, batch.rejected) == (ROWS_KILLED, 0)
    assert batch.duplicates >= stored
    assert Feedback.objects.count() == ROWS_KILLED
    assert "Imported" in out
