# SPDX-License-Identifier: EUPL-1.2
"""Hypothesis strategies for the redaction tests: texts that hold one kind of personal data
(with edges and filler around it), mixed texts, and traps that hold none."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

from leerlus.feedback.redaction import (
    KINDS,
    is_valid_bsn,
    redact,
)
from leerlus.feedback.redaction.detectors import LOWER_STOP as DOCUMENTED_LOWER_STOP

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
LOWER_STOP = DOCUMENTED_LOWER_STOP


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


@st.composite
def mixed_texts(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        value = draw(
            st.one_of(formatted_bsns(), ibans(), phones(), emails, postcode_numbers(), plates())
        )
        parts.append(draw(filler) + draw(left_edge) + value + draw(right_edge))
    return "".join(parts) + draw(filler)


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
