# SPDX-License-Identifier: EUPL-1.2
"""What every detector shares: the kinds of personal data and their placeholders, a finding,
white space and capitals as the patterns write them, dates, and spans a candidate may not
overlap."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Final, NamedTuple

KINDS: Final[tuple[str, ...]] = (
    "BSN",
    "IBAN",
    "EMAIL",
    "TELEFOON",
    "GEBOORTEDATUM",
    "POSTCODE_HUISNUMMER",
    "KENTEKEN",
    "POSTCODE",
    "NAAM",
)
PLACEHOLDERS: Final[dict[str, str]] = {kind: f"[{kind}]" for kind in KINDS}

# Order of KINDS decides ties between two overlapping candidates of the same length.
RANK: Final[dict[str, int]] = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and character offsets, never the text itself."""

    kind: str
    start: int
    end: int

    @property
    def placeholder(self) -> str:
        return PLACEHOLDERS[self.kind]


class RedactionResult(NamedTuple):
    """The redacted text and the number of values removed per kind (kinds with zero left out)."""

    text: str
    counts: dict[str, int]


Candidate = tuple[int, int, str]


def words(text: str) -> frozenset[str]:
    """A set of words written as one white-space separated block."""
    return frozenset(text.split())


SP: Final = r"[ \t\u00a0]"  # horizontal white space only: a value never spans lines
UPPER: Final = r"A-Z\u00c0-\u00d6\u00d8-\u00de"
PLACEHOLDER_RE: Final = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")

_MONTHS: Final = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
    r"december|january|february|march|may|june|july|august|october|"
    r"jan|feb|mrt|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec)"
)
_DAY: Final = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH: Final = r"(?:0?[1-9]|1[0-2])"
_YEAR4: Final = r"(?:1[89][0-9]{2}|20[0-9]{2})"


def numeric_date(tag: str) -> str:
    """dd-mm-yyyy, dd/mm/yy, dd.mm.yyyy or yyyy-mm-dd (the same separator twice)."""
    return (
        rf"(?:{_DAY}(?P<{tag}a>[-/.]){_MONTH}(?P={tag}a)(?:{_YEAR4}|'?[0-9]{{2}})"
        rf"|{_YEAR4}(?P<{tag}b>[-/.]){_MONTH}(?P={tag}b){_DAY})"
    )


TEXT_DATE: Final = (
    rf"(?:{_DAY}(?:e|ste|de|st|nd|rd|th)?{SP}+(?:of{SP}+)?{_MONTHS}\.?,?{SP}+{_YEAR4}"
    rf"|\b{_MONTHS}\.?{SP}+{_DAY}(?:st|nd|rd|th)?,?{SP}+{_YEAR4})"
)
_ANY_DATE: Final = rf"(?<![0-9])(?:{numeric_date('any')}|{TEXT_DATE})(?![0-9])"
# Plain dates block phone and BSN candidates: "op 06-12-2024 10:30" is not a mobile number.
DATE_BLOCK_RE: Final = re.compile(_ANY_DATE, re.IGNORECASE)
DIGIT_RE: Final = re.compile(r"\d")


class Spans:
    """Spans that a candidate may not overlap; an overlap query costs O(log n)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._max_end: list[int] = []  # the largest end among the first i+1 spans
        for _, end in ordered:
            self._max_end.append(max(end, self._max_end[-1] if self._max_end else end))

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)  # spans that start before ``end``
        return i > 0 and self._max_end[i - 1] > start
