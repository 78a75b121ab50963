# SPDX-License-Identifier: EUPL-1.2
"""Detectors of personal data written as numbers and codes: BSN, IBAN, e-mail, phone,
postcode and address, licence plate, date of birth. Each ``find_*`` returns candidates
(start, end, kind); overlaps between them are settled by the entry point."""

from __future__ import annotations

import re
from typing import Final

from .common import SP, TEXT_DATE, UPPER, Candidate, Spans, numeric_date, words

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


def find_bsn(text: str, dates: Spans) -> list[Candidate]:
    found: list[Candidate] = []
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


def find_iban(text: str) -> list[Candidate]:
    found: list[Candidate] = []
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


def find_email(text: str) -> list[Candidate]:
    return [(m.start(), m.end(), "EMAIL") for m in _EMAIL_RE.finditer(text)]


# ------------------------------------------------------------------------------- phone

# Two digits after the leading 0 of a Dutch 10-digit number: geographic area codes (010..079,
# the three-digit ones share their first two digits with these), every 06 number (mobile
# 06-1..06-5 and 06-8 are issued today, but a citizen's "06-61129110" is a phone number with a
# typo or a pager, never anything else), personal/VoIP/company numbers 084, 085, 087, 088 and
# 091. Service numbers (0800, 0900, 0906, 0909) are not in the list.
_NL_PREFIXES: Final[frozenset[str]] = words(
    """
    10 11 13 15 16 17 18 20 22 23 24 25 26 29 30 31 32 33 34 35 36 38 40 41 43 45 46 47 48 49 50
    51 52 53 54 55 56 57 58 59 60 61 62 63 64 65 66 67 68 69 70 71 72 73 74 75 76 77 78 79 84 85
    87 88 91
    """
)
_PSEP: Final = rf"(?:{SP}?[-./\u2013]{SP}?|{SP})"
_PHONE_RE: Final = re.compile(
    r"(?<![\w+])(?<![0-9][-.:])(?:"
    # +31 6 12345678, 0031 20 1234567, +31 (0)20 123 4567, +31 020-1234567
    rf"(?P<intl>(?:\+|00){SP}?31{SP}?(?:\(0\){SP}?|0{SP}?|[-.]{SP}?)?"
    rf"\(?[1-9](?:\)?{_PSEP}?[0-9]){{8}})"
    # 0612345678, 06-12 34 56 78, (020) 123 4567, 0111-123456
    rf"|(?P<nat>\(?0[1-9](?:\)?{_PSEP}?[0-9]){{8}})"
    # other countries: +32 2 123 45 67, +44 20 7946 0958
    rf"|(?P<foreign>\+{SP}?[1-9][0-9]{{0,2}}(?:{SP}?\(0\))?(?:\)?{_PSEP}?\(?[0-9]){{6,12}})"
    r")(?![0-9])(?![-.][0-9])(?!/[1-9])"
)


# Municipal numbers ("14 020", "14 0592") and service numbers (0800, 0900, 0906, 0909) are
# public lines, never a personal number; a candidate that overlaps one is refused.
_SERVICE_RE: Final = re.compile(
    rf"(?<![0-9])(?:14{SP}?0[1-9][0-9]{{1,2}}|0(?:800|90[069]){SP}?-?{SP}?[0-9]{{4,7}})(?![0-9])"
)


def _phone_span(m: re.Match[str], blocked: Spans) -> tuple[int, int] | None:
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


def find_phone(text: str, dates: list[tuple[int, int]]) -> list[Candidate]:
    blocked = Spans(dates + [m.span() for m in _SERVICE_RE.finditer(text)])
    found: list[Candidate] = []
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
    rf"[1-9][0-9]{{0,4}}(?:{SP}?[A-Za-z](?![\w]))?"
    rf"(?:{SP}?[-/]{SP}?(?:[0-9]{{1,4}}|[A-Za-z]{{1,4}}|[IVX]{{1,4}})(?![\w]))?(?![\w])"
    r"(?![.,:][0-9])"
)
# Words after a number that show it counts something rather than a house number.
_NOT_A_HOUSE_NUMBER: Final = (
    rf"(?!{SP}*(?:keer|x\b|maal|jaar|jaren|dag|dagen|week|weken|maand|maanden|uur|minuten|"
    r"min\b|euro|eur\b|%|procent|km\b|meter|m\b|kilo|kg\b|stuks|personen|mensen|kinderen|"
    r"auto'?s|times|days|weeks|months|years|hours|minutes|people|cars))"
)
_POSTCODE_RE: Final = re.compile(
    rf"(?<![\w-])(?<![0-9][.,])[1-9][0-9]{{3}}({SP}?)([A-Za-z]{{2}})(?![\w])(?![-/.][0-9])"
)
_AFTER_POSTCODE_RE: Final = re.compile(
    rf"(?:{SP}*,?{SP}*(?:(?:en|and){SP}+)?"
    rf"(?:huisnummer|huisnr\.?|house{SP}+number|nummer|number|nr\.?|no\.?){SP}*:?{SP}*"
    rf"|{SP}*,{SP}*|{SP}+)"
    rf"({_HOUSE_NUMBER}){_NOT_A_HOUSE_NUMBER}",
    re.IGNORECASE,
)
_TUSSEN: Final = r"(?:van|de|der|den|het|'t|ter|ten|te|in|op|aan|bij|la|le|du)"
_STREET_WORDS: Final = (
    rf"(?<![\w.])(?:'s-)?[{UPPER}][a-z\u00df-\u00ff'][\w'-]*\.?"
    rf"(?:{SP}+(?:{_TUSSEN}{SP}+){{0,3}}[{UPPER}][\w'-]*\.?){{0,3}}"
)
_BEFORE_POSTCODE_RE: Final = re.compile(
    rf"(?:(?:(?P<street>{_STREET_WORDS})"
    rf"|(?i:\b(?:huisnummer|huisnr\.?|house{SP}+number|nummer|number|nr\.?)))"
    rf"{SP}*:?{SP}*)(?P<hn>{_HOUSE_NUMBER}){SP}*[,;]?{SP}*(?:\r?\n{SP}*)?"
    rf"(?:(?i:en|and){SP}+)?"
    rf"(?:(?i:postcode|postal{SP}+code|zip{SP}+code|zip){SP}*:?{SP}*)?\Z"
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
    rf"(?:[{UPPER}][a-z\u00df-\u00ff][\w'-]*\.?{SP}+(?:{_TUSSEN}{SP}+){{0,2}}){{0,3}}"
    rf"(?:'s-)?[{UPPER}][\w'-]*?{_STREET_SUFFIX}"
    rf"{SP}+(?:nr\.?{SP}*)?{_HOUSE_NUMBER}{_NOT_A_HOUSE_NUMBER}"
)
# Two letters that, written in lower case after four digits, are far more likely a word or a
# unit than a postcode ("in 2024 is", "1500 km").
LOWER_STOP: Final[frozenset[str]] = words(
    """
    aa af al an as at be bv by da de do ei en er go he hm if in is it je km kg cm mm ml mb gb kb
    tb me my na no nu of oh ok om on op or ox pm am px so te to uw up us we ze zo ja jr
    """
)
# Upper-case letters that follow a number as a unit or era; only a bare postcode is refused.
_UPPER_UNIT: Final[frozenset[str]] = words(
    """
    KM KG MB GB KB TB CM MM ML PM AM EU KW MW PK HZ AD BC NM PX AI IT ID TV QR OV HR PC VS
    """
)
_NOT_ISSUED: Final[frozenset[str]] = frozenset({"SA", "SD", "SS"})


def find_postcode(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _POSTCODE_RE.finditer(text):
        space, letters = m.group(1), m.group(2)
        upper = letters.upper()
        if upper in _NOT_ISSUED:
            continue
        lower_case = letters != upper
        if lower_case and letters.lower() in LOWER_STOP:
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
_PLATE_LOOSE: Final = "|".join(_sidecode_pattern(code, rf"[-{SP[1:-1]}]?") for code in _SIDECODES)
_PLATE_RE: Final = re.compile(rf"(?<![\w-])(?:{_PLATE_DASHED})(?![\w-])")
_PLATE_CUE_RE: Final = re.compile(
    r"\b(?:kenteken(?:plaat|nummer|bewijs)?|nummerbord|(?:licen[cs]e|number|registration)"
    r"[ \t]+plate|plate(?:[ \t]+number)?|registration(?:[ \t]+number)?|reg\.?)\b"
    rf"(?:{SP}*:{SP}*|{SP}+(?:(?:is|was|nummer|number|van|met|mijn|my|de|het|the|"
    rf"auto|car|with|:){SP}+){{0,4}})"
    rf"((?:{_PLATE_LOOSE}))(?![\w-])",
    re.IGNORECASE,
)


def find_plate(text: str) -> list[Candidate]:
    found: list[Candidate] = []
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
    rf"|(?:te|in|at)[ \t]+[{UPPER}][\w'-]+)"
    r"{0,10}?)"
    rf"(?P<dob1>{numeric_date('cue')}|{TEXT_DATE})(?![0-9])"
    # a noun cue may be followed by a short clause, within the same clause:
    # "mijn geboortedatum klopt niet in de BRP: er staat 1-1-1970"
    r"|\b(?:geboortedatum|geboorte[ \t-]datum|geb\.?[ \t]?datum|date[ \t]+of[ \t]+birth"
    r"|birth[ \t]?date|dob)\b[^.,;!?\n0-9]{0,40}?"
    rf"(?<![0-9])(?P<dob3>{numeric_date('noun')}|{TEXT_DATE})(?![0-9])"
    # a date followed by "(geb.)" / "(geboortedatum)" / "(DOB)" or by "geboren"
    rf"|(?<![0-9])(?P<dob2>{numeric_date('tag')}|{TEXT_DATE})(?![0-9])"
    r"(?=[ \t]*\((?:geb\.?|geboren|geboortedatum|dob|date of birth|born)\)"
    # "ik ben op 12-03-1985 geboren", "die op 3 mei 1950 in Tiel geboren is"
    rf"|{SP}+(?:(?:in|te){SP}+[{UPPER}][\w'-]+{SP}+)?(?:geboren|born)\b)",
    re.IGNORECASE,
)


def find_dob(text: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _DOB_RE.finditer(text):
        group = next(g for g in ("dob1", "dob3", "dob2") if m.group(g) is not None)
        found.append((m.start(group), m.end(group), "GEBOORTEDATUM"))
    return found
