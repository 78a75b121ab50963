# SPDX-License-Identifier: EUPL-1.2
"""The redaction as a whole: idempotent, never crashing, sorted non-overlapping findings,
counts that match the placeholders, traps left alone, and the labelled set's quality bar
(pure Python: runs without Django settings)."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from leerlus.feedback.redaction import (
    KINDS,
    PLACEHOLDERS,
    Finding,
    RedactionResult,
    find_personal_data,
    is_valid_bsn,
    redact,
    redact_with_counts,
)

from .redaction_strategies import FAST, filler, mixed_texts, traps

DATASET = Path(__file__).parent / "data" / "redaction_labelled.jsonl"

# ---------------------------------------------------------------------- property-based


@FAST
@given(st.one_of(mixed_texts(), st.text(), st.text("0123456789 -./()+@ABNLabnl[]", max_size=60)))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@FAST
@given(st.text(alphabet=st.characters(), max_size=300))
def test_arbitrary_unicode_never_crashes(text: str) -> None:
    result = redact_with_counts(text)
    assert isinstance(result.text, str)
    findings = find_personal_data(text)
    assert all(0 <= f.start < f.end <= len(text) for f in findings)


@FAST
@given(mixed_texts())
def test_findings_are_sorted_and_do_not_overlap(text: str) -> None:
    findings = find_personal_data(text)
    for first, second in itertools.pairwise(findings):
        assert first.end <= second.start
    assert all(f.kind in KINDS for f in findings)


@FAST
@given(mixed_texts())
def test_counts_match_placeholders(text: str) -> None:
    assume("[" not in text)
    out, counts = redact_with_counts(text)
    for kind, placeholder in PLACEHOLDERS.items():
        assert out.count(placeholder) == counts.get(kind, 0)
    assert all(n > 0 for n in counts.values())


@FAST
@given(st.lists(st.one_of(filler, traps), min_size=1, max_size=6).map(" ".join))
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert redact(text) == text
    assert find_personal_data(text) == []


# ------------------------------------------------------------------------ example-based


@pytest.mark.parametrize(
    "text",
    [
        "Op 12-03-2025 heb ik gebeld.",
        "op 06-12-2024 10:30 heb ik gebeld",
        "Het kost € 1.234,56 en dat is te veel.",
        "In 2024 is het 3 keer misgegaan.",
        "Zaak Z-2024-001234 staat stil.",
        "zaaknummer 123456789",
        "Bel 0800-1234 of 0900-1234567.",
        "Het nummer 14 020 is alleen overdag bereikbaar.",
        "Bel 14 030 of 0800 0123",
        "Ik sprak mevrouw van de balie.",
        "De meneer aan de telefoon wist het niet.",
        "Ik ben boos en teleurgesteld.",
        "Ik ben geboren en getogen in Utrecht.",
        "Ik ben al 3 keer langs geweest.",
        "Beste gemeente, dank voor de hulp.",
        "Met vriendelijke groet,\nGemeente Utrecht",
        "versie 2.3.1 tussen 9.00 en 17.00 uur in week 12",
        "De bijlage van 1500 MB en 2000 GB aan data.",
        "factuur 2024000123 en referentie 0123456789",
        "zaaknummer 010000000 2 keer",
        "De Stationsweg is 3 keer afgesloten.",
        "Windows 11 en Android 14",
        "De vergunning is op 12-03-1985 verleend.",
        "Mijn dochter is geboren in 2019.",
        "Dossier 2024-06-1234 is gesloten.",
        "[BSN] [NAAM] [POSTCODE_HUISNUMMER]",
    ],
)
def test_false_positive_traps_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_placeholders_are_never_detected_again() -> None:
    text = "mijn naam is [NAAM], BSN [BSN], tel [TELEFOON], " + " ".join(PLACEHOLDERS.values())
    assert find_personal_data(text) == []


def test_finding_holds_no_text() -> None:
    assert {f.name for f in dataclasses.fields(Finding)} == {"kind", "start", "end"}
    findings = find_personal_data("BSN 111222333")
    assert findings == [Finding("BSN", 4, 13)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].start = 0  # type: ignore[misc]


def test_redact_with_counts_reports_kinds_not_values() -> None:
    result = redact_with_counts("BSN 111222333, bel 0612345678 of 020-1234567, a@b.nl")
    assert isinstance(result, RedactionResult)
    text, counts = result
    assert counts == {"BSN": 1, "TELEFOON": 2, "EMAIL": 1}
    assert text == "BSN [BSN], bel [TELEFOON] of [TELEFOON], [EMAIL]"


def test_longer_finding_wins_an_overlap() -> None:
    # the mobile number inside +31 is also nine digits that pass the elfproef
    digits = "612345671"
    assert is_valid_bsn(digits)
    assert redact(f"+31 {digits}") == "[TELEFOON]"
    # an IBAN with spaces contains a valid-looking landline
    assert redact("NL91 ABNA 0417 1643 00") == "[IBAN]"


def test_kinds_limits_the_redaction() -> None:
    text = "BSN 111222333, bel 0612345678, mail a@b.nl"
    assert redact(text, kinds={"BSN"}) == "BSN [BSN], bel 0612345678, mail a@b.nl"
    assert redact_with_counts(text, kinds=["TELEFOON", "EMAIL"]).counts == {
        "TELEFOON": 1,
        "EMAIL": 1,
    }
    with pytest.raises(ValueError, match="unknown kinds"):
        redact(text, kinds={"PASPOORT"})


# ------------------------------------------------------------------------ labelled data


def _rows() -> list[dict[str, Any]]:
    with DATASET.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_labelled_set_is_well_formed() -> None:
    rows = _rows()
    assert len(rows) >= 400
    english = sum(1 for row in rows if row.get("lang") == "en")
    assert 0.1 <= english / len(rows) <= 0.25
    assert sum(1 for row in rows if not row["spans"]) >= 60
    for row in rows:
        text = row["text"]
        assert isinstance(text, str)
        spans = row["spans"]
        assert isinstance(spans, list)
        previous_end = 0
        for span in sorted(spans, key=lambda s: s["start"]):
            assert span["kind"] in KINDS
            assert previous_end <= span["start"] < span["end"] <= len(text)
            assert text[span["start"] : span["end"]].strip() == text[span["start"] : span["end"]]
            previous_end = span["end"]


def test_labelled_set_meets_the_quality_bar() -> None:
    """Precision and recall >= 0.95 per targeted kind (>= 50 % overlap of the gold span)."""
    gold_n: dict[str, int] = {}
    pred_n: dict[str, int] = {}
    hits: dict[str, int] = {}
    for row in _rows():
        gold = [(s["kind"], s["start"], s["end"]) for s in row["spans"]]
        used: set[int] = set()
        for kind, _, _ in gold:
            gold_n[kind] = gold_n.get(kind, 0) + 1
        for f in find_personal_data(row["text"]):
            pred_n[f.kind] = pred_n.get(f.kind, 0) + 1
            for i, (kind, start, end) in enumerate(gold):
                covered = max(0, min(end, f.end) - max(start, f.start))
                if i not in used and kind == f.kind and covered * 2 >= end - start:
                    used.add(i)
                    hits[kind] = hits.get(kind, 0) + 1
                    break
    for kind in ("BSN", "IBAN", "TELEFOON", "EMAIL", "POSTCODE_HUISNUMMER", "KENTEKEN"):
        assert hits.get(kind, 0) / pred_n[kind] >= 0.95, kind
        assert hits.get(kind, 0) / gold_n[kind] >= 0.95, kind
    assert hits["GEBOORTEDATUM"] / pred_n["GEBOORTEDATUM"] >= 0.95
    assert hits["GEBOORTEDATUM"] / gold_n["GEBOORTEDATUM"] >= 0.95
