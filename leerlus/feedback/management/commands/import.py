# SPDX-License-Identifier: EUPL-1.2
# ruff: noqa: N999  - the module is named after the command, `leerlus import`
"""``leerlus import FILE --org SLUG --source NAME [--mapping MAPPING.json] [--json]``.

Imports a CSV, XLSX, JSONL, EML or MBOX file of signals. Progress goes to stderr (a line that
updates itself on a terminal, a line every 10 % otherwise); stdout gets the result only, with
``--json`` as one JSON object ``{"imported": n, "rejected": n, "duplicates": n}``. Rejected
rows are kept with their reasons, to be corrected on the import's page.
"""

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.urls import reverse

from leerlus.engine import tables
from leerlus.feedback import parsing
from leerlus.feedback.imports.batches import import_file
from leerlus.feedback.imports.reasons import ImportFileError, describe_parse_error
from leerlus.feedback.models import ImportBatch
from leerlus.organisations.models import Organisation


def _plain(text: str) -> str:
    return text


class _ProgressReport:
    """Rows per second and percent of bytes on stderr."""

    def __init__(self, command: BaseCommand, *, interactive: bool) -> None:
        self.command = command
        self.interactive = interactive
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.last_decile = -1

    def line(self, batch: ImportBatch) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return (
            f"{batch.percent:3d}% · {batch.rows_seen:,} rows · "
            f"{batch.rows_seen / elapsed:,.0f} rows/s · imported {batch.imported:,}, "
            f"rejected {batch.rejected:,}, duplicates {batch.duplicates:,}"
        )

    def __call__(self, batch: ImportBatch) -> None:
        finished = batch.status != ImportBatch.Status.RUNNING
        if self.interactive:
            now = time.monotonic()
            if finished or now - self.last_shown >= 0.2:
                self.last_shown = now
                self.command.stderr.write(
                    "\r" + self.line(batch), style_func=_plain, ending="\n" if finished else ""
                )
            return
        decile = batch.percent // 10
        if decile > self.last_decile or finished:
            self.last_decile = decile
            self.command.stderr.write(self.line(batch), style_func=_plain)


class Command(BaseCommand):
    help = (
        "Import signals from a CSV, XLSX, JSONL, EML or MBOX file into an organisation. "
        "Rows already imported (same source and external id, or same time and text) are "
        "counted as duplicates; invalid rows are kept with their reasons for correction."
    )
    # The system checks import every view, and with them the pattern engine (numpy, SciPy,
    # scikit-learn): the import workers, forked from this process, grew from 70 to 160 MiB
    # each. `leerlus check` and `leerlus migrate` still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the file to import")
        parser.add_argument("--org", required=True, metavar="SLUG", help="organisation slug")
        parser.add_argument(
            "--source", required=True, metavar="NAME", help="where the signals come from"
        )
        parser.add_argument(
            "--mapping",
            metavar="MAPPING.json",
            help='which column is which field: {"text": "Omschrijving", "received_at": '
            '"Datum", "defaults": {"channel": "phone"}, "date_format": "%%d-%%m-%%Y"}',
        )
        parser.add_argument(
            "--json", action="store_true", help="print the counts as one JSON object"
        )
        parser.add_argument(
            "--workers",
            type=int,
            metavar="N",
            help="processes to use (default: one per CPU for a large file on PostgreSQL)",
        )

    @no_translations  # messages in the source language (English), as Django's own commands
    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}")
        try:
            parsing.format_of(path.name)
        except tables.ParseError as error:
            raise CommandError(describe_parse_error(error)) from error
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        mapping = self._mapping(options["mapping"])
        workers = options["workers"]
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more.")
        interactive = self.stderr.isatty()
        try:
            batch = import_file(
                organisation=organisation,
                path=path,
                source=options["source"],
                mapping=mapping,
                progress=_ProgressReport(self, interactive=interactive),
                workers=workers,
            )
        except ImportFileError as error:
            raise CommandError(" ".join(error.message.split())) from error
        counts = {
            "imported": batch.imported,
            "rejected": batch.rejected,
            "duplicates": batch.duplicates,
        }
        if options["json"]:
            self.stdout.write(json.dumps(counts))
            return
        self.stdout.write(
            f"Imported {batch.imported}, rejected {batch.rejected}, "
            f"duplicates {batch.duplicates} ({batch.rows_seen} rows, import {batch.pk})."
        )
        if batch.rejected:
            url = reverse("imports:result", args=[batch.pk])
            self.stdout.write(f"Rejected rows and their reasons: {url}")

    def _mapping(self, value: str | None) -> parsing.ColumnMapping | None:
        if not value:
            return None
        try:
            data = json.loads(Path(value).read_text(encoding="utf-8-sig"))
        except FileNotFoundError as error:
            raise CommandError(f"Mapping file not found: {value}") from error
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"The mapping file {value} is not valid JSON: {error}") from error
        try:
            return parsing.load_mapping(data)
        except tables.ParseError as error:
            raise CommandError(f"The mapping file {value} is not valid: {error}") from error
