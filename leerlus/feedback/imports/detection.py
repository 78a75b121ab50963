# SPDX-License-Identifier: EUPL-1.2
"""Which column is which field, when nobody said: the engine's detector on an import's file.

The detector (:mod:`leerlus.engine.columns`, through :func:`parsing.detect_mapping`) reads the
header and the first :data:`SAMPLE_ROWS` rows, never more. Here it learns what the
organisation knows: the channels and kinds of reporter Leerlus reads, and the organisation's
own services and departments (a category column is recognised by values that are services).
The command line prints its choices and asks where it is unsure; the browser's mapping step
is filled in with them and marks the unsure ones; an import without a mapping uses them and
refuses where one is unsure, naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leerlus.engine import columns, tables
from leerlus.organisations.models import Organisation

from .. import parsing
from ..models import ImportBatch
from ..vocabulary import channel_code, reporter_code
from .mapping import LANGUAGE_ALIASES, Reference, reference_key

SAMPLE_ROWS: Final = columns.SAMPLE_ROWS
# Values of a category column that match no service, named at most this many.
NEW_SERVICES_SHOWN: Final = 10


def value_checks(reference: Reference) -> dict[str, Callable[[str], bool]]:
    """Per field, whether a value is one an import accepts: the detector's known values."""
    return {
        "channel": lambda value: channel_code(value) is not None,
        "reporter_kind": lambda value: reporter_code(value) is not None,
        "language": lambda value: value.lower() in LANGUAGE_ALIASES,
        "service": lambda value: reference_key(value) in reference.services,
        "department": lambda value: reference_key(value) in reference.departments,
    }


@dataclass(frozen=True)
class Detected:
    """The detector's mapping of a file, its reasons, and the values of the chosen service
    column (in the sample) that match none of the organisation's services."""

    mapping: parsing.ColumnMapping
    detection: columns.Detection
    new_services: tuple[str, ...]


def sample_rows(table: tables.Table, limit: int = SAMPLE_ROWS) -> list[tables.Row]:
    """The table's first ``limit`` rows; the table still yields every row from the first."""
    sample = list(islice(table.rows, limit))
    table.rows = chain(sample, table.rows)
    return sample


def detect_table(table: tables.Table, *, reference: Reference) -> Detected:
    """What the detector makes of an open table (its first rows are read and given back),
    knowing the organisation's ``reference`` (its services and departments)."""
    sample = [values for _number, values in sample_rows(table)]
    mapping, detection = parsing.detect_mapping(
        table.header, sample, checks=value_checks(reference)
    )
    service_column = mapping.columns.get("service")
    unknown: dict[str, None] = {}
    if service_column:
        for values in sample:
            value = " ".join(str(values.get(service_column) or "").split())
            if value and reference_key(value) not in reference.services:
                unknown.setdefault(value)
    return Detected(mapping, detection, tuple(islice(unknown, NEW_SERVICES_SHOWN)))


def detect_file(path: Path, file_format: str, *, organisation: Organisation) -> Detected:
    """What the detector makes of a CSV, XLSX or JSONL file (ParseError where unreadable)."""
    with tables.open_table(path, file_format) as table:
        return detect_table(table, reference=Reference.of(organisation))


def unsure_error(detection: columns.Detection) -> tables.ParseError:
    """The error of an import that cannot go on without being told which column is which."""
    unsure = "; ".join(
        f"{choice.field} ({' or '.join((choice.column, *choice.alternatives))})"
        for choice in detection.unsure
    )
    return tables.ParseError(
        "unsure_column",
        "Not sure which column holds %(unsure)s. Give a mapping that says which column is "
        "which field.",
        unsure=unsure,
    )


def detected_mapping(table: tables.Table, *, reference: Reference) -> parsing.ColumnMapping:
    """The mapping for an import that was given none; ParseError ``unsure_column`` where the
    detector is unsure of a column (it does not guess)."""
    detected = detect_table(table, reference=reference)
    if detected.detection.unsure:
        raise unsure_error(detected.detection)
    return detected.mapping


def detected_json(detected: Detected) -> dict[str, object]:
    """What a waiting import keeps of the detection (no values of the file but the names of
    the categories that match no service, which the mapping step shows)."""
    return {**detected.detection.as_json(), "new_services": list(detected.new_services)}


def batch_detection(batch: ImportBatch) -> columns.Detection | None:
    """What the detector found in a waiting import's file when it was uploaded."""
    return columns.Detection.from_json((batch.mapping or {}).get("detected"), parsing.FIELD_SPECS)


def batch_new_services(batch: ImportBatch) -> list[str]:
    """The categories of a waiting import's first rows that match none of the services."""
    detected = (batch.mapping or {}).get("detected")
    values = detected.get("new_services") if isinstance(detected, dict) else None
    return [str(v) for v in values] if isinstance(values, list) else []


# --- in words, for the browser ---------------------------------------------------------------

_HOW: Final[dict[str, Promise]] = {
    "name": gettext_lazy("Recognised by its name"),
    "name_content": gettext_lazy("Recognised by its name and values (%(confidence)s%% sure)"),
    "content": gettext_lazy("Recognised by its values (%(confidence)s%% sure)"),
}
_EVIDENCE: Final[dict[str, Promise]] = {
    "dates": gettext_lazy("%(matched)s of %(seen)s values are dates"),
    "longest_text": gettext_lazy("the longest free text (%(length)s characters on average)"),
    "unique": gettext_lazy("%(seen)s values, none repeated"),
    "repeated": gettext_lazy("%(distinct)s different values repeated over %(seen)s rows"),
    "known_values": gettext_lazy("%(matched)s of %(seen)s values are known"),
    "yes_no": gettext_lazy("yes/no values"),
    "short_values": gettext_lazy("short values"),
    "ratings": gettext_lazy("%(matched)s of %(seen)s values are ratings from 1 to 5"),
    "urls": gettext_lazy("%(matched)s of %(seen)s values are web addresses"),
}


def _filled(template: Promise, params: Mapping[str, object]) -> str:
    try:
        return str(template) % dict(params)
    except (KeyError, TypeError, ValueError):
        return str(template)


def describe_choice(choice: columns.Choice) -> str:
    """How and why the detector chose a column, in the reader's language."""
    text = _filled(_HOW[choice.how], {"confidence": round(100 * choice.confidence)})
    evidence = _EVIDENCE.get(choice.code)
    if evidence is not None:
        text += ": " + _filled(evidence, choice.params)
    text += "."
    if choice.unsure:
        others = ", ".join(f"“{column}”" for column in choice.alternatives)
        text = (
            _("Not sure: check this column.")
            + " "
            + text
            + (" " + _("It could also be %(columns)s.") % {"columns": others} if others else "")
        )
    return text
