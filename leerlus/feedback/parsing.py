# SPDX-License-Identifier: EUPL-1.2
"""The importer's file vocabulary: which files it accepts and which column fills which field.

The files themselves are read by the engine's table readers (:mod:`leerlus.engine.tables`:
CSV, XLSX and JSONL, streamed, any encoding); mail files by :mod:`leerlus.feedback.mail`.
What is decided here is what the importer makes of them: :func:`format_of` says which reader a
file name calls for, and a :class:`ColumnMapping` says which column holds a signal's text, its
date, channel, service and so on: given by hand, or recognised by the engine's column detector
(:mod:`leerlus.engine.columns`) by name, Dutch or English, and by a sample of the values
(:func:`detect_mapping`; :func:`auto_mapping` is the same with names only).

Pure Python (no Django), so the command line, the web upload and the benchmark map files the
same way. Problems raise the engine's :class:`~leerlus.engine.tables.ParseError` with a
``code`` and ``params``; the web and command-line layers turn those into translated messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from leerlus.engine import columns as detector
from leerlus.engine.tables import TABLE_EXTENSIONS, ParseError

__all__ = [
    "ACCEPTED_EXTENSIONS",
    "ALIASES",
    "FIELD_SPECS",
    "TARGET_FIELDS",
    "ColumnMapping",
    "auto_mapping",
    "detect_mapping",
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

# Words in a column's name that point to a field where the values agree (``created``,
# ``categoryName``, ``regionName``: an export of another municipal system), and what each
# field's values look like (see leerlus.engine.columns.KINDS). In Leerlus the category a
# signal is routed to is its service.
HINTS: Final[dict[str, tuple[str, ...]]] = {
    "text": ("omschrijving", "toelichting", "melding", "opmerking", "body", "message", "tekst"),
    "received_at": (
        "created", "aangemaakt", "gemeld", "ontvangen", "received", "datum", "date", "time",
        "tijdstip", "registratie", "timestamp",
    ),
    "channel": ("source", "bron", "kanaal", "channel", "medium", "via"),
    "service": (
        "category", "categorie", "rubriek", "onderwerp", "subcategorie", "dienst", "product",
        "service",
    ),
    "department": ("team", "afdeling", "department", "organisatieonderdeel", "unit"),
    "reporter_kind": ("melder", "reporter", "indiener"),
    "rating": ("rating", "score", "cijfer", "waardering", "tevredenheid", "sterren", "stars"),
    "location": (
        "region", "regio", "wijk", "buurt", "stadsdeel", "gebied", "plaats", "adres",
        "address", "straat", "woonplaats", "area", "district", "location", "locatie",
    ),
    "case_url": ("url", "link", "zaak"),
    "language": ("taal", "language", "lang"),
    "external_id": ("nummer", "nr", "kenmerk", "ref", "reference", "referentie", "uuid", "key"),
    "anonymous": ("anonymous", "anoniem", "anonymously"),
}  # fmt: skip
_KINDS: Final[dict[str, detector.Kind]] = {
    "text": "text",
    "received_at": "date",
    "channel": "vocabulary",
    "service": "category",
    "department": "reference",
    "reporter_kind": "vocabulary",
    "rating": "rating",
    "location": "label",
    "case_url": "url",
    "language": "vocabulary",
    "external_id": "identifier",
}
# The fields the detector looks for: the signal's fields, and an anonymous flag, which is
# recognised so that its yes/no column is not taken for another field, but not imported (an
# import keeps no reporter's details, so every imported signal is anonymous).
FIELD_SPECS: Final[tuple[detector.FieldSpec, ...]] = (
    *(
        detector.FieldSpec(
            name=target,
            kind=_KINDS[target],
            names=ALIASES[target],
            hints=HINTS[target],
            required=target in ("text", "received_at"),
        )
        for target in TARGET_FIELDS
    ),
    detector.FieldSpec(
        name="anonymous",
        kind="flag",
        names=("anonymous", "anoniem", "is_anonymous", "anonymously"),
        hints=HINTS["anonymous"],
        stored=False,
    ),
)


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
         "date_format": "%d-%m-%Y", "create_services": true}


    ``create_services``: a service value (category) that matches none of the organisation's
    services creates that service, instead of keeping the row aside.
    """

    columns: dict[str, str]
    defaults: dict[str, str] = field(default_factory=dict)
    date_format: str = ""
    create_services: bool = False

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.columns)
        if self.defaults:
            data["defaults"] = dict(self.defaults)
        if self.date_format:
            data["date_format"] = self.date_format
        if self.create_services:
            data["create_services"] = True
        return data


# Keys of a stored mapping that are neither a field nor a setting: ignored when read (a
# batch keeps its file's header and what the detector found beside its mapping).
RESERVED_KEYS: Final = frozenset({"header", "detected"})


def load_mapping(data: object) -> ColumnMapping:
    """Read a mapping from parsed JSON; ParseError ``bad_mapping`` names what is wrong."""
    if not isinstance(data, Mapping):
        raise ParseError("bad_mapping", "The mapping must be a JSON object.")
    columns: dict[str, str] = {}
    defaults: dict[str, str] = {}
    date_format = ""
    create_services = False
    for key, value in data.items():
        if key in RESERVED_KEYS:
            continue
        if key == "create_services":
            if not isinstance(value, bool):
                raise ParseError("bad_mapping", '"create_services" must be true or false.')
            create_services = value
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
    return ColumnMapping(
        columns=columns,
        defaults=defaults,
        date_format=date_format,
        create_services=create_services,
    )


def detect_mapping(
    header: list[str],
    rows: Iterable[Mapping[str, Any]],
    *,
    checks: Mapping[str, Callable[[str], bool]] | None = None,
) -> tuple[ColumnMapping, detector.Detection]:
    """The mapping the detector chose for a file (by name, and by the content of a sample of
    ``rows``: see :mod:`leerlus.engine.columns`), and the detection with its reasons.
    ``checks``: per field, whether a value is known (a channel, one of the services)."""
    detection = detector.detect_columns(header, rows, FIELD_SPECS, checks=checks)
    return ColumnMapping(columns=detection.columns), detection


def auto_mapping(header: Iterable[str]) -> ColumnMapping:
    """Columns recognised by name (see ALIASES); the first alias found wins."""
    return detect_mapping(list(header), ())[0]


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
            "No date column found: no column has a date's name or values that read as dates. "
            "Columns seen: %(seen)s. Accepted names: %(accepted)s (or give a mapping).",
            seen=", ".join(header) or "-",
            accepted=", ".join(ALIASES["received_at"]),
        )
    return chosen
