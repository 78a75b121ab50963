"""Tests for the personal-data redaction (pure Python: runs without Django settings)."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leerlus.feedback.redaction import _LOWER_STOP as _LOWER_STOP  # the documented exceptions
from leerlus.feedback.redaction import (
    KINDS,
    PLACEHOLDERS,
    Finding,
    RedactionResult,
    find_personal_data,
    is_valid_bsn,
    is_valid_iban,
    redact,
    redact_with_counts,
)

DATASET = Path(__file__).parent / "data" / "redaction_labelled.jsonl"
PLACEHOLDER_RE = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------- strategies

# Filler words: ordinary feedback vocabulary without any cue word ("ik ben", "geboren",
# "kenteken", "mevrouw", ...). Two-letter words are ones that never read as postcode letters.
WORDS = [
    "de",
    "het",
    "een",
    "container",
    "is",
    "niet",
    "geleegd",
    "vandaag",
    "gemeente",
    "aanvraag",
    "paspoort",
    "vergunning",
    "wachten",
    "lang",
    "formulier",
    "portaal",
    "werkt",
    "slecht",
    "graag",
    "snel",
    "reactie",
    "afval",
    "bewoners",
    "parkeren",
    "boete",
    "uitkering",
    "klacht",
    "over",
    "voor",
    "door",
    "met",
    "zonder",
    "al",
    "nog",
    "steeds",
    "erg",
    "vervelend",
    "waarom",
    "duurt",
    "dit",
    "zo",
    "bij",
    "ons",
    "wijk",
    "ophalen",
    "kapot",
    "melding",
    "gedaan",
    "twee",
    "drie",
    "gebeld",
    "gestuurd",
    "loket",
    "balie",
    "website",
    "storing",
    "inloggen",
    "digid",
    "belasting",
    "aanslag",
    "bezwaar",
    "afspraak",
    "the",
    "bin",
    "was",
    "not",
    "collected",
    "again",
    "please",
    "fix",
    "permit",
    "waiting",
    "portal",
    "broken",
]
filler = st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join)
left_edge = st.sampled_from([" ", ": ", " (", ", ", "\n", " '"])
right_edge = st.sampled_from([" ", ". ", ") ", ", ", "\n", "! ", "' "])


@st.composite
def embedded(draw: st.DrawFn, value: st.SearchStrategy[str]) -> tuple[str, str]:
    """A value inside random filler text: (text, value)."""
    v = draw(value)
    text = draw(filler) + draw(left_edge) + v + draw(right_edge) + draw(filler)
    return text, v


def bsn_check_digit(first8: str) -> int:
    return sum(int(d) * w for d, w in zip(first8, range(9, 1, -1), strict=True)) % 11


@st.composite
def valid_bsns(draw: st.DrawFn) -> str:
    first8 = draw(st.integers(0, 99_999_999).map(lambda n: f"{n:08d}"))
    check = bsn_check_digit(first8)
    assume(check != 10 and first8 != "00000000")
    return first8 + str(check)


@st.composite
def formatted_bsns(draw: st.DrawFn) -> str:
    d = draw(valid_bsns())
    return draw(
        st.sampled_from(
            [
                d,
                f"{d[:3]}.{d[3:6]}.{d[6:]}",
                f"{d[:3]} {d[3:6]} {d[6:]}",
                f"{d[:4]}.{d[4:6]}.{d[6:]}",
            ]
        )
    )


@st.composite
def invalid_nine_digits(draw: st.DrawFn) -> str:
    digits = draw(st.integers(0, 999_999_999).map(lambda n: f"{n:09d}"))
    assume(not is_valid_bsn(digits))
    return digits


def iban_check_digits(country: str, bban: str) -> str:
    number = int("".join(str(int(ch, 36)) for ch in bban + country + "00"))
    return f"{98 - number % 97:02d}"


IBAN_FORMATS = {  # country: (letters, digits) of the BBAN
    "NL": (4, 10),
    "BE": (0, 12),
    "DE": (0, 18),
    "GB": (4, 14),
    "FR": (0, 23),
    "NO": (0, 11),
}


@st.composite
def ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(IBAN_FORMATS)))
    n_letters, n_digits = IBAN_FORMATS[country]
    letters = draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=n_letters, max_size=n_letters))
    digits = draw(st.text("0123456789", min_size=n_digits, max_size=n_digits))
    bban = letters + digits
    iban = country + iban_check_digits(country, bban) + bban
    grouped = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return draw(st.sampled_from([iban, grouped, iban.lower(), grouped.lower()]))


AREA_CODES = ["10", "20", "30", "40", "50", "70", "13", "15", "23", "24", "26", "33", "43", "58"]
AREA_CODES_4 = ["111", "162", "174", "186", "222", "251", "313", "341", "416", "475", "513", "591"]


@st.composite
def phones(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["mobile", "area2", "area3", "foreign"]))
    if kind == "mobile":
        s = draw(st.sampled_from("12345")) + draw(st.text("0123456789", min_size=7, max_size=7))
        return draw(
            st.sampled_from(
                [
                    f"06{s}",
                    f"06-{s}",
                    f"06 {s}",
                    f"06 {s[:2]} {s[2:4]} {s[4:6]} {s[6:]}",
                    f"06-{s[:4]} {s[4:]}",
                    f"+31 6 {s}",
                    f"+316{s}",
                    f"+31 (0)6 {s}",
                    f"0031 6 {s}",
                    f"0031{6}{s}",
                    f"(06) {s}",
                ]
            )
        )
    if kind == "foreign":
        cc = draw(st.sampled_from(["32", "44", "49", "90", "212", "1"]))
        rest = draw(st.text("0123456789", min_size=9, max_size=10))
        return f"+{cc} {rest[:3]} {rest[3:6]} {rest[6:]}"
    area = draw(st.sampled_from(AREA_CODES if kind == "area2" else AREA_CODES_4))
    length = 7 if kind == "area2" else 6
    sub = draw(st.sampled_from("23456789")) + draw(
        st.text("0123456789", min_size=length - 1, max_size=length - 1)
    )
    return draw(
        st.sampled_from(
            [
                f"0{area}-{sub}",
                f"0{area} {sub[:3]} {sub[3:]}",
                f"0{area}{sub}",
                f"(0{area}) {sub}",
                f"+31 {area} {sub}",
                f"+31 (0){area} {sub[:3]} {sub[3:]}",
                f"0031 {area} {sub}",
                f"+31-{area}-{sub}",
            ]
        )
    )


emails = st.builds(
    lambda local, sep, part, domain, tld: f"{local}{sep}{part}@{domain}.{tld}",
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
    st.sampled_from([".", "_", "-", "+", ""]),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=12),
    st.sampled_from(["nl", "com", "org", "eu", "co.uk", "gemeente.nl"]),
)

POSTCODE_LETTERS = "ABCDEFGHJKLMNPRSTVWXZ"
# Lower-case letters that read as a word or unit ("1234 is") are documented as not a postcode.
LOWER_STOP = _LOWER_STOP


@st.composite
def postcode_numbers(draw: st.DrawFn) -> str:
    digits = draw(st.integers(1000, 9999))
    letters = draw(st.text(POSTCODE_LETTERS, min_size=2, max_size=2))
    assume(letters not in {"SA", "SD", "SS"})
    number = draw(st.integers(1, 999))
    suffix = draw(st.sampled_from(["", "a", "B", "-2", "-II", " C"]))
    street = draw(st.sampled_from(["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenlaan"]))
    pc = f"{digits} {letters}"
    pc_nospace = f"{digits}{letters}"
    low = pc.lower() if letters.lower() not in LOWER_STOP else pc
    return draw(
        st.sampled_from(
            [
                f"{pc} {number}{suffix}",
                f"{pc_nospace} {number}{suffix}",
                f"{low}, {number}{suffix}",
                f"{pc}, huisnummer {number}{suffix}",
                f"{street} {number}{suffix}, {pc}",
                f"{street} {number}{suffix} {pc_nospace}",
            ]
        )
    )


SIDECODES = [
    "LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
    "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D",
]  # fmt: skip
PLATE_LETTERS = "BDFGHJKLNPRSTVXZ"  # RDW letters: no vowels, no C or Q


@st.composite
def plates(draw: st.DrawFn) -> str:
    code = draw(st.sampled_from(SIDECODES))
    groups = []
    for group in code.split("-"):
        alphabet = PLATE_LETTERS if group[0] == "L" else "0123456789"
        groups.append(draw(st.text(alphabet, min_size=len(group), max_size=len(group))))
    return "-".join(groups)


DOB_CUES = ["geboren op", "geboortedatum:", "geb.", "Geboortedatum", "born on", "date of birth:"]
DOB_CUES += ["DOB", "mijn geboortedatum is", "ik ben geboren op"]
MONTHS = ["januari", "maart", "mei", "augustus", "december", "March", "October"]


@st.composite
def dates(draw: st.DrawFn) -> str:
    d, m, y = draw(st.integers(1, 28)), draw(st.integers(1, 12)), draw(st.integers(1930, 2015))
    return draw(
        st.sampled_from(
            [
                f"{d:02d}-{m:02d}-{y}",
                f"{d}/{m}/{y}",
                f"{d:02d}.{m:02d}.{y}",
                f"{y}-{m:02d}-{d:02d}",
                f"{d} {draw(st.sampled_from(MONTHS))} {y}",
            ]
        )
    )


FIRST_NAMES = ["Jan", "Fatima", "Sanne", "Mehmet", "Anne-Marie", "Zoë", "John", "Priya", "Kees"]
TUSSEN = ["", "van ", "de ", "van der ", "van den ", "ter ", "ten ", "van 't ", "in 't "]
SURNAMES = ["Vries", "Jansen", "Berg", "Yılmaz", "El Amrani", "O'Brien", "Bakker", "Heuvel"]  # noqa: RUF001 (Turkish dotless i)
NAME_CUES = ["mijn naam is", "Mijn naam is", "dhr.", "Dhr.", "mevrouw", "de heer", "mevr.", "mw."]
NAME_CUES += ["meneer", "Mr.", "Mrs.", "Ms.", "my name is", "Met vriendelijke groet,\n", "ik ben"]


@st.composite
def names(draw: st.DrawFn) -> str:
    first = draw(st.sampled_from(["", "J. ", "J.P. ", *[f"{n} " for n in FIRST_NAMES]]))
    return first + draw(st.sampled_from(TUSSEN)) + draw(st.sampled_from(SURNAMES))


def assert_redacted(text: str, value: str, placeholder: str) -> None:
    out = redact(text)
    assert placeholder in out, (text, out)
    assert value not in out, (text, out)


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


@FAST
@given(filler, st.sampled_from(NAME_CUES), names(), filler)
def test_name_after_cue_is_redacted(before: str, cue: str, name: str, after: str) -> None:
    text = f"{before} {cue} {name}. {after}"
    assert_redacted(text, name, "[NAAM]")


@st.composite
def mixed_texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        value = draw(
            st.one_of(formatted_bsns(), ibans(), phones(), emails, postcode_numbers(), plates())
        )
        parts.append(draw(filler) + draw(left_edge) + value + draw(right_edge))
    return "".join(parts) + draw(filler)


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


# Text without personal data, traps included, must come out unchanged.
traps = st.one_of(
    st.builds(lambda a, b, c: f"€ {a}.{b:03d},{c:02d}", st.integers(1, 99), st.integers(0, 999),
              st.integers(0, 99)),
    st.builds(lambda a: f"€ {a},-", st.integers(1, 9999)),
    st.builds(lambda y: f"in {y}", st.integers(1990, 2030)),
    st.builds(lambda d, m, y: f"op {d:02d}-{m:02d}-{y}", st.integers(1, 28), st.integers(1, 12),
              st.integers(2020, 2026)),
    st.builds(lambda y, n: f"Z-{y}-{n:06d}", st.integers(2020, 2026), st.integers(0, 999999)),
    invalid_nine_digits().map(lambda d: f"zaaknummer {d}"),
    st.sampled_from(["0800-1234", "0800 0123", "0900-1234567", "0900 8844", "14 020", "14 030"]),
    st.builds(lambda h, m: f"om {h}:{m:02d}", st.integers(8, 18), st.integers(0, 59)),
    st.builds(lambda n: f"{n} keer", st.integers(2, 40)),
    st.sampled_from(["mevrouw van de balie", "de meneer aan de telefoon", "ik ben boos"]),
)  # fmt: skip


@FAST
@given(st.lists(st.one_of(filler, traps), min_size=1, max_size=6).map(" ".join))
def test_text_without_personal_data_is_unchanged(text: str) -> None:
    assert redact(text) == text
    assert find_personal_data(text) == []


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
        ("Mijn naam is Jan de Vries.", "Mijn naam is [NAAM]."),
        ("Dhr. J.P. van der Berg belde.", "Dhr. [NAAM] belde."),
        ("mevrouw Van den Heuvel", "mevrouw [NAAM]"),
        ("mw. A. de Wit en dhr Jansen", "mw. [NAAM] en dhr [NAAM]"),
        ("Ik ben Fatima El Amrani en", "Ik ben [NAAM] en"),
        ("my name is John Smith", "my name is [NAAM]"),
        ("Dear Mrs. O'Brien,", "Dear Mrs. [NAAM],"),
        ("Met vriendelijke groet,\nKees van 't Hof", "Met vriendelijke groet,\n[NAAM]"),
        ("Kind regards,\nSarah", "Kind regards,\n[NAAM]"),
        ("graag storten t.n.v. Iris Smit", "graag storten t.n.v. [NAAM]"),
        ("Van: Jan Jansen <jan@example.nl>", "Van: [NAAM] <[EMAIL]>"),
        ("mijn naam is piet jansen en ik", "mijn naam is [NAAM] en ik"),
    ],
)
def test_examples(text: str, expected: str) -> None:
    assert redact(text) == expected


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


def test_check_helpers() -> None:
    assert is_valid_bsn("111222333")
    assert not is_valid_bsn("111222334")
    assert not is_valid_bsn("000000000")
    assert not is_valid_bsn("12345678")
    assert is_valid_iban("NL91ABNA0417164300")
    assert is_valid_iban("nl91 abna 0417 1643 00")
    assert not is_valid_iban("NL91ABNA0417164301")
    assert not is_valid_iban("XX91ABNA0417164300")


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
