# SPDX-License-Identifier: EUPL-1.2
"""Reading dates: Dutch and ISO 8601 dates and times, as moments in UTC.

The readers of exports (the importer, the engine's command line) take a date the way a Dutch
export writes it: ``31-12-2025 14:05`` in Amsterdam time, or ISO 8601 with or without a zone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["AMSTERDAM", "DATE_EXAMPLES", "parse_datetime"]

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")
DATE_EXAMPLES: Final = (
    "31-12-2025",
    "31-12-2025 14:05",
    "31/12/2025",
    "2025-12-31",
    "2025-12-31T14:05:00Z",
)

_DUTCH: Final = re.compile(
    r"(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})[-/.](?P<year>\d{4}|\d{2})"
    r"(?:(?:\s+|T|\s*,\s*)(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
)
_ISO_HINT: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


def _aware(value: datetime, zone: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def parse_datetime(
    value: str, *, date_format: str | None = None, zone: ZoneInfo = AMSTERDAM
) -> datetime | None:
    """A moment in UTC from a Dutch or ISO date (and time), or None when it is neither.

    Dutch: ``31-12-2025``, ``31-12-2025 14:05``, ``31-12-2025 14:05:59``, also with ``/`` or
    ``.``, and two-digit years (20xx). ISO 8601: ``2025-12-31``, ``2025-12-31 14:05``,
    ``2025-12-31T14:05:00Z``, ``2025-12-31T14:05:00+01:00``. A time without a zone is
    Amsterdam time; a date without a time is midnight. ``date_format`` (``strptime`` codes) is
    tried first. Never raises.
    """
    text = value.strip()
    if not text or len(text) > 64:
        return None
    if date_format:
        try:
            return _aware(datetime.strptime(text, date_format), zone)
        except (ValueError, OverflowError):
            pass
    match = _DUTCH.fullmatch(text)
    if match:
        parts = match.groupdict()
        year = int(parts["year"])
        if len(parts["year"]) == 2:
            year += 2000
        try:
            moment = datetime(
                year,
                int(parts["month"]),
                int(parts["day"]),
                int(parts["hour"] or 0),
                int(parts["minute"] or 0),
                int(parts["second"] or 0),
            )
            return _aware(moment, zone)
        except (ValueError, OverflowError):
            return None
    if not _ISO_HINT.match(text):
        return None
    candidate = text[:-1] + "+00:00" if text[-1] in "zZ" else text
    try:
        return _aware(datetime.fromisoformat(candidate), zone)
    except (ValueError, OverflowError):
        return None
