# SPDX-License-Identifier: EUPL-1.2
"""Personal-data redaction for feedback signals.

Every signal passes :func:`redact` before its text is stored for analysis. The module is pure
Python (standard library ``re`` only, no Django), so the command line and the analysis engine can
use it on an export without a server.

What is found and how it is replaced (see ``docs/privacy.md`` for the measured quality):

==========================  ===========================================================
placeholder                 detector
==========================  ===========================================================
``[BSN]``                   nine digits (``123456782``, ``123.456.782``, ``123 456 782``,
                            ``1234.56.782``)
                            that pass the elfproef; eight digits after a BSN cue when a
                            leading zero makes them pass
``[IBAN]``                  any registry country, exact length per country, mod-97 check
``[TELEFOON]``              Dutch numbers (10 digits, known area or mobile prefix, also
                            ``+31``/``0031``/``+31 (0)``), other ``+`` international numbers;
                            0800/0900/0906/0909 and ``14 0xx`` are left alone
``[EMAIL]``                 e-mail addresses (also ``naam(at)domein.nl``)
``[POSTCODE_HUISNUMMER]``   postcode with house number, street + number + postcode, and a
                            street name with a street suffix followed by a number
``[POSTCODE]``              a postcode without a house number
``[KENTEKEN]``              Dutch licence plates, sidecodes 1-14 with dashes; without dashes or
                            in lower case only after a cue such as "kenteken"
``[GEBOORTEDATUM]``         a date near a birth cue ("geboren op", "geb.", "DOB", ...)
``[NAAM]``                  capitalised names after a cue ("mijn naam is", "dhr.", "mevrouw",
                            "Mr.", a letter's closing "Met vriendelijke groet,")
==========================  ===========================================================

Findings never hold the original text; :func:`redact_with_counts` reports how many values of each
kind were removed, never the values themselves.

The detectors live beside this entry point: :mod:`.detectors` (numbers and codes),
:mod:`.names` (names after a cue), :mod:`.common` (kinds, findings, dates, spans).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection
from typing import Final

from .common import (
    DATE_BLOCK_RE,
    DIGIT_RE,
    KINDS,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    RANK,
    Candidate,
    Finding,
    RedactionResult,
    Spans,
)
from .detectors import (
    find_bsn,
    find_dob,
    find_email,
    find_iban,
    find_phone,
    find_plate,
    find_postcode,
    is_valid_bsn,
    is_valid_iban,
)
from .names import find_names

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Finding",
    "RedactionResult",
    "find_personal_data",
    "is_valid_bsn",
    "is_valid_iban",
    "redact",
    "redact_with_counts",
]


def _select(candidates: list[Candidate], blocked: list[tuple[int, int]]) -> list[Finding]:
    """Non-overlapping findings: the longer candidate wins, then the more specific kind."""
    # taken spans never overlap each other, so sorted starts and ends stay in step
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[str | None] = []
    for start, end in sorted(blocked):
        starts.append(start)
        ends.append(end)
        kinds.append(None)
    for start, end, kind in sorted(candidates, key=lambda c: (c[0] - c[1], RANK[c[2]], c[0])):
        if start < 0 or end <= start:
            continue
        i = bisect.bisect_right(starts, start)
        if (i > 0 and ends[i - 1] > start) or (i < len(starts) and starts[i] < end):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        kinds.insert(i, kind)
    return [
        Finding(kind, start, end)
        for start, end, kind in zip(starts, ends, kinds, strict=True)
        if kind is not None
    ]


def find_personal_data(text: str, *, kinds: Collection[str] | None = None) -> list[Finding]:
    """All personal data in ``text``: non-overlapping findings sorted by position.

    Placeholders from an earlier redaction are never found again. ``kinds`` keeps only findings of
    those kinds (overlaps are settled first, so a BSN inside a phone number stays a phone number).
    """
    if kinds is not None and not set(kinds) <= set(KINDS):
        raise ValueError(f"unknown kinds: {sorted(set(kinds) - set(KINDS))}")
    placeholders = [m.span() for m in PLACEHOLDER_RE.finditer(text)]
    candidates: list[Candidate] = find_email(text)
    # Every number-bearing kind (BSN, IBAN, phone, date of birth, address, plate) needs a
    # digit: most feedback has none, and these detectors are most of the work.
    if DIGIT_RE.search(text) is not None:
        dates = [m.span() for m in DATE_BLOCK_RE.finditer(text)]
        candidates += find_bsn(text, Spans(dates))
        candidates += find_iban(text)
        candidates += find_phone(text, dates)
        candidates += find_dob(text)
        candidates += find_postcode(text)
        candidates += find_plate(text)
    candidates += find_names(text)
    findings = _select(candidates, placeholders)
    if kinds is not None:
        findings = [f for f in findings if f.kind in kinds]
    return findings


# Every round replaces text outside placeholders, so rounds end on their own; the cap is a guard.
_MAX_ROUNDS: Final = 8


def _apply(text: str, findings: list[Finding]) -> str:
    parts: list[str] = []
    cursor = 0
    for finding in findings:
        parts.append(text[cursor : finding.start])
        parts.append(finding.placeholder)
        cursor = finding.end
    parts.append(text[cursor:])
    return "".join(parts)


def redact_with_counts(text: str, *, kinds: Collection[str] | None = None) -> RedactionResult:
    """Redact ``text`` and count the removed values per kind (the values are never kept).

    Redaction repeats until nothing is found, so the result is a fixed point: redacting it again
    changes nothing. Every round replaces text outside placeholders, so this always ends.
    """
    counts: dict[str, int] = {}
    for _ in range(_MAX_ROUNDS):
        findings = find_personal_data(text, kinds=kinds)
        if not findings:
            break
        for finding in findings:
            counts[finding.kind] = counts.get(finding.kind, 0) + 1
        text = _apply(text, findings)
    return RedactionResult(text, counts)


def redact(text: str, *, kinds: Collection[str] | None = None) -> str:
    """Replace every piece of personal data in ``text`` by a typed placeholder such as ``[BSN]``.

    ``kinds`` limits the redaction, e.g. ``redact(text, kinds={"BSN"})`` for a text that may keep
    contact details but never a BSN.
    """
    return redact_with_counts(text, kinds=kinds).text
