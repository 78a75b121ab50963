# SPDX-License-Identifier: EUPL-1.2
"""The importer's file vocabulary: which files it accepts and which column fills which field.

The files themselves are read by the engine's table readers (:mod:`leerlus.engine.tables`:
CSV, XLSX and JSONL, streamed, any encoding); mail files by :mod:`leerlus.feedback.mail`.
What is decided here is what the importer makes of them: :func:`format_of` says which reader a
file name calls for, and a :class:`ColumnMapping` says which column holds a signal's text, its
date, channel, service and so on (recognised by name, Dutch or English, or given by hand).

Pure Python (no Django), so the command line, the web upload and the benchmark map files the
same way. Problems raise the engine's :class:`~leerlus.engine.tables.ParseError` with a
``code`` and ``params``; the web and command-line layers turn those into translated messages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from leerlus.engine.tables import TABLE_EXTENSIONS, ParseError

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "ALIASES",
    "TARGET_FIELDS",
    "ColumnMapping",
    "auto_mapping",
    "format_of",
    "load_mapping",
    "resolve_mapping",
]

# Extension → format: the engine's tables, and mail files read by ``leerlus.feedback.mail``.
ACCEPTED_EXTENSIONS: Final[dict[str, str]] = {
    **TABLE_EXTENSIONS,
    ".eml": "eml",
    ".mbox": "mbox",
}

# The fields of a signal a column can fill, and the column names recognised for each
# (compared case-insensitively, spaces, dashes and underscores alike).
TARGET_FIELDS: Final[tuple[str, ...]] = (
    "text",
    "received_at",
    "channel",
    "service",
    "department",
    "reporter_kind",
    "rating",
    "location",
    "case_url",
    "language",
    "external_id",
)
ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "text": ("text", "tekst", "omschrijving", "inhoud", "feedback", "bericht", "description"),
    "received_at": ("received_at", "date", "datum", "datum_tijd", "tijdstip", "datetime"),
    "channel": ("channel", "kanaal"),
    "service": ("service", "dienst", "product"),
    "department": ("department", "afdeling"),
    "reporter_kind": ("reporter_kind", "melder", "soort_melder"),
    "rating": ("rating", "score", "waardering", "cijfer"),
    "location": ("location", "locatie"),
    "case_url": ("case_url", "zaak", "zaak_url"),
    "language": ("language", "taal"),
    "external_id": ("external_id", "id", "kenmerk", "externe_id"),
}
# Fields whose value may come from "defaults" in a mapping (the same for every row).
DEFAULTABLE: Final = frozenset(TARGET_FIELDS) - {"text", "external_id"}


def format_of(filename: str) -> str:
    """``csv``, ``xlsx``, ``jsonl``, ``eml`` or ``mbox`` from the file name, else ParseError."""
    suffix = Path(filename).suffix.lower()
    if suffix not in ACCEPTED_EXTENSIONS:
        raise ParseError(
            "unsupported_format",
            "%(name)s is not a CSV, XLSX, JSONL, EML or MBOX file.",
            name=Path(filename).name,
        )
    return ACCEPTED_EXTENSIONS[suffix]


# --- column mapping ------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which column fills which field, values for fields without a column, a date format.

    As JSON (the ``--mapping`` file and what is saved per source)::

        {"text": "Omschrijving", "received_at": "Datum", "defaults": {"channel": "phone"},
         "date_format": "%d-%m-%Y"}
    """

    columns: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)
    date_format: str = ""

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.columns)
        if self.defaults:
            data["defaults"] = dict(self.defaults)
        if self.date_format:
            data["date_format"] = self.date_format
        return data


# Keys of a stored mapping that are neither a field nor a setting: ignored when read.
RESERVED_KEYS: Final = frozenset({"header"})


def load_mapping(data: object) -> ColumnMapping:
    """Read a mapping from parsed JSON; ParseError ``bad_mapping`` names what is wrong."""
    if not isinstance(data, Mapping):
        raise ParseError("bad_mapping", "The mapping must be a JSON object.")
    columns: dict[str, str] = {}
    defaults: dict[str, str] = {}
    date_format = ""
    for key, value in data.items():
        if key in RESERVED_KEYS:
            continue
        if key == "defaults":
            if not isinstance(value, Mapping):
                raise ParseError("bad_mapping", '"defaults" must be a JSON object.')
            for name, default in value.items():
                if name not in DEFAULTABLE or not isinstance(default, str | int):
                    raise ParseError(
                        "bad_mapping",
                        "A default for %(field)s is not possible; possible: %(accepted)s.",
                        field=str(name),
                        accepted=", ".join(sorted(DEFAULTABLE)),
                    )
                defaults[name] = str(default)
        elif key == "date_format":
            if not isinstance(value, str):
                raise ParseError("bad_mapping", '"date_format" must be a text.')
            date_format = value
        elif key in TARGET_FIELDS:
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                raise ParseError(
                    "bad_mapping", "The column for %(field)s must be a text.", field=key
                )
            columns[key] = value
        else:
            raise ParseError(
                "bad_mapping",
                "%(field)s is not a field; fields: %(accepted)s.",
                field=str(key),
                accepted=", ".join(TARGET_FIELDS),
            )
    return ColumnMapping(columns=columns, defaults=defaults, date_format=date_format)


def _normalised(name: str) -> str:
    return re.sub(r"[\s\-_/]+", "_", name.strip().lower())


def auto_mapping(header: Iterable[str]) -> ColumnMapping:
    """Columns recognised by name (see ALIASES); the first alias found wins."""
    by_name: dict[str, str] = {}
    for column in header:
        by_name.setdefault(_normalised(column), column)
    columns: dict[str, str] = {}
    used: set[str] = set()
    for target in TARGET_FIELDS:
        for alias in ALIASES[target]:
            found = by_name.get(alias)
            if found is not None and found not in used:
                columns[target] = found
                used.add(found)
                break
    return ColumnMapping(columns=columns)


def resolve_mapping(header: list[str], mapping: ColumnMapping | None) -> ColumnMapping:
    """The mapping to use for a file with this header: the given one (checked against the
    header) or the automatic one. ParseError ``no_text_column``, ``no_date_column`` or
    ``unknown_column`` when it cannot work."""
    chosen = mapping if mapping is not None else auto_mapping(header)
    present = set(header)
    for target, column in chosen.columns.items():
        if column not in present:
            raise ParseError(
                "unknown_column",
                "The mapping names column %(column)s for %(field)s, but the file has no such "
                "column. Columns seen: %(seen)s.",
                column=column,
                field=target,
                seen=", ".join(header),
            )
    if "text" not in chosen.columns:
        raise ParseError(
            "no_text_column",
            "No text column found. Columns seen: %(seen)s. Accepted names: %(accepted)s "
            "(or give a mapping).",
            seen=", ".join(header) or "-",
            accepted=", ".join(ALIASES["text"]),
        )
    if "received_at" not in chosen.columns and "received_at" not in chosen.defaults:
        raise ParseError(
            "no_date_column",
            "No date column found. Columns seen: %(seen)s. Accepted names: %(accepted)s "
            "(or give a mapping).",
            seen=", ".join(header) or "-",
            accepted=", ".join(ALIASES["received_at"]),
        )
    return chosen
