# SPDX-License-Identifier: EUPL-1.2
"""Why a row or a file was not imported: reason codes kept with a rejected row, put into
words in the reader's language when shown, and the error about a file as a whole."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, TypedDict

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leerlus.engine import tables

from ..models import ImportBatch

# A value quoted in a reason is cut to this length.
QUOTED_VALUE: Final = 80


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
        "There is no service “%(value)s” in this organisation (by name or short name). Add "
        "it to the organisation's services, or import again with the option to create "
        "missing services."
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
    "nul_character": gettext_lazy(
        "This row holds a NUL byte (a zero byte, no text): the file may be damaged. Check the "
        "row and import it again."
    ),
    "not_stored": gettext_lazy(
        "This row could not be stored: it clashes with a signal stored at the same time. "
        "Import it again."
    ),
}


def reason(code: str, field: str = "", **params: object) -> Reason:
    return {"code": code, "field": field, "params": {k: str(v) for k, v in params.items()}}


def quoted(value: str) -> str:
    """A row's value as a reason quotes it: on one line, cut to ``QUOTED_VALUE``."""
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
        "No date column found: no column has a date's name or values that read as dates. "
        "Columns seen: %(seen)s. Accepted names: %(accepted)s (or give a mapping)."
    ),
    "unsure_column": gettext_lazy(
        "Not sure which column holds %(unsure)s. Give a mapping that says which column is "
        "which field."
    ),
}


def describe_parse_error(error: tables.ParseError) -> str:
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
