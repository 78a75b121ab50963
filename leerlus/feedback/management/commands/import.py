# SPDX-License-Identifier: EUPL-1.2
# ruff: noqa: N999  - the module is named after the command, `leerlus import`
"""``leerlus import FILE --org SLUG --source NAME [--mapping MAPPING.json] [--json]``.

Imports a CSV, XLSX, JSONL, EML or MBOX file of signals. Progress goes to stderr (a line that
updates itself on a terminal, a line every 10 % otherwise); stdout gets the result only, with
``--json`` as one JSON object ``{"imported": n, "rejected": n, "duplicates": n}``. Rejected
rows are kept with their reasons, to be corrected on the import's page.

Without ``--mapping`` the columns are recognised by name and by the values of the first rows
(:mod:`leerlus.feedback.imports.detection`); the mapping chosen is printed on stderr with the
reason for each column, and ``--save-mapping FILE`` writes it in the ``--mapping`` format, to
edit and pass back. Where the detector is unsure it asks on a terminal; otherwise (a pipe, a
CI job) it stops and names the unsure column, and never waits for an answer.
``--create-services`` creates the services that a category (service) value names and the
organisation does not have yet; without it, those rows are kept aside with the reason.
"""

import dataclasses
import json
import shlex
import sys
import time
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, no_translations
from django.urls import reverse
from django.utils import timezone

from leerlus.engine import tables
from leerlus.feedback import parsing
from leerlus.feedback.imports.batches import import_batch_resume, import_file
from leerlus.feedback.imports.detection import Detected, detect_file
from leerlus.feedback.imports.reasons import ImportFileError, describe_parse_error
from leerlus.feedback.imports.summary import recoded_summary
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


# How often a question about an unsure column is asked again after an answer it cannot use.
ASKED_AT_MOST = 3


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
    # Where the answers to its questions come from (tests give their own).
    stealth_options = ("stdin",)

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
            "--save-mapping",
            metavar="MAPPING.json",
            help="write the mapping used (the one recognised, or the one given) to this file, "
            "in the --mapping format",
        )
        parser.add_argument(
            "--create-services",
            action="store_true",
            help="create the services named in the service (category) column that the "
            "organisation does not have yet, instead of keeping their rows aside",
        )
        parser.add_argument(
            "--resume",
            type=int,
            metavar="ID",
            help="resume the interrupted import ID (its process died) with the same file, "
            "from its start: the rows it stored already count as duplicates",
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
            file_format = parsing.format_of(path.name)
        except tables.ParseError as error:
            raise CommandError(describe_parse_error(error)) from error
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug '{options['org']}'.")
        interrupted = None
        if options["resume"] is not None:
            interrupted = self._interrupted(options["resume"], organisation, options["source"])
        mail_file = file_format in ("eml", "mbox")
        if mail_file and (options["save_mapping"] or options["mapping"]):
            raise CommandError("An e-mail file has no columns to map: leave out the mapping.")
        mapping = self._mapping(options["mapping"])
        if mapping is None and not mail_file and interrupted is None:  # resumed: its own
            mapping = self._detected_mapping(path, file_format, organisation, options)
        if mapping is not None and options["create_services"]:
            mapping = dataclasses.replace(mapping, create_services=True)
        if mapping is not None and options["save_mapping"]:
            self._save(mapping, options["save_mapping"])
        workers = options["workers"]
        if workers is not None and workers < 1:
            raise CommandError("--workers must be 1 or more.")
        interactive = self.stderr.isatty()
        resumed = None
        if interrupted is not None:
            resumed = import_batch_resume(batch=interrupted, resumed_by=None)
            if resumed is None:
                raise CommandError(f"Import {interrupted.pk} has been resumed already.")
        try:
            batch = import_file(
                organisation=organisation,
                path=path,
                source=options["source"],
                mapping=mapping,
                batch=resumed,
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
        if batch.recoded:
            self.stdout.write(recoded_summary(batch))
        if batch.rejected:
            url = reverse("imports:result", args=[batch.pk])
            self.stdout.write(f"Rejected rows and their reasons: {url}")

    def _interrupted(self, pk: int, organisation: Organisation, source: str) -> ImportBatch:
        """The interrupted import ``--resume`` names, else a one-line error saying why not."""
        batch = ImportBatch.objects.filter(organisation=organisation, pk=pk).first()
        if batch is None:
            raise CommandError(f"No import {pk} in organisation '{organisation.slug}'.")
        if " ".join(source.split()) != batch.source:
            raise CommandError(
                f"Import {pk} imported into source {batch.source}: resume it with "
                f"--source {shlex.quote(batch.source)}."
            )
        if batch.interrupted:
            return batch
        if batch.status == ImportBatch.Status.RUNNING:
            last = batch.heartbeat_at or batch.created_at
            seconds = int((timezone.now() - last).total_seconds())
            raise CommandError(
                f"Import {pk} is still running (last sign of life {seconds} s ago); only an "
                "interrupted import can be resumed."
            )
        raise CommandError(
            f"Import {pk} is {batch.status}, not interrupted: there is nothing to resume."
        )

    def _detected_mapping(
        self, path: Path, file_format: str, organisation: Organisation, options: dict[str, Any]
    ) -> parsing.ColumnMapping:
        """The mapping the detector chose, printed; the unsure columns asked on a terminal,
        else refused with their names (after saving the proposal where asked to)."""
        try:
            detected = detect_file(path, file_format, organisation=organisation)
        except tables.ParseError as error:
            raise CommandError(describe_parse_error(error)) from error
        except OSError as error:
            raise CommandError(f"{path.name} cannot be opened: {error}") from error
        self._show(path, detected)
        mapping = detected.mapping
        stdin: IO[str] = options.get("stdin") or sys.stdin
        unsure = detected.detection.unsure
        if unsure and stdin.isatty():
            mapping = self._ask(detected, stdin)
        elif unsure:
            if options["save_mapping"]:
                self._save(mapping, options["save_mapping"])
            named = "; ".join(
                f"{choice.field}: column {' or '.join((choice.column, *choice.alternatives))}"
                for choice in unsure
            )
            edit = (
                f"edit {options['save_mapping']} (just written) and pass it"
                if options["save_mapping"]
                else "write one (--save-mapping FILE writes this proposal to edit)"
            )
            raise CommandError(
                f"Not sure which column holds {named}. Say which column is which field with "
                f"--mapping MAPPING.json: {edit}."
            )
        if detected.new_services and not options["create_services"]:
            values = ", ".join(detected.new_services)
            self.stderr.write(
                f"Categories that match none of the organisation's services: {values}. Their "
                "rows are kept aside (unknown service) unless you pass --create-services.",
                style_func=_plain,
            )
        return mapping

    def _show(self, path: Path, detected: Detected) -> None:
        detection = detected.detection
        lines = [f"Columns of {path.name} (the first {detection.rows} rows read):"]
        width = max((len(c.field) for c in detection.choices), default=0)
        column_width = max((len(c.column) for c in detection.choices), default=0)
        for choice in detection.choices:
            if choice.field not in detected.mapping.columns:
                continue
            mark = "? " if choice.unsure else "  "
            sure = "NOT SURE, " if choice.unsure else ""
            lines.append(
                f"{mark}{choice.field:<{width}} <- {choice.column:<{column_width}}  "
                f"{sure}{choice.explain()}"
            )
        for unused in detection.unused:
            lines.append(f"  not used: {unused.column} ({unused.explain()})")
        self.stderr.write("\n".join(lines), style_func=_plain)

    def _ask(self, detected: Detected, stdin: IO[str]) -> parsing.ColumnMapping:
        columns = dict(detected.mapping.columns)
        for choice in detected.detection.unsure:
            options = [choice.column, *choice.alternatives]
            required = choice.field in ("text", "received_at")
            listed = "  ".join(f"{n}) {column}" for n, column in enumerate(options, start=1))
            question = (
                f"Which column holds {choice.field}? {listed}"
                + ("" if required else "  0) none")
                + " (Enter: 1): "
            )
            answer = self._answer(question, len(options), required=required, stdin=stdin)
            if answer:
                columns[choice.field] = options[answer - 1]
            else:
                columns.pop(choice.field, None)
        return dataclasses.replace(detected.mapping, columns=columns)

    def _answer(self, question: str, count: int, *, required: bool, stdin: IO[str]) -> int:
        for _attempt in range(ASKED_AT_MOST):
            self.stderr.write(question, style_func=_plain, ending="")
            self.stderr.flush()
            line = stdin.readline()
            if not line:
                raise CommandError("No answer: nothing imported.")
            text = line.strip() or "1"
            if text.isdigit() and (0 if not required else 1) <= int(text) <= count:
                return int(text)
        raise CommandError("No usable answer: nothing imported.")

    def _save(self, mapping: parsing.ColumnMapping, value: str) -> None:
        try:
            Path(value).write_text(
                json.dumps(mapping.as_json(), ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
        except OSError as error:
            raise CommandError(f"The mapping cannot be written to {value}: {error}") from error
        self.stderr.write(f"Mapping written to {value}.", style_func=_plain)

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
