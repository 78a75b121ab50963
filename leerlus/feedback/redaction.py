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
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final, NamedTuple

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
_RANK: Final[dict[str, int]] = {kind: rank for rank, kind in enumerate(KINDS)}


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


_Candidate = tuple[int, int, str]


def _words(text: str) -> frozenset[str]:
    """A set of words written as one white-space separated block."""
    return frozenset(text.split())


# --------------------------------------------------------------------------- shared pieces

_SP: Final = r"[ \t\u00a0]"  # horizontal white space only: a value never spans lines
_UPPER: Final = r"A-Z\u00c0-\u00d6\u00d8-\u00de"
_PLACEHOLDER_RE: Final = re.compile(r"\[(?:" + "|".join(KINDS) + r")\]")

_MONTHS: Final = (
    r"(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
    r"december|january|february|march|may|june|july|august|october|"
    r"jan|feb|mrt|mar|apr|jun|jul|aug|sept|sep|okt|oct|nov|dec)"
)
_DAY: Final = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MONTH: Final = r"(?:0?[1-9]|1[0-2])"
_YEAR4: Final = r"(?:1[89][0-9]{2}|20[0-9]{2})"


def _numeric_date(tag: str) -> str:
    """dd-mm-yyyy, dd/mm/yy, dd.mm.yyyy or yyyy-mm-dd (the same separator twice)."""
    return (
        rf"(?:{_DAY}(?P<{tag}a>[-/.]){_MONTH}(?P={tag}a)(?:{_YEAR4}|'?[0-9]{{2}})"
        rf"|{_YEAR4}(?P<{tag}b>[-/.]){_MONTH}(?P={tag}b){_DAY})"
    )


_TEXT_DATE: Final = (
    rf"(?:{_DAY}(?:e|ste|de|st|nd|rd|th)?{_SP}+(?:of{_SP}+)?{_MONTHS}\.?,?{_SP}+{_YEAR4}"
    rf"|\b{_MONTHS}\.?{_SP}+{_DAY}(?:st|nd|rd|th)?,?{_SP}+{_YEAR4})"
)
_ANY_DATE: Final = rf"(?<![0-9])(?:{_numeric_date('any')}|{_TEXT_DATE})(?![0-9])"
# Plain dates block phone and BSN candidates: "op 06-12-2024 10:30" is not a mobile number.
_DATE_BLOCK_RE: Final = re.compile(_ANY_DATE, re.IGNORECASE)
_DIGIT_RE: Final = re.compile(r"\d")


class _Spans:
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


# --------------------------------------------------------------------------------- BSN


def is_valid_bsn(digits: str) -> bool:
    """The elfproef: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 is divisible by 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isascii() or not digits.isdigit():
        return False
    if digits == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
    return (total - int(digits[8])) % 11 == 0


_BSN_RE: Final = re.compile(
    r"(?<![0-9])(?<![0-9][.,/-])(?<![A-Za-z]-)"
    r"(?:[0-9]{9}"
    r"|[0-9]{3}([ .-])[0-9]{3}\1[0-9]{3}"
    r"|[0-9]{4}\.[0-9]{2}\.[0-9]{3})"
    r"(?![0-9])(?![.,/-][0-9])"
)
_BSN_CUE_8_RE: Final = re.compile(
    r"\b(?:bsn|burgerservicenummer|sofi-?nummer|citizen service number)\b"
    r"[^0-9\n]{0,30}?(?<![0-9])([0-9]{8})(?![0-9])(?![.,/-][0-9])",
    re.IGNORECASE,
)
_MONEY_BEFORE_RE: Final = re.compile(r"(?:€|eur|euro|\$|£)\s*\Z", re.IGNORECASE)


def _find_bsn(text: str, dates: _Spans) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _BSN_RE.finditer(text):
        digits = re.sub(r"[^0-9]", "", m.group())
        if not is_valid_bsn(digits) or dates.overlaps(m.start(), m.end()):
            continue
        if _MONEY_BEFORE_RE.search(text, max(0, m.start() - 6), m.start()):
            continue
        found.append((m.start(), m.end(), "BSN"))
    for m in _BSN_CUE_8_RE.finditer(text):
        if is_valid_bsn("0" + m.group(1)):
            found.append((m.start(1), m.end(1), "BSN"))
    return found


# -------------------------------------------------------------------------------- IBAN

_IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
    "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31,
    "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23,
    "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip


def is_valid_iban(value: str) -> bool:
    """Known country, the exact length for that country, and the ISO 7064 mod-97 check."""
    compact = re.sub(r"[ \u00a0]", "", value).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", compact):
        return False
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


_IBAN_START_RE: Final = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}")


def _find_iban(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _IBAN_START_RE.finditer(text):
        length = _IBAN_LENGTHS.get(m.group()[:2].upper())
        if length is None:
            continue
        count, pos, end = 4, m.end(), m.end()
        while count < length and pos < len(text):
            ch = text[pos]
            if ch.isascii() and ch.isalnum():
                count += 1
                pos += 1
                end = pos
            elif ch in " \u00a0" and pos + 1 < len(text) and text[pos + 1].isalnum():
                pos += 1
            else:
                break
        if count != length:
            continue
        if end < len(text) and text[end].isalnum():
            continue  # the token goes on: not this IBAN
        if is_valid_iban(text[m.start() : end]):
            found.append((m.start(), end, "IBAN"))
    return found


# ------------------------------------------------------------------------------- e-mail

_EMAIL_RE: Final = re.compile(
    r"(?<![\w.+%'-])[\w+%'-]+(?:\.[\w+%'-]+)*"
    r"(?:@|\s?\((?:at|apenstaartje)\)\s?|\s?\[at\]\s?)"
    r"[\w-]+(?:(?:\.|\s?\(dot\)\s?|\s?\[dot\]\s?)[\w-]+)*"
    r"(?:\.|\s?\(dot\)\s?|\s?\[dot\]\s?)[A-Za-z]{2,24}(?![\w-])",
    re.IGNORECASE,
)


def _find_email(text: str) -> list[_Candidate]:
    return [(m.start(), m.end(), "EMAIL") for m in _EMAIL_RE.finditer(text)]


# ------------------------------------------------------------------------------- phone

# Two digits after the leading 0 of a Dutch 10-digit number: geographic area codes (010..079,
# the three-digit ones share their first two digits with these), every 06 number (mobile
# 06-1..06-5 and 06-8 are issued today, but a citizen's "06-61129110" is a phone number with a
# typo or a pager, never anything else), personal/VoIP/company numbers 084, 085, 087, 088 and
# 091. Service numbers (0800, 0900, 0906, 0909) are not in the list.
_NL_PREFIXES: Final[frozenset[str]] = _words(
    """
    10 11 13 15 16 17 18 20 22 23 24 25 26 29 30 31 32 33 34 35 36 38 40 41 43 45 46 47 48 49 50
    51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 84 85
    87 88 91
    """
)
_PSEP: Final = rf"(?:{_SP}?[-./\u2013]{_SP}?|{_SP})"
_PHONE_RE: Final = re.compile(
    r"(?<![\w+])(?<![0-9][-.:])(?:"
    # +31 6 12345678, 0031 20 1234567, +31 (0)20 123 4567, +31 020-1234567
    rf"(?P<intl>(?:\+|00){_SP}?31{_SP}?(?:\(0\){_SP}?|0{_SP}?|[-.]{_SP}?)?"
    rf"\(?[1-9](?:\)?{_PSEP}?[0-9]){{8}})"
    # 0612345678, 06-12 34 56 78, (020) 123 4567, 0111-123456
    rf"|(?P<nat>\(?0[1-9](?:\)?{_PSEP}?[0-9]){{8}})"
    # other countries: +32 2 123 45 67, +44 20 7946 0958
    rf"|(?P<foreign>\+{_SP}?[1-9][0-9]{{0,2}}(?:{_SP}?\(0\))?(?:\)?{_PSEP}?\(?[0-9]){{6,12}})"
    r")(?![0-9])(?![-.][0-9])(?!/[1-9])"
)


# Municipal numbers ("14 020", "14 0592") and service numbers (0800, 0900, 0906, 0909) are
# public lines, never a personal number; a candidate that overlaps one is refused.
_SERVICE_RE: Final = re.compile(
    rf"(?<![0-9])(?:14{_SP}?0[1-9][0-9]{{1,2}}|0(?:800|90[069]){_SP}?-?{_SP}?[0-9]{{4,7}})(?![0-9])"
)


def _phone_span(m: re.Match[str], blocked: _Spans) -> tuple[int, int] | None:
    value, start = m.group(), m.start()
    if value.startswith("(") and ")" not in value:
        value, start = value[1:], start + 1  # "(06-12345678)": the bracket is not the number's
    if value.count("(") != value.count(")") or value.count("(") > 1:
        return None
    if blocked.overlaps(start, m.end()):
        return None
    groups = re.findall(r"[0-9]+", value)
    if len(groups[-1]) < 2:
        return None  # "zaaknummer 010000000 2 keer": a number never ends in a lone digit
    digits = "".join(groups)
    if m.group("intl") is not None:
        national = "0" + re.sub(r"^(?:00)?31", "", digits).removeprefix("0")
        if len(national) != 10 or national[1:3] not in _NL_PREFIXES:
            return None
    elif m.group("nat") is not None:
        if len(digits) != 10 or digits[1:3] not in _NL_PREFIXES:
            return None
        if value.startswith("(") and not re.match(r"\(0[1-9][0-9]{0,2}\)", value):
            return None
    elif not 8 <= len(digits) <= 15 or value.startswith("+31"):
        return None
    return start, m.end()


def _find_phone(text: str, dates: list[tuple[int, int]]) -> list[_Candidate]:
    blocked = _Spans(dates + [m.span() for m in _SERVICE_RE.finditer(text)])
    found: list[_Candidate] = []
    pos = 0
    while (m := _PHONE_RE.search(text, pos)) is not None:
        span = _phone_span(m, blocked)
        if span is None:
            pos = m.start() + 1  # a refused candidate may hide a real number inside it
            continue
        found.append((span[0], span[1], "TELEFOON"))
        pos = span[1]
    return found


# ------------------------------------------------------------------ postcode and address

_HOUSE_NUMBER: Final = (
    rf"[1-9][0-9]{{0,4}}(?:{_SP}?[A-Za-z](?![\w]))?"
    rf"(?:{_SP}?[-/]{_SP}?(?:[0-9]{{1,4}}|[A-Za-z]{{1,4}}|[IVX]{{1,4}})(?![\w]))?(?![\w])"
    r"(?![.,:][0-9])"
)
# Words after a number that show it counts something rather than a house number.
_NOT_A_HOUSE_NUMBER: Final = (
    rf"(?!{_SP}*(?:keer|x\b|maal|jaar|jaren|dag|dagen|week|weken|maand|maanden|uur|minuten|"
    r"min\b|euro|eur\b|%|procent|km\b|meter|m\b|kilo|kg\b|stuks|personen|mensen|kinderen|"
    r"auto'?s|times|days|weeks|months|years|hours|minutes|people|cars))"
)
_POSTCODE_RE: Final = re.compile(
    rf"(?<![\w-])(?<![0-9][.,])[1-9][0-9]{{3}}({_SP}?)([A-Za-z]{{2}})(?![\w])(?![-/.][0-9])"
)
_AFTER_POSTCODE_RE: Final = re.compile(
    rf"(?:{_SP}*,?{_SP}*(?:(?:en|and){_SP}+)?"
    rf"(?:huisnummer|huisnr\.?|house{_SP}+number|nummer|number|nr\.?|no\.?){_SP}*:?{_SP}*"
    rf"|{_SP}*,{_SP}*|{_SP}+)"
    rf"({_HOUSE_NUMBER}){_NOT_A_HOUSE_NUMBER}",
    re.IGNORECASE,
)
_TUSSEN: Final = r"(?:van|de|der|den|het|'t|ter|ten|te|in|op|aan|bij|la|le|du)"
_STREET_WORDS: Final = (
    rf"(?<![\w.])(?:'s-)?[{_UPPER}][a-z\u00df-\u00ff'][\w'-]*\.?"
    rf"(?:{_SP}+(?:{_TUSSEN}{_SP}+){{0,3}}[{_UPPER}][\w'-]*\.?){{0,3}}"
)
_BEFORE_POSTCODE_RE: Final = re.compile(
    rf"(?:(?:(?P<street>{_STREET_WORDS})"
    rf"|(?i:\b(?:huisnummer|huisnr\.?|house{_SP}+number|nummer|number|nr\.?)))"
    rf"{_SP}*:?{_SP}*)(?P<hn>{_HOUSE_NUMBER}){_SP}*[,;]?{_SP}*(?:\r?\n{_SP}*)?"
    rf"(?:(?i:en|and){_SP}+)?"
    rf"(?:(?i:postcode|postal{_SP}+code|zip{_SP}+code|zip){_SP}*:?{_SP}*)?\Z"
)
_STREET_SUFFIX: Final = (
    r"(?:straat|straatweg|laan|weg|plein|gracht|kade|singel|dijk|pad|hof|dreef|steeg|markt|"
    r"plantsoen|baan|ring|wal|burgwal|erf|allee|boulevard|dam|haven|kamp|vaart|vliet|weide|"
    r"zoom|hoven|akker|gaarde|schans|kwartier|oord|street|road|avenue|lane)"
)
_FUNCTION_WORDS: Final = (
    r"(?:Op|In|Aan|Bij|Naar|Voor|Langs|Het|Een|Ik|Wij|We|Mijn|Onze|Via|Vanaf|Tot|Tegenover|"
    r"The|At|On|My|Our|From|To|Near)"
)
_STREET_NUMBER_RE: Final = re.compile(
    rf"(?<![\w.'-])(?!{_FUNCTION_WORDS}\b)"
    rf"(?:[{_UPPER}][a-z\u00df-\u00ff][\w'-]*\.?{_SP}+(?:{_TUSSEN}{_SP}+){{0,2}}){{0,3}}"
    rf"(?:'s-)?[{_UPPER}][\w'-]*?{_STREET_SUFFIX}"
    rf"{_SP}+(?:nr\.?{_SP}*)?{_HOUSE_NUMBER}{_NOT_A_HOUSE_NUMBER}"
)
# Two letters that, written in lower case after four digits, are far more likely a word or a
# unit than a postcode ("in 2024 is", "1500 km").
_LOWER_STOP: Final[frozenset[str]] = _words(
    """
    aa af al an as at be bv by da de do ei en er go he hm if in is it je km kg cm mm ml mb gb kb
    tb me my na no nu of oh ok om on op or ox pm am px so te to uw up us we ze zo ja jr
    """
)
# Upper-case letters that follow a number as a unit or era; only a bare postcode is refused.
_UPPER_UNIT: Final[frozenset[str]] = _words(
    """
    KM KG MB GB KB TB CM MM ML PM AM EU KW MW PK HZ AD BC NM PX AI IT ID TV QR OV HR PC VS
    """
)
_NOT_ISSUED: Final[frozenset[str]] = frozenset({"SA", "SD", "SS"})


def _find_postcode(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _POSTCODE_RE.finditer(text):
        space, letters = m.group(1), m.group(2)
        upper = letters.upper()
        if upper in _NOT_ISSUED:
            continue
        lower_case = letters != upper
        if lower_case and letters.lower() in _LOWER_STOP:
            continue
        start, end = m.start(), m.end()
        before = _BEFORE_POSTCODE_RE.search(text, max(0, start - 120), start)
        if before is not None:
            # "Kerkstraat 12, 1234 AB" from the street; "huisnummer 12, 1234 AB" from the number
            first = before.start() if before.group("street") else before.start("hn")
            found.append((first, end, "POSTCODE_HUISNUMMER"))
            continue
        after = _AFTER_POSTCODE_RE.match(text, end)
        if after is not None:
            found.append((start, after.end(1), "POSTCODE_HUISNUMMER"))
            continue
        if lower_case and space:
            continue  # "1234 ab" without a number is too often not a postcode
        if upper in _UPPER_UNIT:
            continue
        found.append((start, end, "POSTCODE"))
    for m in _STREET_NUMBER_RE.finditer(text):
        found.append((m.start(), m.end(), "POSTCODE_HUISNUMMER"))
    return found


# ------------------------------------------------------------------------- licence plate

_SIDECODES: Final[tuple[str, ...]] = (
    "LL-DD-DD", "DD-DD-LL", "DD-LL-DD", "LL-DD-LL", "LL-LL-DD", "DD-LL-LL", "DD-LLL-D",
    "D-LLL-DD", "LL-DDD-L", "L-DDD-LL", "LLL-DD-L", "L-DD-LLL", "D-LL-DDD", "DDD-LL-D",
)  # fmt: skip


def _sidecode_pattern(code: str, sep: str) -> str:
    groups = []
    for group in code.split("-"):
        kind = "[A-Za-z]" if group[0] == "L" else "[0-9]"
        groups.append(f"{kind}{{{len(group)}}}")
    return sep.join(groups)


_PLATE_DASHED: Final = "|".join(_sidecode_pattern(code, "-") for code in _SIDECODES)
_PLATE_LOOSE: Final = "|".join(_sidecode_pattern(code, rf"[-{_SP[1:-1]}]?") for code in _SIDECODES)
_PLATE_RE: Final = re.compile(rf"(?<![\w-])(?:{_PLATE_DASHED})(?![\w-])")
_PLATE_CUE_RE: Final = re.compile(
    r"\b(?:kenteken(?:plaat|nummer|bewijs)?|nummerbord|(?:licen[cs]e|number|registration)"
    r"[ \t]+plate|plate(?:[ \t]+number)?|registration(?:[ \t]+number)?|reg\.?)\b"
    rf"(?:{_SP}*:{_SP}*|{_SP}+(?:(?:is|was|nummer|number|van|met|mijn|my|de|het|the|"
    rf"auto|car|with|:){_SP}+){{0,4}})"
    rf"((?:{_PLATE_LOOSE}))(?![\w-])",
    re.IGNORECASE,
)


def _find_plate(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _PLATE_RE.finditer(text):
        letters = "".join(ch for ch in m.group() if ch.isalpha())
        if letters.isupper():
            found.append((m.start(), m.end(), "KENTEKEN"))
    for m in _PLATE_CUE_RE.finditer(text):
        found.append((m.start(1), m.end(1), "KENTEKEN"))
    return found


# ------------------------------------------------------------------------- date of birth

# A date after a birth cue, separated by a few filler words: "geboren op", "mijn geboortedatum
# is", "geb.", "DOB:", "born on", "geboren te Utrecht op".
_DOB_RE: Final = re.compile(
    r"(?:\b(?:geboren|geboortedatum|geboorte[ \t-]datum|geb\.?[ \t]?datum|gebdat\.?|geb\.|"
    r"geb\b|born|date[ \t]+of[ \t]+birth|birth[ \t]?date|birthday|d\.o\.b\.?|dob\b)"
    r"(?:[\s:=,()\u2013-]+|(?:is|was|op|on|de|het|the|van|mij|mijn|my|me|ik|i|zijn|his|her|"
    r"haar|namelijk|namely|dd|d\.d\.|of|our|ons|onze|zoon|dochter|kind|son|daughter|child|"
    r"vader|moeder|father|mother|man|vrouw|partner|husband|wife)\b\.?"
    rf"|(?:te|in|at)[ \t]+[{_UPPER}][\w'-]+)"
    r"{0,10}?)"
    rf"(?P<dob1>{_numeric_date('cue')}|{_TEXT_DATE})(?![0-9])"
    # a noun cue may be followed by a short clause, within the same clause:
    # "mijn geboortedatum klopt niet in de BRP: er staat 1-1-1970"
    r"|\b(?:geboortedatum|geboorte[ \t-]datum|geb\.?[ \t]?datum|date[ \t]+of[ \t]+birth"
    r"|birth[ \t]?date|dob)\b[^.,;!?\n0-9]{0,40}?"
    rf"(?<![0-9])(?P<dob3>{_numeric_date('noun')}|{_TEXT_DATE})(?![0-9])"
    # a date followed by "(geb.)" / "(geboortedatum)" / "(DOB)" or by "geboren"
    rf"|(?<![0-9])(?P<dob2>{_numeric_date('tag')}|{_TEXT_DATE})(?![0-9])"
    r"(?=[ \t]*\((?:geb\.?|geboren|geboortedatum|dob|date of birth|born)\)"
    # "ik ben op 12-03-1985 geboren", "die op 3 mei 1950 in Tiel geboren is"
    rf"|{_SP}+(?:(?:in|te){_SP}+[{_UPPER}][\w'-]+{_SP}+)?(?:geboren|born)\b)",
    re.IGNORECASE,
)


def _find_dob(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _DOB_RE.finditer(text):
        group = next(g for g in ("dob1", "dob3", "dob2") if m.group(g) is not None)
        found.append((m.start(group), m.end(group), "GEBOORTEDATUM"))
    return found


# ---------------------------------------------------------------------------------- names

_NAME_CUE_RE: Final = re.compile(
    r"\b(?:"  # every cue starts a word; checking that first keeps the scan fast
    r"(?P<strong>\b(?:(?:mijn|zijn|haar|my|his|her)[ \t]+(?:naam|name)[ \t]+(?:is|was)"
    r"|ik[ \t]+heet|my[ \t]+name's)\b)"
    r"|(?P<inline>"
    r"\b(?:(?:hallo|hoi|goedemorgen|goedemiddag|goedenavond|dag)[ \t]*,?[ \t]+met"
    r"|ik[ \t]+ben|de[ \t]+heer|meneer|mevrouw|juffrouw|heer|familie|beste|geachte|dear"
    r"|hallo|hoi|ten[ \t]+name[ \t]+van)\b"
    r"|\bt\.[ \t]?n\.[ \t]?v\.|\btnv\b"
    r"|(?-i:\bI[ \t]+am\b|\bI'm\b)"
    r"|(?-i:\b(?:[Dd]hr|[Mm]evr|[Mm]w|[Ff]am|Mr|Mrs|Ms|Miss|Dr|[Dd]rs|[Ii]r|[Pp]rof|[Mm]ej)\b\.?)"
    r"|(?-i:\b(?:ing|mr|dr)\.)"
    r")"
    r"|(?P<this>\bthis[ \t]+is\b)"
    r"|(?P<label>\b(?:(?:voor|achter|roep|volledige[ \t]+)?naam|(?:first|last|full|sur)?[ \t]?name"
    r"|contactpersoon|contact[ \t]+person|aanvrager|melder|ondergetekende|applicant|van|from"
    r"|afzender|sender|(?:contact|persoons|klant)?gegevens|(?:contact[ \t]+)?details)[ \t]*:)"
    r"|(?P<closing>(?:\bmet[ \t]+)?(?:\bvriendelijke[ \t]+)?\bgroet(?:en|jes)?(?:[ \t]+van)?\b"
    r"|\bmvg\b"
    r"|\bm\.v\.g\.?|\bgr\.|\bgr\b(?=[ \t]*,)|\bhoogachtend\b"
    r"|\b(?:kind|best|warm)[ \t]+regards\b|\bregards\b"
    r"|\b(?:yours[ \t]+)?sincerely\b|\byours[ \t]+faithfully\b)"
    r"|(?P<thanks>\b(?:thanks|thank[ \t]+you|cheers|dank[ \t]+u|bedankt|alvast[ \t]+bedankt)"
    r"(?=[ \t]*(?:,|!|\r?\n))))",
    re.IGNORECASE,
)
_AFTER_CUE: Final[dict[str, re.Pattern[str]]] = {
    "strong": re.compile(r"[ \t\u00a0]*:?[ \t\u00a0]*"),
    "inline": re.compile(r"[ \t\u00a0]+"),
    "this": re.compile(r"[ \t\u00a0]+"),
    "label": re.compile(r"[ \t\u00a0]*"),
    "closing": re.compile(r"[ \t]*[,.!:]?[ \t]*(?:\r?\n[ \t]*){0,2}"),
    "thanks": re.compile(r"[ \t]*[,!]?[ \t]*(?:\r?\n[ \t]*){0,2}"),
}
_NAME_TOKEN_RE: Final = re.compile(
    rf"[ \t\u00a0]*(?:(?P<initial>[{_UPPER}]\.)(?![a-z\u00df-\u00ff])"
    r"|(?P<word>'t|'s|[dDlL]'(?=[^\W\d_])|[^\W\d_](?:[^\W\d_]|['\u2019-](?=[^\W\d_]))*))"
)
_TUSSENVOEGSELS: Final[frozenset[str]] = _words(
    """
    van de der den ter ten te 't la le du da di del della dos das el al von zu vd v.d. d' l'
    """
)
_TUSSEN_ONLY_INSIDE: Final[frozenset[str]] = frozenset({"in", "op", "het", "'t", "'s"})
# Capitalised words that follow a cue but are not names.
_NOT_A_NAME: Final[frozenset[str]] = _words(
    """
    het een ik wij we ze zij hij u jij je die dat deze dit er hier daar niet geen ook nog wel al
    echt erg heel zeer zo nu dan maar en of want dus als the a an i it this that you he she they
    not no yes ja nee ok oke okay gemeente municipality council city team afdeling department
    kcc klantcontactcentrum burgerzaken balie loket receptie medewerker medewerkster collega
    collegas sir madam mevrouw meneer heer dame heren dames allen allemaal iedereen everyone all
    there hello hi hallo beste dear geachte bedankt dank thanks thank maandag dinsdag woensdag
    donderdag vrijdag zaterdag zondag monday tuesday wednesday thursday friday saturday sunday
    januari februari maart april mei juni juli augustus september oktober november december
    january february march may june july august october nederlander nederlandse nederlands dutch
    english engels brit british duitser duits turks marokkaans surinaams pools ondernemer zzp'er
    zzper student studente gepensioneerd mantelzorger bewoner bewoners inwoner inwoners eigenaar
    huurder huurders vader moeder ouder ouders buurman buurvrouw klant customer resident citizen
    digid mijnoverheid whatsapp google facebook twitter bank ing rabobank abn amro postnl happy
    blij boos teleurgesteld verbaasd disappointed frustrated angry writing contacting sorry
    tevreden ontevreden woedend geschokt benieuwd bang bezorgd zwanger ziek gehandicapt invalide
    werkloos dakloos zelfstandige vrijwilliger writing calling emailing still very really so wmo
    uwv svb cak belastingdienst politie rijksoverheid overheid wethouder burgemeester college
    raad staff support helpdesk servicedesk klantenservice mr mrs ms miss dr drs ir ing prof dhr
    mevr mw fam mej sir polish german turkish moroccan syrian ukrainian french spanish italian
    portuguese american indian chinese belgian european eritrean afghan iraqi somali syrisch
    oekraiens oekraïens belg belgisch frans spaans italiaans amerikaans europees eritrees
    afghaans somalisch indiaas chinees expat immigrant refugee vluchteling statushouder nieuw
    new here also alone still vegan mama papa opa oma
    """
)


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and not (len(word) > 1 and word.isupper())


def _name_end(text: str, pos: int) -> int | None:
    """End offset of a capitalised name that starts at ``pos``, or None when there is none."""
    tokens: list[tuple[str, str, int, int]] = []  # (type, lowered word, start, end)
    cursor = pos
    while len(tokens) < 10:
        m = _NAME_TOKEN_RE.match(text, cursor)
        if m is None:
            break
        if m.group("initial") is not None:
            tokens.append(("initial", m.group("initial"), m.start("initial"), m.end("initial")))
        else:
            word = m.group("word")
            tokens.append(("word", word, m.start("word"), m.end("word")))
        cursor = m.end()

    def is_tussen(i: int) -> bool:
        return tokens[i][0] == "word" and tokens[i][1].lower() in _TUSSENVOEGSELS

    def is_name_word(i: int) -> bool:
        kind, word, _, _ = tokens[i]
        return (
            kind == "word"
            and _is_capitalised(word)
            and word.lower() not in _NOT_A_NAME
            and word.lower() not in _TUSSENVOEGSELS
        )

    i, end, name_words = 0, None, 0
    while i < len(tokens) and tokens[i][0] == "initial":
        i += 1
    while i < len(tokens) and name_words < 4 and is_name_word(i):
        end = tokens[i][3]
        name_words += 1
        i += 1
    # one group of tussenvoegsels followed by a capitalised surname: "van der Berg", "De Vries"
    j = i
    while j < len(tokens) and j - i < 4:
        word = tokens[j][1].lower()
        if (
            is_tussen(j)
            or (j > i and word in _TUSSEN_ONLY_INSIDE)
            or (
                tokens[j][0] == "word"
                and word in {"in", "op"}
                and j + 1 < len(tokens)
                and (is_tussen(j + 1) or tokens[j + 1][1].lower() in _TUSSEN_ONLY_INSIDE)
            )
        ):
            j += 1
        else:
            break
    if j > i and j < len(tokens) and is_name_word(j):
        end = tokens[j][3]
        name_words += 1
    if name_words == 0:
        return None
    return end


# Lower-case words that, after "mijn naam is" / "naam:", say something about the name rather
# than being one ("mijn naam is verkeerd gespeld").
_NOT_A_LOWER_NAME: Final[frozenset[str]] = _NOT_A_NAME | _words(
    """
    is was wordt werd staat stond klopt niet nog steeds verkeerd fout foutief onjuist anders
    bekend onbekend gewijzigd veranderd aangepast goed juist correct verkeerde gespeld
    geschreven vermeld hetzelfde gelijk ook al wel niks niets nergens helaas eigenlijk overal op
    in bij met voor na naar om uit over door aan tot en of maar want dus omdat toen als hier
    daar mijn zijn haar onze uw hun jullie the and or but with on at for to from of by wrong
    misspelled spelled incorrect changed different still also known unknown listed written shown
    same
    """
)
_LOWER_WORD_RE: Final = re.compile(r"[ \t\u00a0]*([^\W\d_]+(?:['\u2019-][^\W\d_]+)*)")


def _lower_name_end(text: str, pos: int) -> int | None:
    """A name typed in lower case after a strong cue: "mijn naam is piet jansen en ..."."""
    end, words, cursor = None, 0, pos
    while words < 4:
        m = _LOWER_WORD_RE.match(text, cursor)
        if m is None:
            break
        word = m.group(1).lower()
        if word in _TUSSENVOEGSELS or word in _TUSSEN_ONLY_INSIDE:
            if end is None and word not in _TUSSENVOEGSELS:
                break
        elif word in _NOT_A_LOWER_NAME or len(word) < 2:
            break
        else:
            end = m.end(1)
            words += 1
        cursor = m.end()
    return end


_AFTER_THIS_IS_RE: Final = re.compile(
    r"[ \t]*(?:[,.!;:)]|$|\b(?:from|of|at|speaking|here|and)\b)", re.IGNORECASE | re.MULTILINE
)
_ANGLE_ADDRESS_RE: Final = re.compile(r"<[ \t]*[\w.+%'-]+(?:@|\(at\))")


def _find_names(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _NAME_CUE_RE.finditer(text):
        group = m.lastgroup
        if group is None:
            continue
        gap = _AFTER_CUE[group].match(text, m.end())
        start = gap.end() if gap is not None else m.end()
        if group == "inline" and start == m.end():
            continue  # "Dhr.Jansen" is fine only with the dot: the cue needs a space otherwise
        end = _name_end(text, start)
        if end is None and group in {"strong", "label"}:
            end = _lower_name_end(text, start)
        if end is not None and group == "this" and not _AFTER_THIS_IS_RE.match(text, end):
            continue  # "this is Tom Bakker from ..." but not "this is Utrecht calling"
        if end is not None:
            found.append((start, end, "NAAM"))
    # mail headers and signatures: "Jan Jansen <jan@example.nl>"
    for m in _ANGLE_ADDRESS_RE.finditer(text):
        seg_end = m.start()
        while seg_end > 0 and text[seg_end - 1] in " \t\"'":
            seg_end -= 1
        seg_start = max(text.rfind(ch, 0, seg_end) for ch in "\n:;,(<>") + 1
        while seg_start < seg_end and text[seg_start] in " \t\"'":
            seg_start += 1
        if seg_start < seg_end and _name_end(text, seg_start) == seg_end:
            found.append((seg_start, seg_end, "NAAM"))
    return found


# ---------------------------------------------------------------------------- public API


def _select(candidates: list[_Candidate], blocked: list[tuple[int, int]]) -> list[Finding]:
    """Non-overlapping findings: the longer candidate wins, then the more specific kind."""
    # taken spans never overlap each other, so sorted starts and ends stay in step
    starts: list[int] = []
    ends: list[int] = []
    kinds: list[str | None] = []
    for start, end in sorted(blocked):
        starts.append(start)
        ends.append(end)
        kinds.append(None)
    for start, end, kind in sorted(candidates, key=lambda c: (c[0] - c[1], _RANK[c[2]], c[0])):
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
    placeholders = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
    candidates: list[_Candidate] = _find_email(text)
    # Every number-bearing kind (BSN, IBAN, phone, date of birth, address, plate) needs a
    # digit: most feedback has none, and these detectors are most of the work.
    if _DIGIT_RE.search(text) is not None:
        dates = [m.span() for m in _DATE_BLOCK_RE.finditer(text)]
        candidates += _find_bsn(text, _Spans(dates))
        candidates += _find_iban(text)
        candidates += _find_phone(text, dates)
        candidates += _find_dob(text)
        candidates += _find_postcode(text)
        candidates += _find_plate(text)
    candidates += _find_names(text)
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
