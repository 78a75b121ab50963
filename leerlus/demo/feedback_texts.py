# SPDX-License-Identifier: EUPL-1.2
"""How a demo signal's text is written, in Dutch or English, in the style of its channel.

A template of the theme is filled from its slots, with now and then a detail sentence, a
second issue, synthetic personal data (about 3 %, to exercise redaction) and a reporter's
prefix; then the channel's manner: e-mail openings and closings, KCC and counter notes,
lower-case chat, social-media handles, and typos. Every choice comes from the ``rng`` given,
so a text is as deterministic as the generator's stream.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from functools import cache
from string import Formatter

from leerlus.demo.feedback_themes import DEMO_THEMES, MERGED_SLOTS, SHARED_SLOTS, DemoTheme, Slots

__all__ = ["dutch_text", "english_text", "fill"]

# Themes whose core sentence may be appended to another message as a second issue.
_SECOND_ISSUE_THEMES: tuple[DemoTheme, ...] = tuple(t for t in DEMO_THEMES if t.second_issue)

_OPENINGS_EMAIL = (
    "Geachte heer/mevrouw,",
    "Beste meneer/mevrouw,",
    "Goedemiddag,",
    "Goedemorgen,",
    "Beste,",
    "Geachte gemeente,",
    "L.S.,",
    "Hallo,",
    "Goedenavond,",
)
_OPENINGS_WEB = ("Hallo,", "Hoi,", "Goedemiddag,", "Goedemorgen,", "Beste gemeente,", "Beste,")
_CLOSINGS = (
    "Met vriendelijke groet",
    "Met vriendelijke groet,",
    "Mvg",
    "Groet,",
    "Gr.",
    "Alvast bedankt!",
    "Alvast dank.",
    "Graag een reactie.",
    "Ik hoor graag van u.",
    "Ik hoop dat jullie hier iets mee doen.",
    "Bvd",
    "Dank u wel.",
    "Hartelijke groet",
    "Bij voorbaat dank.",
)
_PHONE_NOTES = (
    "Mw. belt:",
    "Dhr. belt:",
    "Inwoner belt:",
    "Beller geeft aan:",
    "Telefoonnotitie:",
    "Klant belt:",
    "Notitie KCC:",
)
_COUNTER_NOTES = (
    "Balie:",
    "Aan de balie:",
    "Mw. aan de balie:",
    "Dhr. aan de balie:",
    "Baliecontact:",
    "Klant aan de balie:",
)
_PHONE_ACTIONS = (
    "Doorverbonden met de vakafdeling.",
    "Terugbelverzoek uitgezet.",
    "Uitleg gegeven.",
    "Verwezen naar de website.",
    "Melding aangemaakt.",
    "Klant was niet tevreden.",
    "Klant bedankt voor de uitleg.",
    "Doorgezet naar de backoffice.",
    "Beller was boos.",
    "Geadviseerd het later nog eens te proberen.",
    "Mail met informatie gestuurd.",
)
_COUNTER_ACTIONS = (
    "Ter plekke opgelost.",
    "Formulier meegegeven.",
    "Afspraak ingepland.",
    "Doorverwezen naar de website.",
    "Klant kon niet direct geholpen worden.",
    "Uitgelegd hoe het werkt.",
)
_SOCIAL_PREFIXES = ("@GemVoorbeeldstad", "@gemeentevoorbeeldstad", "Hee @GemVoorbeeldstad,")
_SOCIAL_SUFFIXES = (
    "#Voorbeeldstad",
    "#gemeente",
    "#klantonvriendelijk",
    "#service",
    "Weer eens...",
)
_REPORTER_PREFIXES: dict[str, tuple[str, ...]] = {
    "business": (
        "Namens ons bedrijf:",
        "Als ondernemer in Voorbeeldstad:",
        "Vanuit ons bedrijf:",
        "Namens de vereniging van eigenaren:",
    ),
    "partner": (
        "Namens de woningcorporatie:",
        "Vanuit het wijkteam:",
        "Vanuit de thuiszorg:",
        "Namens Vluchtelingenwerk:",
        "Vanuit de schuldhulpverlening:",
        "Namens een cliënt:",
    ),
    "staff": (
        "Interne melding:",
        "Collega meldt:",
        "Vanuit de backoffice:",
        "Signaal van een collega:",
    ),
}
_SECOND_ISSUE_LEADS = (
    "Ook nog:",
    "En verder:",
    "Daarnaast:",
    "Wat ik ook nog wil melden:",
    "Los daarvan:",
    "PS:",
)
_ENGLISH_OPENINGS = ("Hello,", "Hi,", "Dear Sir or Madam,", "Good afternoon,")
_ENGLISH_CLOSINGS = ("Thanks.", "Kind regards", "Thank you in advance.", "Best regards,")
_MISSPELLINGS: dict[str, str] = {
    "wordt": "word",
    "gebeurt": "gebeurd",
    "eigenlijk": "eigelijk",
    "helemaal": "heelemaal",
    "paspoort": "paspoordt",
    "afspraak": "afsraak",
    "vergunning": "vergunnig",
    "telefoon": "telefon",
    "gemeente": "gemeete",
    "container": "kontainer",
    "bijlage": "bijlagen",
    "uploaden": "uplaoden",
    "natuurlijk": "natuurlijke",
    "alsnog": "als nog",
    "geleegd": "geleegt",
    "geprobeerd": "geprobeert",
}
_PROTECTED_FIRST_WORDS = frozenset(
    {"Wmo", "Chrome", "Safari", "Edge", "Firefox", "Google", "Voorbeeldstad", "MijnGemeente"}
)

# Synthetic personal data, only ever in about 3 % of texts (to exercise redaction).
_FIRST_NAMES = (
    "Jan",
    "Fatima",
    "Sanne",
    "Mohamed",
    "Anouk",
    "Pieter",
    "Kees",
    "Lotte",
    "Daan",
    "Emma",
    "Yusuf",
    "Priya",
    "Wim",
    "Ingrid",
    "Noah",
    "Sophie",
)
_LAST_NAMES = (
    "de Vries",
    "Jansen",
    "Bakker",
    "el Amrani",
    "Visser",
    "Smit",
    "Meijer",
    "de Jong",
    "Yilmaz",
    "van den Berg",
    "Mulder",
    "Bos",
    "Kramer",
    "Peters",
    "Hendriks",
    "van Dijk",
)
_PLATE_LETTERS = "BDFGHJKLNPRSTVXZ"
_POSTCODE_LETTERS = "ABCDEGHJKLMNPRTVWXZ"
_BANKS = ("ABNA", "INGB", "RABO", "SNSB", "ASNB", "TRIO")


@cache
def _compile(template: str) -> tuple[tuple[str, str | None], ...]:
    return tuple(
        (literal, name or None) for literal, name, _spec, _conv in Formatter().parse(template)
    )


def fill(rng: random.Random, template: str, slots: Mapping[str, Sequence[str]]) -> str:
    out: list[str] = []
    for literal, name in _compile(template):
        out.append(literal)
        if name is not None:
            out.append(rng.choice(slots[name]))
    return _cap("".join(out))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower() and first not in _PROTECTED_FIRST_WORDS:
        return text[:1].lower() + text[1:]
    return text


def _bsn(rng: random.Random) -> str:
    """A synthetic citizen service number that passes the 11-check."""
    while True:
        digits = [rng.randint(1, 6)] + [rng.randrange(10) for _ in range(7)]
        total = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return "".join(str(d) for d in digits) + str(last)


def _iban(rng: random.Random) -> str:
    bank = rng.choice(_BANKS)
    account = "".join(str(rng.randrange(10)) for _ in range(10))
    numeric = "".join(str(int(c, 36)) for c in f"{bank}{account}NL00")
    check = 98 - int(numeric) % 97
    iban = f"NL{check:02d}{bank}{account}"
    if rng.random() < 0.5:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


def _phone_number(rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(8))
    style = rng.randrange(3)
    if style == 0:
        return f"06-{digits}"
    if style == 1:
        return f"06 {digits}"
    return f"+31 6 {digits[:4]} {digits[4:]}"


def _personal_data(rng: random.Random) -> str:
    first = rng.choice(_FIRST_NAMES)
    last = rng.choice(_LAST_NAMES)
    kind = rng.choice(
        ("phone", "phone", "email", "email", "name", "name", "bsn", "address", "iban", "plate")
    )
    if kind == "phone":
        return rng.choice(
            (
                "Bel mij gerust op {n}.",
                "Mijn telefoonnummer is {n}.",
                "U kunt mij bereiken op {n}.",
            )
        ).format(n=_phone_number(rng))
    if kind == "email":
        local = f"{first}.{last}".lower().replace(" ", "")
        domain = rng.choice(("example.nl", "example.com", "voorbeeldmail.example"))
        return rng.choice(("Mijn e-mailadres is {m}.", "Mail mij op {m}")).format(
            m=f"{local}@{domain}"
        )
    if kind == "name":
        return rng.choice(
            ("Mijn naam is {n}.", "Met vriendelijke groet, {n}", "Groet, {n}")
        ).format(n=f"{first} {last}")
    if kind == "bsn":
        return rng.choice(("Mijn BSN is {b}.", "BSN: {b}", "Burgerservicenummer {b}.")).format(
            b=_bsn(rng)
        )
    if kind == "address":
        letters = "".join(rng.choice(_POSTCODE_LETTERS) for _ in range(2))
        postcode = f"{rng.randint(1000, 9999)} {letters}"
        street = rng.choice(SHARED_SLOTS["straat"]).removeprefix("de ")
        return rng.choice(
            (
                "Mijn adres is {s} {h}, {p} Voorbeeldstad.",
                "Ik woon op postcode {p}, huisnummer {h}.",
            )
        ).format(s=street, h=rng.randint(1, 180), p=postcode)
    if kind == "iban":
        return f"Mijn rekeningnummer is {_iban(rng)}."
    plate = (
        f"{rng.choice(_PLATE_LETTERS)}{rng.choice(_PLATE_LETTERS)}-"
        f"{rng.randint(100, 999)}-{rng.choice(_PLATE_LETTERS)}"
    )
    return f"Het gaat om kenteken {plate}."


def _typos(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 2)):
        roll = rng.random()
        if roll < 0.15:
            text = text.lower()
            continue
        if roll < 0.25:
            text = text.rstrip(".!?") + rng.choice(("", "!!!", "??", " ..."))
            continue
        words = text.split(" ")
        if roll < 0.45:
            known = [i for i, w in enumerate(words) if w.lower().strip(",.?!") in _MISSPELLINGS]
            if known:
                i = rng.choice(known)
                core = words[i].strip(",.?!")
                words[i] = words[i].replace(core, _MISSPELLINGS[core.lower()])
                text = " ".join(words)
                continue
        candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not candidates:
            continue
        i = rng.choice(candidates)
        word = words[i]
        pos = rng.randrange(1, len(word) - 1)
        if roll < 0.7:
            word = word[: pos - 1] + word[pos] + word[pos - 1] + word[pos + 1 :]
        elif roll < 0.85:
            word = word[:pos] + word[pos + 1 :]
        else:
            word = word[:pos] + word[pos] + word[pos:]
        words[i] = word
        text = " ".join(words)
    return text


def english_text(rng: random.Random, theme: DemoTheme, channel: str, slots: Slots) -> str:
    body = fill(rng, rng.choice(theme.english), slots)
    if channel == "email" and rng.random() < 0.6:
        return f"{rng.choice(_ENGLISH_OPENINGS)}\n\n{body}\n\n{rng.choice(_ENGLISH_CLOSINGS)}"
    if channel == "web_form" and rng.random() < 0.3:
        return f"{rng.choice(_ENGLISH_OPENINGS)} {body}"
    return body


def dutch_text(
    rng: random.Random, theme: DemoTheme, channel: str, reporter: str, slots: Slots
) -> str:
    casual = channel in ("chat", "social_media")
    short = rng.random() < (0.3 if casual else 0.1)
    if short:
        body = [fill(rng, rng.choice(theme.short), slots)]
        n_details = 0 if rng.random() < 0.75 else 1
    else:
        body = [fill(rng, rng.choice(theme.templates), slots)]
        detail_weights = (0.25, 0.45, 0.3) if channel == "email" else (0.45, 0.4, 0.15)
        n_details = rng.choices((0, 1, 2), weights=detail_weights)[0]
        if casual:
            n_details = min(n_details, 1)
    body.extend(fill(rng, d, slots) for d in rng.sample(theme.details, n_details))
    if not short and rng.random() < 0.045:
        other = rng.choice(_SECOND_ISSUE_THEMES)
        if other is not theme:
            sentence = fill(rng, rng.choice(other.templates), MERGED_SLOTS[other.slug])
            body.append(f"{rng.choice(_SECOND_ISSUE_LEADS)} {_lower_first(sentence)}")
    if rng.random() < 0.03:
        body.append(_personal_data(rng))
    if reporter != "citizen" and channel not in ("phone", "counter") and rng.random() < 0.5:
        body[0] = f"{rng.choice(_REPORTER_PREFIXES[reporter])} {_lower_first(body[0])}"
    text = " ".join(body)

    if channel in ("phone", "counter"):
        if rng.random() < 0.6:
            notes = _PHONE_NOTES if channel == "phone" else _COUNTER_NOTES
            text = f"{rng.choice(notes)} {_lower_first(text)}"
            if rng.random() < 0.5:
                actions = _PHONE_ACTIONS if channel == "phone" else _COUNTER_ACTIONS
                text = f"{text} {rng.choice(actions)}"
        typo_p = 0.06
    elif channel == "email":
        if not short and rng.random() < 0.75:
            text = f"{rng.choice(_OPENINGS_EMAIL)}\n\n{text}"
        if not short and rng.random() < 0.7:
            text = f"{text}\n\n{rng.choice(_CLOSINGS)}"
        typo_p = 0.1
    elif channel == "web_form":
        if not short and rng.random() < 0.3:
            text = f"{rng.choice(_OPENINGS_WEB)} {text}"
        if not short and rng.random() < 0.25:
            text = f"{text} {rng.choice(_CLOSINGS)}"
        typo_p = 0.1
    elif channel == "chat":
        if rng.random() < 0.3:
            text = text.lower()
        typo_p = 0.25
    else:  # social media
        if rng.random() < 0.35:
            text = f"{rng.choice(_SOCIAL_PREFIXES)} {_lower_first(text)}"
        if rng.random() < 0.2:
            text = f"{text} {rng.choice(_SOCIAL_SUFFIXES)}"
        typo_p = 0.25
    if rng.random() < typo_p:
        text = _typos(rng, text)
    return text
