# SPDX-License-Identifier: EUPL-1.2
"""The detectors of numbers and codes: BSN, IBAN, phone, e-mail, postcode and address,
licence plate, date of birth (pure Python: runs without Django settings)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerlus.feedback.redaction import is_valid_bsn, is_valid_iban, redact

from .redaction_strategies import (
    DOB_CUES,
    FAST,
    assert_redacted,
    dates,
    emails,
    embedded,
    filler,
    formatted_bsns,
    ibans,
    invalid_nine_digits,
    phones,
    plates,
    postcode_numbers,
)

# ---------------------------------------------------------------------- property-based


@FAST
@given(embedded(formatted_bsns()))
def test_valid_bsn_is_always_redacted(case: tuple[str, str]) -> None:
    assert_redacted(*case, "[BSN]")


@FAST
@given(embedded(invalid_nine_digits()))
def test_nine_digits_failing_the_elfproef_are_never_bsn(case: tuple[str, str]) -> None:
    text, _ = case
    assert "[BSN]" not in redact(text)


@FAST
@given(embedded(ibans()))
def test_iban_is_always_redacted(case: tuple[str, str]) -> None:
    assert_redacted(*case, "[IBAN]")


@FAST
@given(embedded(phones()))
def test_phone_is_always_redacted(case: tuple[str, str]) -> None:
    assert_redacted(*case, "[TELEFOON]")


@FAST
@given(embedded(emails))
def test_email_is_always_redacted(case: tuple[str, str]) -> None:
    assert_redacted(*case, "[EMAIL]")


@FAST
@given(embedded(postcode_numbers()))
def test_postcode_with_house_number_is_always_redacted(case: tuple[str, str]) -> None:
    assert_redacted(*case, "[POSTCODE_HUISNUMMER]")


@FAST
@given(embedded(plates()))
def test_licence_plate_is_always_redacted(case: tuple[str, str]) -> None:
    assert_redacted(*case, "[KENTEKEN]")


@FAST
@given(filler, st.sampled_from(DOB_CUES), dates(), filler)
def test_date_after_birth_cue_is_redacted(before: str, cue: str, date: str, after: str) -> None:
    text = f"{before} {cue} {date} {after}"
    assert_redacted(text, date, "[GEBOORTEDATUM]")


@FAST
@given(filler, dates(), filler)
def test_date_without_birth_cue_is_kept(before: str, date: str, after: str) -> None:
    text = f"{before} op {date} {after}"
    assert redact(text) == text


# ------------------------------------------------------------------------ example-based


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mijn BSN is 111222333.", "Mijn BSN is [BSN]."),
        ("BSN: 123.456.782", "BSN: [BSN]"),
        ("bsn 123 456 782 graag", "bsn [BSN] graag"),
        ("burgerservicenummer 1234.56.782", "burgerservicenummer [BSN]"),
        ("BSN: 12345672 (zonder voorloopnul)", "BSN: [BSN] (zonder voorloopnul)"),
        ("zaaknummer 123456789", "zaaknummer 123456789"),
        ("Kenmerk 123.456.789 op de brief", "Kenmerk 123.456.789 op de brief"),
        ("IBAN NL91ABNA0417164300.", "IBAN [IBAN]."),
        ("rekening NL91 ABNA 0417 1643 00 t.n.v. mij", "rekening [IBAN] t.n.v. mij"),
        ("nl91abna0417164300", "[IBAN]"),
        ("BE68 5390 0754 7034 of DE89370400440532013000", "[IBAN] of [IBAN]"),
        ("NL91ABNA0417164301 heeft een tikfout", "NL91ABNA0417164301 heeft een tikfout"),
        ("Bel 06-12345678.", "Bel [TELEFOON]."),
        ("Bel 06 12 34 56 78 of 0612345678", "Bel [TELEFOON] of [TELEFOON]"),
        ("tel. 010-1234567 / 020 123 4567", "tel. [TELEFOON] / [TELEFOON]"),
        ("+31 6 12345678, 0031 20 1234567", "[TELEFOON], [TELEFOON]"),
        ("bel +31 (0)20 123 4567", "bel [TELEFOON]"),
        ("(020) 123 45 67 of 0111-123456", "[TELEFOON] of [TELEFOON]"),
        ("Tel: 06-12345678/06-87654321", "Tel: [TELEFOON]/[TELEFOON]"),
        ("Call +44 20 7946 0958", "Call [TELEFOON]"),
        ("Mail jan.jansen@example.nl.", "Mail [EMAIL]."),
        ("mail: J.DE.VRIES+gemeente@Sub.Example.ORG", "mail: [EMAIL]"),
        ("piet(at)ziggo.nl", "[EMAIL]"),
        ("1234 AB 12", "[POSTCODE_HUISNUMMER]"),
        ("1234AB 12a", "[POSTCODE_HUISNUMMER]"),
        ("1234 ab, 12-3", "[POSTCODE_HUISNUMMER]"),
        ("postcode 1234 AB en huisnummer 7", "postcode [POSTCODE_HUISNUMMER]"),
        ("Kerkstraat 12, 1234 AB Utrecht", "[POSTCODE_HUISNUMMER] Utrecht"),
        ("Laan van Meerdervoort 120, 2517 AB Den Haag", "[POSTCODE_HUISNUMMER] Den Haag"),
        ("Mijn adres:\nDorpsstraat 5\n1234 CD Zeist", "Mijn adres:\n[POSTCODE_HUISNUMMER] Zeist"),
        ("De lamp bij Kerkstraat 12 is kapot.", "De lamp bij [POSTCODE_HUISNUMMER] is kapot."),
        ("postcode 3511 CD", "postcode [POSTCODE]"),
        ("1234 SA 12", "1234 SA 12"),
        ("AB-12-CD", "[KENTEKEN]"),
        ("12-ABC-3 en 1-ABC-23", "[KENTEKEN] en [KENTEKEN]"),
        ("G-123-BB en XX-99-99", "[KENTEKEN] en [KENTEKEN]"),
        ("kenteken ab12cd", "kenteken [KENTEKEN]"),
        ("kenteken: 12 ABC 3", "kenteken: [KENTEKEN]"),
        ("Geboren op 12-03-1985.", "Geboren op [GEBOORTEDATUM]."),
        ("geboortedatum: 12/03/1985", "geboortedatum: [GEBOORTEDATUM]"),
        ("geb. 12 maart 1985", "geb. [GEBOORTEDATUM]"),
        ("DOB 1985-03-12", "DOB [GEBOORTEDATUM]"),
        ("I was born on March 12, 1985.", "I was born on [GEBOORTEDATUM]."),
        ("Ik ben op 12-03-1985 geboren.", "Ik ben op [GEBOORTEDATUM] geboren."),
        ("mijn moeder (geb. 3 mei 1950)", "mijn moeder (geb. [GEBOORTEDATUM])"),
    ],
)
def test_examples_of_numbers_and_codes(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_check_helpers() -> None:
    assert is_valid_bsn("111222333")
    assert not is_valid_bsn("111222334")
    assert not is_valid_bsn("000000000")
    assert not is_valid_bsn("12345678")
    assert is_valid_iban("NL91ABNA0417164300")
    assert is_valid_iban("nl91 abna 0417 1643 00")
    assert not is_valid_iban("NL91ABNA0417164301")
    assert not is_valid_iban("XX91ABNA0417164300")
