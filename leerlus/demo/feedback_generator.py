"""Deterministic generator of realistic Dutch municipal feedback for "Gemeente Voorbeeldstad".

Pure Python (standard library only, no Django), so the demo loader and the engine benchmarks can
both use it. Every signal carries its hidden true theme (``DemoSignal.theme``) so the pattern
engine can be scored against it; the UI must never show that label as-is.

How the data is made
--------------------
* Each day gets an expected volume per (theme, channel) cell: a base weight per theme, its
  channel mix, weekday profile per channel (Monday phone peak, closed counter in weekends),
  Dutch public holidays, summer and Christmas holidays, theme seasonality (street lighting in
  winter, WOZ objections after the assessments in February, ...), a slow shift from phone and
  counter to web and chat, and the one-off events below. The day's count is Poisson, split over
  the cells in proportion to their expected volume; volume is normalised so that the first year
  averages ``mean_per_day``.
* Every day has its own random stream, seeded from ``(seed, day)``: the output is identical for
  identical arguments, and a shorter run is a prefix of a longer one with the same start.
* Texts come from 8-11 templates per theme with slots, short exclamations, optional detail
  sentences, openings and closings, KCC/counter note style, social-media style, a second issue
  now and then, typos, about 5 % English and about 3 % with synthetic personal data
  (phone numbers, e-mail addresses, 11-check-valid BSNs, postcode + house number, names,
  IBANs, licence plates) to exercise redaction.

Built-in patterns (returned by :func:`demo_events` with the same dates)
----------------------------------------------------------------------
1. Portal release "Nieuwe versie Mijn Gemeente-portaal", ~10 months after start (a Tuesday,
   never in the summer or Christmas holidays): theme ``upload-mislukt`` x4 on web form, phone
   and chat (x2 on e-mail and social media, unchanged at the counter) for 3 weeks, then a
   linear decay back to normal over 3 more weeks. Phone waiting-time complaints
   (``kcc-telefonisch-wachten``) x1.5 in the same 3 weeks.
2. Spring passport rush every year (April-June, ramping in over two weeks from 1 April and out
   in the second half of June, with a smaller tail in July): ``paspoort-afspraak-wachttijd``
   x2.5 on phone, web form and counter (x1.8 elsewhere), ``paspoort-kosten`` x1.5. Passport
   themes do not dip in the summer holidays. Returned as a yearly "policy" event on 1 April.
3. Chatbot pilot (experiment), ~16 months after start (a Monday): the simple-question themes
   (``SIMPLE_QUESTION_THEMES``) fall to 0.6x on the phone (ramping in over two weeks) and rise
   1.6x on chat; the new theme ``chatbot-begrijpt-niet`` appears on chat (double in the first
   three weeks); chat becomes available 24/7 instead of office hours.
4. New waste collection schedule ~7 months after start (a Monday), announced by a campaign two
   weeks before: ``afvalkalender-vragen`` rises from the campaign to x3.5 in the days around
   the change and decays over three weeks; ``container-niet-geleegd`` x1.8 in the first two
   weeks of the new schedule.
5. A maintenance release of the case system ~5 months after start that changes nothing: a
   placebo, so an engine that finds an effect there is wrong.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from string import Formatter

from leerlus.engine.calendar_nl import easter_sunday

__all__ = [
    "CHANNELS",
    "DEPARTMENTS",
    "REPORTER_KINDS",
    "SERVICES",
    "SIMPLE_QUESTION_THEMES",
    "THEMES",
    "DemoEvent",
    "DemoSignal",
    "demo_events",
    "generate_feedback",
]


@dataclass(frozen=True)
class DemoSignal:
    external_id: str
    received_at: datetime
    channel: str
    service: str
    department: str
    reporter_kind: str
    text: str
    rating: int | None
    theme: str


@dataclass(frozen=True)
class DemoEvent:
    slug: str
    kind: str
    title_nl: str
    title_en: str
    occurred_on: date
    description_nl: str
    description_en: str


CHANNELS: tuple[str, ...] = ("web_form", "phone", "counter", "email", "chat", "social_media")
REPORTER_KINDS: tuple[str, ...] = ("citizen", "business", "staff", "partner")

DEPARTMENTS: list[tuple[str, str]] = [
    ("publiekszaken", "Publiekszaken"),
    ("vergunningen", "Vergunningen, Toezicht en Handhaving"),
    ("kcc", "Klantcontactcentrum"),
    ("informatievoorziening", "Informatievoorziening en ICT"),
    ("sociaal-domein", "Sociaal Domein"),
    ("openbare-ruimte", "Openbare Ruimte"),
]

SERVICES: list[tuple[str, str, str]] = [
    ("paspoort-id-kaart", "Paspoort en identiteitskaart", "publiekszaken"),
    ("rijbewijs", "Rijbewijs", "publiekszaken"),
    ("verhuizing", "Verhuizing doorgeven", "publiekszaken"),
    ("belastingen-woz", "Gemeentelijke belastingen en WOZ", "publiekszaken"),
    ("omgevingsvergunning", "Omgevingsvergunning", "vergunningen"),
    ("parkeervergunning", "Parkeervergunning en parkeren", "vergunningen"),
    ("afspraak-maken", "Afspraak maken", "kcc"),
    ("algemene-informatie", "Algemene vragen en informatie", "kcc"),
    ("mijn-gemeente-portaal", "Mijn Gemeente-portaal", "informatievoorziening"),
    ("bijstand", "Bijstandsuitkering", "sociaal-domein"),
    ("wmo-hulp", "Wmo-hulp en voorzieningen", "sociaal-domein"),
    ("afval-inzameling", "Afvalinzameling", "openbare-ruimte"),
    ("openbare-verlichting", "Openbare verlichting", "openbare-ruimte"),
    ("meldingen-openbare-ruimte", "Meldingen openbare ruimte", "openbare-ruimte"),
]

_SERVICE_DEPARTMENT: dict[str, str] = {slug: dept for slug, _name, dept in SERVICES}

UPLOAD_THEME = "upload-mislukt"
PASSPORT_THEME = "paspoort-afspraak-wachttijd"
CHATBOT_THEME = "chatbot-begrijpt-niet"
WASTE_CALENDAR_THEME = "afvalkalender-vragen"
SIMPLE_QUESTION_THEMES: tuple[str, ...] = (
    "openingstijden-vragen",
    "verhuizing-doorgeven",
    WASTE_CALENDAR_THEME,
)

# --------------------------------------------------------------------------------------------
# Themes
# --------------------------------------------------------------------------------------------

Slots = Mapping[str, Sequence[str]]


def _mix(
    web_form: float, phone: float, counter: float, email: float, chat: float, social: float
) -> tuple[float, ...]:
    values = (web_form, phone, counter, email, chat, social)
    total = sum(values)
    return tuple(v / total for v in values)


@dataclass(frozen=True)
class _Theme:
    slug: str
    label_nl: str
    label_en: str
    weight: float
    mix: tuple[float, ...]  # in the order of CHANNELS
    services: Mapping[str, float]
    sentiment: str  # "neg", "neu" or "pos": drives web-form ratings
    templates: tuple[str, ...]
    short: tuple[str, ...]
    details: tuple[str, ...]
    english: tuple[str, ...]
    slots: Slots = field(default_factory=dict)
    service_slots: Mapping[str, Slots] = field(default_factory=dict)
    reporters: Mapping[str, float] | None = None
    months: tuple[float, ...] = (1.0,) * 12
    summer_dip: bool = True
    after_pilot_only: bool = False


_SHARED_SLOTS: dict[str, tuple[str, ...]] = {
    "portaal": (
        "het portaal",
        "Mijn Gemeente",
        "de website",
        "het klantportaal",
        "MijnGemeente",
        "de digitale omgeving",
        "jullie site",
    ),
    "straat": (
        "de Lindelaan",
        "de Kerkstraat",
        "de Molenweg",
        "de Julianastraat",
        "de Beukenlaan",
        "de Dorpsstraat",
        "de Spoorlaan",
        "de Vlietweg",
        "de Prinses Irenestraat",
        "de Eikenhof",
        "de Merelstraat",
        "de Rembrandtlaan",
        "de Havenkade",
        "de Schoolstraat",
    ),
    "plek": (
        "bij de speeltuin",
        "ter hoogte van de Jumbo",
        "voor de basisschool",
        "bij de bushalte",
        "op de hoek bij de bakker",
        "naast de kerk",
        "bij het winkelcentrum",
        "tegenover de sporthal",
        "bij de ingang van het park",
        "achter het station",
    ),
    "wijk": (
        "de Bomenbuurt",
        "het Centrum",
        "Voorbeeldstad-Noord",
        "de Schildersbuurt",
        "Zuidrand",
        "de Vogelwijk",
        "Oosterpark",
    ),
    "dag": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"),
    "apparaat": ("laptop", "telefoon", "iPad", "computer", "tablet"),
    "browser": ("Chrome", "Safari", "Edge", "Firefox"),
}

_THEMES: tuple[_Theme, ...] = (
    _Theme(
        slug=UPLOAD_THEME,
        label_nl="Uploaden van documenten mislukt",
        label_en="Document upload fails in the portal",
        weight=4.0,
        mix=_mix(45, 28, 7, 10, 10, 0),
        services={
            "mijn-gemeente-portaal": 0.6,
            "omgevingsvergunning": 0.2,
            "bijstand": 0.1,
            "parkeervergunning": 0.1,
        },
        reporters={"citizen": 0.85, "business": 0.06, "staff": 0.07, "partner": 0.02},
        sentiment="neg",
        slots={
            "doc": (
                "mijn bijlagen",
                "de documenten",
                "mijn loonstroken",
                "de bouwtekening",
                "een pdf",
                "mijn bankafschriften",
                "de scan van mijn ID",
                "het formulier",
                "een foto van de situatie",
                "de machtiging",
            ),
            "fout": (
                "een foutmelding",
                "de melding 'Er is iets misgegaan'",
                "foutcode 500",
                "een wit scherm",
                "de melding 'bestandstype niet toegestaan'",
                "een rondje dat blijft draaien",
                "de melding dat het bestand te groot is",
            ),
            "poging": (
                "drie keer",
                "al vijf keer",
                "meerdere keren",
                "de hele ochtend",
                "gisteren en vandaag",
                "met twee verschillende browsers",
            ),
            "doc_en": ("my documents", "the payslips", "my passport scan", "the drawing"),
        },
        templates=(
            "Ik probeer {doc} te uploaden in {portaal} maar krijg steeds {fout}.",
            "Uploaden van {doc} lukt niet, ik heb het {poging} geprobeerd.",
            "Bij het toevoegen van {doc} krijg ik {fout}, hierdoor kan ik mijn aanvraag niet "
            "afronden.",
            "Het uploaden in {portaal} blijft hangen op 99%.",
            "Ik kan {doc} niet meesturen, de uploadknop doet helemaal niets.",
            "Na het kiezen van het bestand verschijnt {fout} en is alles wat ik had ingevuld weg.",
            "Waarom kan ik geen bijlage toevoegen? Ik heb {doc} als pdf opgeslagen maar "
            "{portaal} accepteert het niet.",
            "{portaal} weigert {doc}, ook een kleiner bestand geeft {fout}.",
            "De bijlage wordt niet opgeslagen: ik zie {doc} niet terug in mijn overzicht.",
            "Sinds kort lukt het niet meer om bestanden te uploaden via {portaal}.",
            "Ik moest {doc} aanleveren voor mijn aanvraag, maar het uploaden mislukt {poging}.",
        ),
        short=(
            "Uploaden werkt niet!!",
            "upload mislukt",
            "Kan geen bijlage toevoegen.",
            "Bestand uploaden lukt niet",
            "uploaden kapot?",
        ),
        details=(
            "Ik gebruik {browser} op mijn {apparaat}.",
            "De deadline is volgende week, dus ik maak me zorgen.",
            "Moet ik het nu per post opsturen?",
            "Het bestand is maar 2 MB.",
            "Ik heb het ook met een ander bestand geprobeerd, zelfde probleem.",
            "Kunnen jullie dit oplossen of kan ik het mailen?",
            "Zo kan ik mijn aanvraag dus niet indienen.",
        ),
        english=(
            "I cannot upload {doc_en} in the portal, it keeps giving an error.",
            "Uploading documents fails every time, the page just freezes.",
            "The upload button does nothing. How can I send {doc_en}?",
        ),
    ),
    _Theme(
        slug="digid-inloggen",
        label_nl="Inloggen met DigiD lukt niet",
        label_en="DigiD login problems",
        weight=3.5,
        mix=_mix(35, 35, 8, 8, 12, 2),
        services={"mijn-gemeente-portaal": 0.8, "belastingen-woz": 0.1, "bijstand": 0.1},
        sentiment="neg",
        slots={
            "digidstap": (
                "de sms-code",
                "de DigiD app",
                "het scannen van de QR-code",
                "de inlogcode",
                "het koppelen van de app",
            ),
        },
        templates=(
            "Ik kan niet inloggen met DigiD, {digidstap} werkt niet.",
            "Na het inloggen met DigiD kom ik steeds terug op de startpagina van {portaal}.",
            "Inloggen via DigiD mislukt, ik krijg de melding dat mijn sessie verlopen is.",
            "Mijn moeder van 82 heeft geen DigiD en kan dus niets regelen via {portaal}.",
            "Bij het inloggen blijft het scherm wit nadat ik {digidstap} heb gedaan.",
            "Ik krijg de melding 'inloggen geannuleerd' terwijl ik niets heb geannuleerd.",
            "Waarom moet ik elke keer opnieuw inloggen met DigiD als ik een andere pagina open?",
            "De DigiD-koppeling van {portaal} werkt niet, bij andere instanties lukt het wel.",
            "Ik heb een nieuwe telefoon en krijg de DigiD app niet meer aan de praat voor jullie "
            "site.",
            "Inloggen met eHerkenning namens mijn bedrijf lukt niet, ik krijg een foutmelding bij "
            "het kiezen van de machtiging.",
        ),
        short=(
            "DigiD werkt niet",
            "kan niet inloggen!!",
            "Inloggen lukt niet.",
            "DigiD foutmelding",
        ),
        details=(
            "Ik heb het op mijn {apparaat} en op mijn laptop geprobeerd.",
            "Bij de Belastingdienst lukt het gewoon.",
            "Hoe kan ik dan mijn zaken regelen?",
            "Ik word hier echt moe van.",
            "Ik heb al een nieuwe activeringscode aangevraagd.",
        ),
        english=(
            "I can't log in with DigiD, the page keeps loading.",
            "DigiD login fails after scanning the QR code.",
            "After logging in with DigiD I'm sent back to the start page.",
        ),
    ),
    _Theme(
        slug=PASSPORT_THEME,
        label_nl="Wachttijd afspraak paspoort en ID-kaart",
        label_en="Waiting time for passport appointments",
        weight=4.5,
        mix=_mix(30, 35, 20, 5, 5, 5),
        services={"paspoort-id-kaart": 0.6, "afspraak-maken": 0.4},
        sentiment="neg",
        summer_dip=False,
        slots={
            "doc": ("paspoort", "ID-kaart", "identiteitskaart", "reisdocument", "paspoort"),
            "wacht": (
                "zes weken",
                "vijf weken",
                "ruim een maand",
                "acht weken",
                "bijna twee maanden",
            ),
            "reis": (
                "op vakantie",
                "naar Turkije",
                "naar Spanje",
                "op schoolreis",
                "op huwelijksreis",
                "naar familie in Marokko",
                "op reis",
            ),
        },
        templates=(
            "Ik moet mijn {doc} vernieuwen maar de eerste vrije afspraak is pas over {wacht}.",
            "Er zijn geen afspraken meer vrij voor een {doc}, terwijl wij over een maand {reis} "
            "gaan.",
            "Waarom duurt het {wacht} voordat ik terecht kan voor mijn {doc}?",
            "Ik probeer al dagen een afspraak te maken voor een nieuw {doc}, maar de agenda is "
            "helemaal vol.",
            "Kan er niet een extra avondopenstelling komen? Voor een {doc} moet je nu {wacht} "
            "wachten.",
            "Mijn {doc} verloopt binnenkort en ik kan pas over {wacht} terecht, is er een "
            "spoedprocedure?",
            "Wij gaan {reis} en de kinderen hebben een {doc} nodig, maar er is geen plek in de "
            "agenda.",
            "De online agenda voor het aanvragen van een {doc} geeft alleen 'geen tijden "
            "beschikbaar'.",
            "Belachelijk dat je {wacht} moet wachten op een afspraak voor je {doc}.",
            "Kan ik ook in een andere gemeente mijn {doc} aanvragen? Hier is de wachttijd {wacht}.",
        ),
        short=(
            "Geen afspraak mogelijk voor paspoort",
            "paspoort afspraak?? alles vol",
            "Wachttijd paspoort veel te lang!",
        ),
        details=(
            "Ik kijk elke ochtend of er iets vrijkomt.",
            "Vorig jaar ging dit veel sneller.",
            "Ik kan alleen buiten werktijd.",
            "Graag zo snel mogelijk een oplossing.",
            "Mijn vlucht is al geboekt.",
        ),
        english=(
            "I need to renew my passport but there are no appointments for weeks.",
            "No available appointments for an ID card, we travel next month.",
            "Why is the waiting time for a passport appointment so long?",
        ),
    ),
    _Theme(
        slug="paspoort-kosten",
        label_nl="Kosten paspoort en ID-kaart",
        label_en="Passport and ID card fees",
        weight=2.0,
        mix=_mix(25, 25, 35, 8, 2, 5),
        services={"paspoort-id-kaart": 1.0},
        sentiment="neg",
        summer_dip=False,
        slots={
            "doc": ("paspoort", "ID-kaart", "identiteitskaart", "reisdocument"),
            "bedrag": (
                "€ 84",
                "bijna 85 euro",
                "ruim 80 euro",
                "€ 77,50",
                "meer dan 70 euro",
                "€ 58 voor een kind",
            ),
            "wie": ("vier kinderen", "ons hele gezin", "mijn twee kinderen", "drie kinderen"),
            "bedrag_en": ("84 euros", "almost 85 euros", "more than 70 euros"),
        },
        templates=(
            "Waarom kost een {doc} hier {bedrag}? In de buurgemeente is het goedkoper.",
            "Voor {wie} een nieuw {doc} aanvragen kost ons een fortuin.",
            "Ik vind {bedrag} voor een {doc} veel te duur, zeker voor mensen met een klein "
            "inkomen.",
            "Kan ik de kosten van het {doc} in termijnen betalen?",
            "Bij het ophalen van mijn {doc} moest ik {bedrag} pinnen, dat stond nergens duidelijk "
            "op de website.",
            "Is er een korting of regeling voor de kosten van een {doc} als je in de bijstand zit?",
            "De prijs van een {doc} is alweer verhoogd, waarom eigenlijk?",
            "Ik moest opnieuw betalen voor mijn {doc} omdat de foto werd afgekeurd, dat vind ik "
            "niet terecht.",
            "Waarom kan ik bij de balie alleen pinnen en niet contant betalen voor mijn {doc}?",
            "Een spoedaanvraag voor een {doc} kost nog eens extra, dat is toch niet normaal.",
        ),
        short=("Paspoort veel te duur", "leges ID-kaart te hoog!", "Waarom zo duur?"),
        details=(
            "Dit soort kosten zijn voor veel gezinnen niet op te brengen.",
            "Graag uitleg over de hoogte van de leges.",
            "De rijksoverheid bepaalt toch het tarief?",
            "Ik hoor graag of er een tegemoetkoming mogelijk is.",
        ),
        english=(
            "Why does a passport cost {bedrag_en} here?",
            "The fee for an ID card is too high for families.",
            "Can I pay the passport fee in instalments?",
        ),
    ),
    _Theme(
        slug="rijbewijs-verlengen",
        label_nl="Rijbewijs verlengen en ophalen",
        label_en="Driving licence renewal",
        weight=2.5,
        mix=_mix(25, 35, 25, 8, 5, 2),
        services={"rijbewijs": 0.85, "afspraak-maken": 0.15},
        sentiment="neu",
        slots={
            "rb": ("rijbewijs", "rijbewijs B", "groot rijbewijs", "rijbewijs"),
            "cbr": (
                "de gezondheidsverklaring",
                "de keuring van het CBR",
                "de Eigen verklaring",
            ),
        },
        templates=(
            "Mijn {rb} verloopt volgende maand, kan ik het online verlengen?",
            "Ik heb mijn {rb} aangevraagd maar heb nog geen bericht dat het klaarligt.",
            "Het CBR heeft {cbr} nog niet verwerkt, daardoor kan ik mijn {rb} niet verlengen.",
            "Waarom moet ik voor het ophalen van mijn {rb} opnieuw een afspraak maken?",
            "Ik ben mijn {rb} kwijt, wat moet ik doen om een nieuw te krijgen?",
            "Kan iemand anders mijn {rb} ophalen? Ik ben die week in het buitenland.",
            "Bij het aanvragen van mijn {rb} kreeg ik een foutmelding bij het betalen.",
            "Al drie weken wachten op mijn {rb}, ik heb het nodig voor mijn werk.",
            "Mijn pasfoto voor het {rb} werd afgekeurd terwijl hij net gemaakt was bij de "
            "fotograaf.",
        ),
        short=(
            "Rijbewijs nog steeds niet klaar?",
            "rijbewijs verlengen hoe?",
            "Wanneer ligt mijn rijbewijs klaar?",
        ),
        details=(
            "Ik ben beroepschauffeur en kan niet zonder.",
            "Op de site van het CBR staat iets anders dan bij jullie.",
            "Graag snel uitsluitsel.",
            "Mijn oude rijbewijs is al verlopen.",
        ),
        english=(
            "My driving licence expires next month, how do I renew it?",
            "I applied for a new driving licence three weeks ago and heard nothing.",
        ),
    ),
    _Theme(
        slug="verhuizing-doorgeven",
        label_nl="Verhuizing doorgeven",
        label_en="Registering a change of address",
        weight=4.0,
        mix=_mix(30, 40, 15, 7, 8, 0),
        services={"verhuizing": 1.0},
        sentiment="neu",
        slots={
            "wanneer": (
                "per 1 maart",
                "per 1 juni",
                "per 1 september",
                "volgende week",
                "over twee weken",
                "eind deze maand",
            ),
            "sinds": ("vorige maand", "half januari", "de zomer", "drie weken", "1 oktober"),
        },
        templates=(
            "Ik ga {wanneer} verhuizen, hoe geef ik mijn nieuwe adres door?",
            "Hoe lang van tevoren moet ik mijn verhuizing doorgeven?",
            "Ik heb mijn verhuizing online doorgegeven maar nog geen bevestiging ontvangen.",
            "Mijn zoon gaat op kamers, moet hij zich zelf inschrijven op het nieuwe adres?",
            "Kan ik de verhuizing van mijn partner ook doorgeven of moet hij dat zelf doen?",
            "Ik woon sinds {sinds} in Voorbeeldstad, maar sta nog steeds op mijn oude adres "
            "ingeschreven.",
            "Waar geef ik een verhuizing door als ik naar het buitenland vertrek?",
            "Het formulier voor een verhuizing vraagt om een huurcontract, maar dat heb ik nog "
            "niet.",
            "Wij verhuizen {wanneer} binnen de gemeente, moet ik dat ook doorgeven?",
            "Krijg ik automatisch een nieuwe afvalpas als ik mijn verhuizing doorgeef?",
            "Ik wil mijn verhuizing doorgeven maar de hoofdbewoner moet toestemming geven, hoe "
            "werkt dat?",
        ),
        short=("verhuizing doorgeven?", "Hoe geef ik mijn nieuwe adres door", "Adreswijziging"),
        details=(
            "Ik heb geen DigiD.",
            "Moet ik daarvoor langskomen?",
            "Ik hoor het graag.",
            "Op de website kon ik het niet vinden.",
        ),
        english=(
            "I'm moving next month, how do I register my new address?",
            "How do I register my change of address with the municipality?",
        ),
    ),
    _Theme(
        slug="openingstijden-vragen",
        label_nl="Openingstijden en waar vind ik...",
        label_en="Opening hours and where to find things",
        weight=5.0,
        mix=_mix(15, 50, 10, 8, 12, 5),
        services={"algemene-informatie": 0.8, "afspraak-maken": 0.2},
        sentiment="neu",
        slots={
            "loket": (
                "het gemeentehuis",
                "de balie",
                "het stadskantoor",
                "het loket Publiekszaken",
                "de milieustraat",
                "het wijkpunt",
            ),
            "dagdeel": (
                "op zaterdag",
                "tussen de middag",
                "op donderdagavond",
                "met Pinksteren",
                "tijdens de kerstvakantie",
                "op Koningsdag",
            ),
        },
        templates=(
            "Wat zijn de openingstijden van {loket}?",
            "Is {loket} {dagdeel} open?",
            "Hoe laat gaat {loket} dicht?",
            "Moet ik een afspraak maken of kan ik gewoon langskomen bij {loket}?",
            "Waar kan ik parkeren als ik naar {loket} kom?",
            "Is {loket} bereikbaar met de bus?",
            "Tot hoe laat kan ik vandaag nog bellen met de gemeente?",
            "Kan ik {dagdeel} terecht bij {loket}?",
            "Wat is het adres van {loket}?",
            "Ik wil iets afgeven bij {loket}, kan dat zonder afspraak?",
        ),
        short=("openingstijden?", "Hoe laat open?", "Zijn jullie zaterdag open?"),
        details=(
            "Ik werk zelf tot 17.00 uur.",
            "Ik kan het nergens vinden.",
            "Dank alvast.",
            "Graag een kort antwoord.",
        ),
        english=(
            "What are the opening hours of the town hall?",
            "Is the municipal office open on Saturday?",
        ),
    ),
    _Theme(
        slug=WASTE_CALENDAR_THEME,
        label_nl="Vragen over de afvalkalender",
        label_en="Waste collection calendar questions",
        weight=4.0,
        mix=_mix(25, 45, 3, 7, 10, 10),
        services={"afval-inzameling": 1.0},
        sentiment="neu",
        slots={
            "bak": (
                "de groene bak",
                "de GFT-container",
                "de papierbak",
                "de PMD-zak",
                "de grijze container",
                "de oranje bak",
                "de restafvalbak",
            ),
            "bak_en": ("green bin", "paper bin", "plastic waste bag", "grey container"),
        },
        templates=(
            "Wanneer wordt {bak} bij ons opgehaald?",
            "Klopt het dat {bak} voortaan op een andere dag wordt geleegd?",
            "Waar kan ik de afvalkalender vinden?",
            "De afvalkalender in de app klopt niet met wat er op de website staat.",
            "Wordt {bak} ook geleegd op een feestdag?",
            "Hoe laat moet {bak} aan de straat staan?",
            "Ik heb geen papieren afvalkalender ontvangen, kan die worden opgestuurd?",
            "Vanaf wanneer geldt het nieuwe ophaalschema voor {bak}?",
            "Waarom wordt {bak} maar eens in de drie weken opgehaald?",
            "Mag {bak} de avond van tevoren al buiten staan?",
            "Wordt {bak} in {wijk} nu op {dag} opgehaald?",
        ),
        short=("Wanneer wordt het afval opgehaald?", "afvalkalender??", "Welke dag papier?"),
        details=(
            "Ik woon in {wijk}.",
            "Vorig jaar was het nog anders.",
            "De buren weten het ook niet.",
            "In de Afvalwijzer-app staat iets anders.",
        ),
        english=(
            "When is the {bak_en} collected in my street?",
            "Where can I find the waste collection calendar?",
        ),
    ),
    _Theme(
        slug="container-niet-geleegd",
        label_nl="Container niet geleegd",
        label_en="Waste container not emptied",
        weight=6.0,
        mix=_mix(45, 30, 2, 8, 5, 10),
        services={"afval-inzameling": 1.0},
        sentiment="neg",
        months=(1, 1, 1, 1, 1.1, 1.25, 1.25, 1.25, 1.1, 1, 1, 1),
        slots={
            "bak": (
                "de groene bak",
                "de GFT-container",
                "de papierbak",
                "de grijze container",
                "de restafvalbak",
                "onze container",
                "de kliko",
            ),
            "wanneer": (
                "gisteren",
                "vanochtend",
                "afgelopen week",
                "al twee keer",
                "voor de tweede week op rij",
            ),
            "bak_en": ("green bin", "paper bin", "grey container", "bin"),
        },
        templates=(
            "{bak} is {wanneer} niet geleegd terwijl hij gewoon aan de straat stond.",
            "Onze hele straat is overgeslagen, {bak} is niet opgehaald.",
            "{bak} is weer niet geleegd, nu staat hij al een week vol in de zon te stinken.",
            "De vuilniswagen is wel geweest maar heeft {bak} laten staan.",
            "Waarom is {bak} in {straat} {wanneer} niet geleegd?",
            "De ondergrondse container {plek} zit vol en is {wanneer} niet geleegd, er staan nu "
            "zakken naast.",
            "Ik heb {bak} op tijd buiten gezet, maar hij is niet leeggemaakt.",
            "Er zit een sticker op {bak} dat er verkeerd afval in zit, maar dat klopt niet.",
            "De chauffeur heeft {bak} niet geleegd omdat de klep niet dicht was, echt onzin.",
            "De containers in {straat} zijn {wanneer} niet geleegd, wanneer komen jullie alsnog?",
        ),
        short=("Container niet geleegd!!", "bak weer niet geleegd", "Afval niet opgehaald."),
        details=(
            "Het stinkt enorm en de maden zitten erin.",
            "Dit is al de derde keer dit jaar.",
            "Graag alsnog ophalen.",
            "Moet ik de bak nu laten staan?",
            "Er liggen nu vuilniszakken op straat.",
        ),
        english=(
            "Our {bak_en} was not emptied again this week.",
            "The waste truck skipped our street, the bins are still full.",
        ),
    ),
    _Theme(
        slug="grofvuil-ophalen",
        label_nl="Grofvuil laten ophalen",
        label_en="Bulky waste pick-up",
        weight=3.5,
        mix=_mix(40, 40, 3, 10, 5, 2),
        services={"afval-inzameling": 1.0},
        sentiment="neu",
        months=(0.8, 0.8, 1.1, 1.4, 1.4, 1.1, 1, 1, 1, 1, 0.9, 0.8),
        slots={
            "spul": (
                "een oude bank",
                "een matras",
                "een kast",
                "een koelkast",
                "tuinafval",
                "een wasmachine",
                "oud hout",
                "een kapotte stoel",
            ),
            "spul_en": ("an old sofa", "a mattress", "a fridge", "a wardrobe"),
        },
        templates=(
            "Ik wil {spul} laten ophalen als grofvuil, hoe maak ik daarvoor een afspraak?",
            "De grofvuilafspraak was vandaag maar {spul} staat nog steeds buiten.",
            "Waarom kan ik pas over vier weken grofvuil laten ophalen?",
            "Het online formulier voor grofvuil accepteert mijn adres niet.",
            "Hoeveel kost het om {spul} op te laten halen?",
            "Er staat al dagen {spul} {plek}, iemand heeft het gewoon gedumpt.",
            "Mag ik {spul} zelf naar de milieustraat brengen en wat kost dat?",
            "Bij het ophalen van het grofvuil hebben ze {spul} laten staan.",
            "Kan ik grofvuil ook op zaterdag laten ophalen?",
        ),
        short=("Grofvuil niet opgehaald", "grofvuil afspraak?", "Bank ophalen?"),
        details=(
            "Ik heb geen auto om het weg te brengen.",
            "Ik heb de bevestigingsmail nog.",
            "Het staat nu op de stoep in de weg.",
        ),
        english=(
            "How can I book a pick-up for bulky waste like {spul_en}?",
            "The bulky waste pick-up was today but nobody came.",
        ),
    ),
    _Theme(
        slug="straatverlichting-kapot",
        label_nl="Straatverlichting kapot",
        label_en="Broken street lighting",
        weight=3.5,
        mix=_mix(60, 20, 2, 8, 3, 7),
        services={"openbare-verlichting": 1.0},
        sentiment="neg",
        months=(1.5, 1.3, 1.0, 0.8, 0.6, 0.5, 0.5, 0.6, 0.9, 1.3, 1.6, 1.7),
        slots={
            "lamp": (
                "de lantaarnpaal",
                "de straatlantaarn",
                "de straatverlichting",
                "een lantaarnpaal",
                "de lamp van de lantaarnpaal",
            ),
        },
        templates=(
            "{lamp} {plek} in {straat} is kapot.",
            "Al twee weken brandt {lamp} in {straat} niet meer, het is 's avonds aardedonker.",
            "{lamp} voor ons huis knippert de hele nacht.",
            "In {straat} is de hele rij lantaarnpalen uit.",
            "{lamp} brandt overdag wel en 's nachts niet.",
            "Het fietspad langs {straat} is niet verlicht, erg onveilig voor scholieren.",
            "Ik heb {lamp} {plek} al gemeld maar er is nog niets gebeurd.",
            "Er hangt een kap los aan {lamp} in {straat}, gevaarlijk bij harde wind.",
            "Kapotte verlichting in het park {plek}, je ziet geen hand voor ogen.",
        ),
        short=("Lantaarnpaal kapot", "straatlamp doet het niet", "Verlichting uit in {straat}"),
        details=(
            "Mijn dochter fietst hier elke avond langs.",
            "Het voelt echt onveilig.",
            "Het nummer op de paal is niet meer leesbaar.",
            "Graag snel repareren.",
        ),
        english=(
            "The street light in {straat} has been broken for weeks.",
            "Street lights are out in our street, it's very dark at night.",
        ),
    ),
    _Theme(
        slug="gaten-weg-stoep",
        label_nl="Gaten in de weg en losse stoeptegels",
        label_en="Potholes and broken pavement",
        weight=4.0,
        mix=_mix(55, 20, 3, 10, 2, 10),
        services={"meldingen-openbare-ruimte": 1.0},
        sentiment="neg",
        months=(1.2, 1.5, 1.5, 1.1, 0.9, 0.8, 0.8, 0.8, 0.9, 1, 1, 1.1),
        slots={
            "gat": (
                "een groot gat",
                "een diepe kuil",
                "een losliggende stoeptegel",
                "een scheve stoeptegel",
                "een gat in het asfalt",
                "een verzakking",
            ),
        },
        templates=(
            "Er zit {gat} in de weg in {straat} {plek}.",
            "Mijn moeder is gevallen over {gat} op de stoep in {straat}.",
            "{gat} op het fietspad {plek} is levensgevaarlijk.",
            "De stoep in {straat} ligt er slecht bij, met de rollator kom ik er niet langs.",
            "Al maanden zit er {gat} in de weg {plek}, wanneer wordt dit gemaakt?",
            "Ik heb een lekke band door {gat} in {straat}, kan ik de schade verhalen?",
            "Na de werkzaamheden aan de riolering is de bestrating in {straat} niet goed "
            "teruggelegd.",
            "Er staat al weken een afzetting om {gat} {plek} maar er gebeurt niets.",
            "Het water blijft staan in de kuilen in {straat}, je kunt er niet langs zonder natte "
            "voeten.",
            "Door boomwortels liggen de tegels in {straat} helemaal omhoog.",
        ),
        short=("Gat in de weg!", "stoeptegels los", "Kuil in fietspad"),
        details=(
            "Ik heb er een foto van gemaakt.",
            "Er zijn al meer mensen gestruikeld.",
            "Graag met spoed oppakken.",
            "Zeker in het donker zie je het niet.",
        ),
        english=(
            "There is a big pothole in {straat}, dangerous for cyclists.",
            "Loose paving stones on the pavement, my mother tripped.",
        ),
    ),
    _Theme(
        slug="bomen-groen",
        label_nl="Bomen en groenonderhoud",
        label_en="Trees and green maintenance",
        weight=3.5,
        mix=_mix(50, 20, 3, 12, 3, 12),
        services={"meldingen-openbare-ruimte": 1.0},
        sentiment="neg",
        months=(0.7, 0.7, 0.8, 1.1, 1.3, 1.3, 1.1, 1.0, 1.0, 1.4, 1.5, 0.8),
        slots={
            "groen": (
                "het gras",
                "de heg",
                "de struiken",
                "het plantsoen",
                "het groen",
                "de bosjes",
            ),
            "boom": ("een dode boom", "een grote tak", "een boom", "de oude eik"),
        },
        templates=(
            "{groen} in {straat} is al weken niet gemaaid of gesnoeid.",
            "{boom} {plek} hangt gevaarlijk over de weg.",
            "Na de storm ligt er {boom} op het fietspad {plek}.",
            "De bladeren van de bomen in {straat} verstoppen de putten, wanneer worden ze "
            "opgeruimd?",
            "{groen} bij de kruising is zo hoog dat je het verkeer niet meer ziet aankomen.",
            "Waarom zijn de bomen in {straat} gekapt zonder dat de buurt iets wist?",
            "Het onkruid tussen de tegels in {straat} staat kniehoog.",
            "Kan de gemeente {groen} {plek} eens bijhouden? Het ziet er verwaarloosd uit.",
            "De wortels van de boom voor ons huis drukken onze oprit omhoog.",
            "Ik wil graag een geveltuintje aanleggen in {straat}, mag dat?",
        ),
        short=("Gras niet gemaaid", "Boom omgevallen!", "snoeien aub"),
        details=(
            "Er zitten ook veel eikenprocessierupsen in.",
            "Er spelen hier kinderen.",
            "Het is zonde van zo'n mooie wijk.",
            "Graag een reactie wanneer dit gebeurt.",
        ),
        english=(
            "A large tree branch is hanging over the road in {straat}.",
            "The grass in our park hasn't been mowed for weeks.",
        ),
    ),
    _Theme(
        slug="geluidsoverlast",
        label_nl="Geluidsoverlast",
        label_en="Noise nuisance",
        weight=3.0,
        mix=_mix(35, 35, 2, 18, 3, 7),
        services={"meldingen-openbare-ruimte": 1.0},
        sentiment="neg",
        summer_dip=False,
        months=(1.1, 0.9, 0.9, 1.0, 1.1, 1.3, 1.4, 1.3, 1.0, 0.9, 0.9, 1.0),
        slots={
            "bron": (
                "de buren",
                "de bovenburen",
                "een feestje",
                "een café",
                "scooters",
                "een bouwplaats",
                "de hond van de buren",
                "een bedrijf op het industrieterrein",
            ),
            "bron_en": ("the neighbours", "a bar", "a construction site", "scooters"),
        },
        templates=(
            "Al weken veel geluidsoverlast van {bron}, vaak tot diep in de nacht.",
            "Elke nacht herrie van {bron} {plek}, wie kan hier iets aan doen?",
            "Ik word gek van de harde muziek in {straat}.",
            "Elke ochtend om 6 uur begint het lawaai van {bron} al.",
            "Wij hebben overlast van {bron} en de politie verwijst ons naar de gemeente.",
            "Wat kan ik doen tegen geluidsoverlast van {bron}? Praten helpt niet.",
            "Er wordt in {straat} elk weekend tot 3 uur 's nachts feest gevierd.",
            "Is zoveel herrie van {bron} op zondag eigenlijk toegestaan?",
            "Ik heb al drie keer een melding gedaan over {bron}, maar er komt nooit een handhaver "
            "kijken.",
        ),
        short=("Geluidsoverlast!!", "herrie buren", "Lawaai elke nacht"),
        details=(
            "Ik slaap al weken slecht.",
            "Ik heb twee kleine kinderen die niet kunnen slapen.",
            "Andere buren klagen ook.",
            "Graag handhaving sturen.",
        ),
        english=(
            "Constant noise from {bron_en} every night.",
            "The neighbours play loud music until 3 am, what can the municipality do?",
        ),
    ),
    _Theme(
        slug="parkeervergunning-kosten",
        label_nl="Kosten parkeervergunning",
        label_en="Parking permit costs",
        weight=2.5,
        mix=_mix(30, 25, 15, 20, 5, 5),
        services={"parkeervergunning": 1.0},
        reporters={"citizen": 0.8, "business": 0.15, "staff": 0.02, "partner": 0.03},
        sentiment="neg",
        months=(1.6, 1.2, 1, 1, 1, 1, 0.9, 0.9, 1, 1, 1, 1.1),
        slots={
            "verg": (
                "parkeervergunning",
                "bewonersvergunning",
                "bezoekersvergunning",
                "tweede parkeervergunning",
                "bedrijfsvergunning",
            ),
            "prijs": (
                "€ 150 per jaar",
                "bijna 300 euro",
                "het dubbele van vorig jaar",
                "€ 25 per maand",
            ),
            "prijs_en": ("150 euros a year", "almost 300 euros", "twice as much"),
        },
        templates=(
            "Waarom kost een {verg} ineens {prijs}?",
            "De prijs van de {verg} is flink verhoogd zonder dat de bewoners iets is gevraagd.",
            "Ik betaal {prijs} voor een {verg} en kan alsnog nooit parkeren in mijn eigen straat.",
            "Moet ik echt betalen voor een {verg} voor mijn mantelzorger?",
            "Kan ik de {verg} per maand betalen in plaats van per jaar?",
            "Ik krijg het bezoekerstegoed niet geactiveerd en moet nu alsnog betalen.",
            "Is er een korting op de {verg} voor mensen met een laag inkomen?",
            "Ik heb mijn {verg} opgezegd maar er wordt nog steeds geld afgeschreven.",
            "{prijs} voor een {verg} is gewoon een extra belasting.",
        ),
        short=("Parkeervergunning te duur", "waarom zo duur parkeren?", "Kosten vergunning!"),
        details=(
            "Er is nauwelijks plek in de wijk.",
            "Mijn buren zijn het er ook niet mee eens.",
            "Graag een toelichting op de tarieven.",
        ),
        english=(
            "Why does a resident parking permit cost {prijs_en} now?",
            "The parking permit fee doubled this year.",
        ),
    ),
    _Theme(
        slug="parkeerboete",
        label_nl="Parkeerboetes en bezwaar",
        label_en="Parking fines",
        weight=3.0,
        mix=_mix(35, 25, 10, 25, 2, 3),
        services={"parkeervergunning": 1.0},
        sentiment="neg",
        slots={
            "boete": (
                "een parkeerboete",
                "een naheffingsaanslag",
                "een bon",
                "een boete van € 75",
            ),
            "reden": (
                "terwijl ik gewoon had betaald via de app",
                "terwijl mijn vergunning geldig is",
                "terwijl de parkeerautomaat kapot was",
                "omdat mijn kenteken verkeerd in het systeem stond",
                "terwijl ik er maar vijf minuten stond",
            ),
        },
        templates=(
            "Ik heb {boete} gekregen {reden}.",
            "Hoe kan ik bezwaar maken tegen {boete}?",
            "Onterecht {boete} op mijn auto, {reden}.",
            "Ik kreeg {boete} voor de deur van mijn eigen huis, {reden}.",
            "De parkeerautomaat in {straat} neemt geen pinpas aan en nu heb ik {boete}.",
            "Mijn bezwaar tegen {boete} is afgewezen zonder dat iemand naar de foto heeft gekeken.",
            "Waarom krijg ik {boete} als mijn gehandicaptenparkeerkaart achter de ruit ligt?",
            "De handhaver was onvriendelijk en schreef {boete} uit {reden}.",
            "Ik heb {boete} al betaald maar krijg nu toch een aanmaning.",
        ),
        short=("Onterechte parkeerboete!", "bon terwijl ik betaald had", "Bezwaar parkeerboete"),
        details=(
            "Ik heb een screenshot van de betaling.",
            "Dit is echt oplichterij.",
            "Graag de boete intrekken.",
            "Ik wacht al zes weken op een reactie op mijn bezwaar.",
        ),
        english=(
            "I received a parking fine although I paid via the app.",
            "How do I object to a parking fine?",
        ),
    ),
    _Theme(
        slug="omgevingsvergunning-doorlooptijd",
        label_nl="Doorlooptijd omgevingsvergunning",
        label_en="Building permit processing time",
        weight=3.0,
        mix=_mix(25, 30, 10, 30, 3, 2),
        services={"omgevingsvergunning": 1.0},
        reporters={"citizen": 0.62, "business": 0.28, "staff": 0.02, "partner": 0.08},
        sentiment="neg",
        slots={
            "bouw": (
                "een dakkapel",
                "een uitbouw",
                "een schuur",
                "de verbouwing",
                "een carport",
                "een nieuwe woning",
                "het kappen van een boom",
                "een erfafscheiding",
            ),
            "tijd": (
                "al twaalf weken",
                "ruim drie maanden",
                "al een half jaar",
                "al acht weken",
                "sinds januari",
            ),
            "tijd_en": ("three months", "half a year", "twelve weeks"),
        },
        templates=(
            "Mijn aanvraag omgevingsvergunning voor {bouw} ligt {tijd} bij jullie zonder reactie.",
            "De wettelijke termijn voor de vergunning voor {bouw} is verlopen, hoe zit het nu?",
            "Ik wacht {tijd} op een besluit over {bouw}, de aannemer kan niet beginnen.",
            "Waarom wordt de beslistermijn voor mijn vergunning voor {bouw} weer verlengd?",
            "Er is om aanvullende gegevens gevraagd voor {bouw} maar ik had alles al aangeleverd.",
            "Niemand kan mij vertellen wat de status is van mijn omgevingsvergunning.",
            "De aanvraag voor {bouw} is via het Omgevingsloket ingediend, sindsdien niets meer "
            "gehoord.",
            "Door de lange doorlooptijd van de vergunning voor {bouw} lopen onze kosten flink op.",
            "Is mijn vergunningaanvraag voor {bouw} nu van rechtswege verleend?",
            "Ik krijg steeds een andere behandelaar voor mijn vergunning, en iedereen zegt iets "
            "anders.",
        ),
        short=("Status vergunning?", "Vergunning duurt veel te lang", "Wanneer een besluit?"),
        details=(
            "De aannemer heeft ons al twee keer moeten verzetten.",
            "Het zaaknummer staat in mijn mail.",
            "Graag een concrete datum.",
            "Dit kost ons duizenden euro's.",
        ),
        english=(
            "My building permit application has been pending for {tijd_en}.",
            "When will you decide on my permit for an extension?",
        ),
    ),
    _Theme(
        slug="onduidelijke-brief",
        label_nl="Onduidelijke brieven en ambtelijke taal",
        label_en="Unclear letters and jargon",
        weight=3.0,
        mix=_mix(20, 40, 20, 15, 3, 2),
        services={
            "belastingen-woz": 0.35,
            "bijstand": 0.25,
            "wmo-hulp": 0.25,
            "parkeervergunning": 0.15,
        },
        reporters={"citizen": 0.86, "business": 0.02, "staff": 0.02, "partner": 0.1},
        sentiment="neg",
        slots={
            "brief": (
                "de brief over mijn aanslag",
                "de beschikking",
                "de brief over de Wmo",
                "het besluit over mijn uitkering",
                "de brief over de herbeoordeling",
                "de aanmaning",
                "de brief van de afdeling Belastingen",
            ),
        },
        templates=(
            "Ik snap niets van {brief}, wat moet ik nu doen?",
            "{brief} staat vol ambtelijke taal, kan het niet in gewoon Nederlands?",
            "In {brief} staat een termijn maar niet wanneer die ingaat.",
            "Mijn vader kreeg {brief} en begrijpt er niets van, hij is erg ongerust.",
            "Wat betekent 'rechtsmiddelenclausule' in {brief}?",
            "{brief} is vier kantjes lang en nergens staat wat ik moet doen.",
            "Ik heb {brief} drie keer gelezen maar weet nog steeds niet of ik moet betalen.",
            "Waarom krijg ik {brief} alleen digitaal in de Berichtenbox? Die lees ik nooit.",
            "Kunnen jullie {brief} uitleggen? Er staan allemaal artikelnummers in.",
            "Er staan in {brief} twee verschillende bedragen, welke klopt?",
        ),
        short=("Brief onduidelijk", "Wat bedoelen jullie met deze brief?", "snap de brief niet"),
        details=(
            "Ik ben laaggeletterd en heb hulp nodig.",
            "Nederlands is niet mijn eerste taal.",
            "Mijn buurvrouw snapte het ook niet.",
            "Kan iemand mij terugbellen om het uit te leggen?",
        ),
        english=(
            "I received a letter from the municipality and I don't understand it.",
            "Could you send the letter in English? The Dutch is very formal.",
        ),
    ),
    _Theme(
        slug="woz-bezwaar",
        label_nl="Bezwaar tegen de WOZ-waarde",
        label_en="WOZ valuation objections",
        weight=2.0,
        mix=_mix(45, 20, 5, 25, 3, 2),
        services={"belastingen-woz": 1.0},
        sentiment="neg",
        slots={
            "waarde": (
                "€ 40.000 te hoog",
                "veel te hoog",
                "hoger dan de verkoopprijs",
                "30 procent gestegen",
                "hoger dan die van de buren",
            ),
        },
        templates=(
            "Ik wil bezwaar maken tegen de WOZ-waarde van mijn woning, die is {waarde}.",
            "De WOZ-waarde is {waarde}, terwijl er veel achterstallig onderhoud is.",
            "Hoe kan ik de taxatiegegevens van mijn WOZ-beschikking inzien?",
            "Mijn bezwaar tegen de WOZ-waarde is al maanden niet behandeld.",
            "Waarom is de WOZ-waarde van mijn huis {waarde}?",
            "Ik wil zelf bezwaar maken tegen de WOZ, zonder zo'n no-cure-no-pay bureau. Hoe doe "
            "ik dat?",
            "De vergelijkingspanden in het taxatieverslag lijken helemaal niet op mijn huis.",
            "Het bezwaarformulier voor de WOZ geeft een foutmelding bij het versturen.",
            "De WOZ-beschikking noemt de verkeerde oppervlakte van mijn woning.",
        ),
        short=("Bezwaar WOZ", "WOZ veel te hoog!", "WOZ-waarde klopt niet"),
        details=(
            "Ik heb een taxatierapport van een makelaar.",
            "Het dak moet nodig vervangen worden.",
            "Graag een inpandige taxatie.",
            "De buren zitten een stuk lager.",
        ),
        english=(
            "I want to object to the WOZ value of my house.",
            "The WOZ valuation of my home is much too high.",
        ),
    ),
    _Theme(
        slug="betalingsregeling-belastingen",
        label_nl="Betalingsregeling en kwijtschelding gemeentelijke belastingen",
        label_en="Municipal tax payment plans and remission",
        weight=2.5,
        mix=_mix(30, 40, 10, 15, 5, 0),
        services={"belastingen-woz": 1.0},
        sentiment="neg",
        months=(0.8, 1.0, 1.6, 1.6, 1.4, 1.0, 0.8, 0.8, 0.9, 0.9, 0.9, 0.8),
        slots={
            "aanslag": (
                "de aanslag gemeentelijke belastingen",
                "de afvalstoffenheffing",
                "de rioolheffing",
                "de OZB",
                "de aanslag van dit jaar",
            ),
        },
        templates=(
            "Ik kan {aanslag} niet in één keer betalen, kan ik een betalingsregeling treffen?",
            "Hoe vraag ik kwijtschelding aan voor {aanslag}?",
            "Ik heb een betalingsregeling aangevraagd maar toch een aanmaning gekregen.",
            "De automatische incasso voor {aanslag} is niet afgeschreven, wat nu?",
            "Waarom kan ik {aanslag} maar in tien termijnen betalen en niet in twaalf?",
            "Mijn verzoek om kwijtschelding voor {aanslag} is afgewezen, maar ik leef van een "
            "minimuminkomen.",
            "Ik wil {aanslag} in termijnen betalen maar het formulier werkt niet.",
            "Er is twee keer een termijn voor {aanslag} afgeschreven.",
            "Kan de betalingsregeling voor {aanslag} even stil worden gezet? Ik heb tijdelijk geen "
            "inkomen.",
        ),
        short=("Betalingsregeling aub", "kwijtschelding?", "Kan de aanslag niet betalen"),
        details=(
            "Ik heb schulden en zit in de schuldhulpverlening.",
            "Ik wil het echt betalen, maar niet alles tegelijk.",
            "Graag snel een reactie vanwege de aanmaning.",
        ),
        english=(
            "Can I pay my municipal taxes in instalments?",
            "I can't pay the tax assessment at once, is there a payment plan?",
        ),
    ),
    _Theme(
        slug="wmo-wachttijd",
        label_nl="Wachttijd Wmo-hulp",
        label_en="Delays in Wmo social support",
        weight=3.0,
        mix=_mix(15, 45, 10, 25, 2, 3),
        services={"wmo-hulp": 1.0},
        reporters={"citizen": 0.8, "business": 0.01, "staff": 0.04, "partner": 0.15},
        sentiment="neg",
        slots={
            "voorz": (
                "huishoudelijke hulp",
                "een traplift",
                "een scootmobiel",
                "begeleiding",
                "een rolstoel",
                "een aanpassing in de badkamer",
                "dagbesteding",
            ),
            "tijd": ("twaalf weken", "drie maanden", "een half jaar", "acht weken", "tien weken"),
            "tijd_en": ("three months", "twelve weeks", "half a year"),
        },
        templates=(
            "Mijn moeder wacht al {tijd} op een keukentafelgesprek voor {voorz}.",
            "Ik heb {tijd} geleden een Wmo-aanvraag gedaan voor {voorz} en nog niets gehoord.",
            "Door de wachtlijst voor {voorz} kan mijn vader niet meer zelfstandig thuis wonen.",
            "De indicatie voor {voorz} is verlopen en de herindicatie duurt eindeloos.",
            "Wij hebben een toekenning voor {voorz}, maar de zorgaanbieder heeft geen personeel.",
            "Waarom duurt de levering van {voorz} zo lang? Er is al {tijd} een besluit.",
            "Ik ben mantelzorger en loop vast: niemand bij het Wmo-loket neemt de telefoon op.",
            "Het wijkteam zou terugbellen over {voorz}, maar dat is nooit gebeurd.",
            "Sinds de nieuwe zorgaanbieder is {voorz} zonder uitleg gehalveerd.",
        ),
        short=("Wmo duurt te lang", "wachten op huishoudelijke hulp", "Nog steeds geen traplift"),
        details=(
            "Ze is 87 en woont alleen.",
            "Ik kan dit als mantelzorger niet meer volhouden.",
            "Graag met spoed contact.",
            "Ik voel me van het kastje naar de muur gestuurd.",
        ),
        english=(
            "My mother has been waiting {tijd_en} for home care via the Wmo.",
            "We applied for a stairlift months ago and heard nothing.",
        ),
    ),
    _Theme(
        slug="uitkering-te-laat",
        label_nl="Uitkering te laat of niet betaald",
        label_en="Benefit payment late",
        weight=2.5,
        mix=_mix(15, 50, 15, 15, 3, 2),
        services={"bijstand": 1.0},
        reporters={"citizen": 0.88, "business": 0.0, "staff": 0.02, "partner": 0.1},
        sentiment="neg",
        slots={
            "uitk": (
                "mijn uitkering",
                "mijn bijstandsuitkering",
                "het voorschot op mijn uitkering",
                "de bijzondere bijstand",
            ),
        },
        templates=(
            "{uitk} is deze maand nog steeds niet gestort.",
            "Waarom is {uitk} te laat? Ik moet de huur betalen.",
            "Ik heb {uitk} niet ontvangen en kan nu geen boodschappen doen.",
            "{uitk} is lager uitbetaald dan normaal zonder dat ik een brief heb gekregen.",
            "Al twee maanden komt {uitk} later dan de 25e, wat is er aan de hand?",
            "Ik heb mijn inkomstenformulier op tijd ingeleverd, toch is {uitk} niet uitbetaald.",
            "Mijn klantmanager reageert niet en {uitk} blijft uit.",
            "Is er een storing? {uitk} staat nog niet op mijn rekening.",
            "Mijn aanvraag voor bijstand loopt al zeven weken, wanneer krijg ik een besluit?",
        ),
        short=("Uitkering niet ontvangen", "Waar blijft mijn geld?", "bijstand te laat!!"),
        details=(
            "Ik heb twee kinderen en niets meer in huis.",
            "De verhuurder dreigt met een incassobureau.",
            "Graag vandaag nog contact.",
            "Dit is al de tweede keer.",
        ),
        english=(
            "My social assistance payment has not arrived this month.",
            "Why is my benefit paid late again?",
        ),
    ),
    _Theme(
        slug="kcc-telefonisch-wachten",
        label_nl="Lang wachten aan de telefoon",
        label_en="Phone waiting time at the contact centre",
        weight=3.0,
        mix=_mix(35, 5, 10, 20, 5, 25),
        services={"algemene-informatie": 0.85, "afspraak-maken": 0.15},
        sentiment="neg",
        slots={
            "wacht": (
                "45 minuten",
                "meer dan een half uur",
                "20 minuten",
                "een uur",
                "drie kwartier",
            ),
            "wacht_en": ("45 minutes", "half an hour", "an hour"),
        },
        templates=(
            "Ik heb vanochtend {wacht} in de wacht gestaan bij het algemene nummer.",
            "Ik hing {wacht} in de wacht en toen werd de verbinding verbroken.",
            "De gemeente is onbereikbaar, ik sta steeds {wacht} in de wacht.",
            "Waarom duurt het {wacht} voordat je iemand aan de telefoon krijgt?",
            "Ik ben drie keer doorverbonden en moest telkens opnieuw mijn verhaal doen.",
            "Er zou binnen twee werkdagen worden teruggebeld, maar niemand heeft gebeld.",
            "Het keuzemenu is veel te lang, je zit {wacht} aan de telefoon voor een simpele vraag.",
            "Na {wacht} wachten kreeg ik te horen dat ik beter kon mailen.",
            "De gemeente is telefonisch nauwelijks bereikbaar, zeker op maandagochtend.",
            "Ik kreeg de melding 'wij zijn momenteel niet bereikbaar' tijdens de openingstijden.",
        ),
        short=("Telefonisch onbereikbaar!", "{wacht} in de wacht...", "Niemand neemt op"),
        details=(
            "Mijn beltegoed is op.",
            "Dit is toch geen service.",
            "Ik heb mijn werk ervoor onderbroken.",
            "Graag terugbellen.",
        ),
        english=(
            "I waited {wacht_en} on the phone and got disconnected.",
            "The municipality is impossible to reach by phone.",
        ),
    ),
    _Theme(
        slug="compliment-medewerker",
        label_nl="Compliment voor een medewerker",
        label_en="Compliments for friendly staff",
        weight=4.0,
        mix=_mix(30, 15, 25, 15, 5, 10),
        services={
            "paspoort-id-kaart": 0.25,
            "algemene-informatie": 0.25,
            "wmo-hulp": 0.15,
            "afval-inzameling": 0.1,
            "verhuizing": 0.1,
            "rijbewijs": 0.1,
            "omgevingsvergunning": 0.05,
        },
        sentiment="pos",
        slots={
            "mw": ("de medewerker", "de mevrouw", "de meneer", "jullie collega"),
        },
        service_slots={
            "paspoort-id-kaart": {
                "mw": (
                    "de medewerker aan de balie",
                    "de baliemedewerker van Publiekszaken",
                    "de mevrouw bij de paspoortbalie",
                ),
            },
            "algemene-informatie": {
                "mw": (
                    "de mevrouw aan de telefoon",
                    "de meneer van het KCC",
                    "de medewerker van het klantcontactcentrum",
                ),
            },
            "wmo-hulp": {
                "mw": (
                    "de medewerker van het wijkteam",
                    "de Wmo-consulent",
                    "de consulent die bij ons thuis kwam",
                ),
            },
            "afval-inzameling": {
                "mw": (
                    "de medewerker van de milieustraat",
                    "de chauffeur van de vuilniswagen",
                    "de mannen van de grofvuilophaaldienst",
                ),
            },
            "verhuizing": {"mw": ("de medewerker van Burgerzaken", "de mevrouw aan de balie")},
            "rijbewijs": {"mw": ("de medewerker bij de rijbewijsbalie", "de baliemedewerker")},
            "omgevingsvergunning": {
                "mw": ("de vergunningverlener", "de behandelaar van mijn aanvraag"),
            },
        },
        templates=(
            "Compliment voor {mw}, ik werd heel vriendelijk geholpen.",
            "Wat fijn dat {mw} de tijd nam om alles uit te leggen.",
            "{mw} heeft mij super geholpen, dank daarvoor!",
            "Ik wil even laten weten dat {mw} erg geduldig was met mijn moeder.",
            "Top service vandaag, binnen vijf minuten geholpen.",
            "Het ging snel en soepel, mijn complimenten.",
            "Heel behulpzaam en vriendelijk, zo zie je het graag bij de gemeente.",
            "{mw} dacht echt met mij mee en heeft zelf nog iets voor me uitgezocht.",
            "Eindelijk een gemeente die luistert, bedankt aan {mw}.",
            "Ik kwam boos binnen maar {mw} heeft het heel netjes opgelost.",
        ),
        short=("Top geholpen, bedankt!", "Vriendelijke medewerker!", "Goed geregeld 👍"),
        details=(
            "Geef die persoon een bloemetje.",
            "Vaak hoor je alleen klachten, dus bij deze.",
            "Echt een aanwinst voor de gemeente.",
        ),
        english=(
            "Very friendly and helpful staff, thank you!",
            "The lady on the phone was very helpful, thanks.",
        ),
    ),
    _Theme(
        slug=CHATBOT_THEME,
        label_nl="Chatbot begrijpt de vraag niet",
        label_en="Chatbot does not understand",
        weight=3.0,
        mix=_mix(5, 0, 0, 0, 90, 5),
        services={"algemene-informatie": 1.0},
        sentiment="neg",
        after_pilot_only=True,
        slots={
            "vraag": (
                "mijn afvalpas",
                "een parkeervergunning",
                "mijn verhuizing",
                "de openingstijden",
                "het verzetten van een afspraak",
                "kwijtschelding",
            ),
        },
        templates=(
            "De chatbot begrijpt mijn vraag over {vraag} niet.",
            "Ik krijg van de chatbot steeds hetzelfde antwoord dat niets met {vraag} te maken "
            "heeft.",
            "Ik wil met een mens praten, niet met een chatbot.",
            "Hoe kom ik bij een echte medewerker? De digitale assistent stuurt me in cirkels rond.",
            "De chatbot zegt 'dat begrijp ik niet, kun je je vraag anders stellen' en dat al vijf "
            "keer.",
            "De chatbot verwijst naar een pagina die niet bestaat.",
            "Ik vroeg naar {vraag} en kreeg een link over hondenbelasting.",
            "Die nieuwe chatassistent is echt nutteloos als het over {vraag} gaat.",
            "Het gesprek met de chatbot werd halverwege afgebroken en ik moest opnieuw beginnen.",
        ),
        short=("Chatbot snapt het niet", "medewerker aub", "Mens spreken!!"),
        details=(
            "Zo wordt het alleen maar lastiger.",
            "Geef mij maar gewoon de telefoon.",
            "Voor simpele vragen is hij misschien handig, maar niet voor mij.",
        ),
        english=(
            "The chatbot doesn't understand my question.",
            "I want to talk to a real person, not a bot.",
        ),
    ),
    _Theme(
        slug="website-info-niet-vinden",
        label_nl="Informatie op de website niet te vinden",
        label_en="Cannot find information on the website",
        weight=3.0,
        mix=_mix(55, 15, 3, 12, 10, 5),
        services={"algemene-informatie": 0.5, "mijn-gemeente-portaal": 0.5},
        sentiment="neg",
        slots={
            "info": (
                "de aanvraag voor een parkeervergunning",
                "de tarieven van de leges",
                "het formulier voor bijzondere bijstand",
                "de nieuwe regels voor huisvuil",
                "de voorwaarden voor een evenementenvergunning",
                "het telefoonnummer van het wijkteam",
                "de subsidie voor isolatie",
                "de openingstijden van de milieustraat",
            ),
            "info_en": ("event permits", "the insulation subsidy", "the fees"),
        },
        templates=(
            "Ik kan op de website {info} nergens vinden.",
            "De zoekfunctie op de website geeft geen resultaat als ik zoek naar {info}.",
            "Waar staat op jullie site {info}? Ik zoek me suf.",
            "De link naar {info} geeft een foutmelding 'pagina niet gevonden'.",
            "De website is onoverzichtelijk, ik klik van pagina naar pagina zonder te vinden wat "
            "ik zoek.",
            "Op de website staat verouderde informatie over {info}.",
            "Na een half uur zoeken op de website heb ik het opgegeven en maar gebeld.",
            "Het menu van de website is veel te ingewikkeld, {info} zit heel diep verstopt.",
            "Op de site staan twee verschillende versies van {info}.",
        ),
        short=("Kan niks vinden op de site", "website onduidelijk", "Waar staat dit??"),
        details=(
            "Ik ben niet zo handig met computers.",
            "Maak het toch wat simpeler.",
            "Google vond het wel, jullie zoekfunctie niet.",
        ),
        english=(
            "I can't find information on your website about {info_en}.",
            "The search function on the website returns nothing useful.",
        ),
    ),
    _Theme(
        slug="website-toegankelijkheid",
        label_nl="Toegankelijkheid van de website",
        label_en="Website accessibility for people with a disability",
        weight=1.5,
        mix=_mix(50, 20, 5, 20, 5, 0),
        services={"mijn-gemeente-portaal": 1.0},
        sentiment="neg",
        slots={
            "hulpm": (
                "mijn schermlezer",
                "de voorleessoftware",
                "vergroting op 200%",
                "alleen het toetsenbord",
                "mijn brailleleesregel",
            ),
        },
        templates=(
            "Met {hulpm} kan ik het formulier op de website niet invullen.",
            "De knoppen op jullie website hebben geen tekst, met {hulpm} hoor ik alleen 'knop'.",
            "Ik ben slechtziend en de tekst op de website heeft te weinig contrast.",
            "Met {hulpm} kom ik niet voorbij de cookiemelding.",
            "De pdf-formulieren zijn niet toegankelijk met {hulpm}.",
            "De website is niet goed te gebruiken met {hulpm}, de volgorde van de velden klopt "
            "niet.",
            "De captcha is voor mij als blinde onmogelijk, is er een alternatief?",
            "De video's op de website hebben geen ondertiteling, en ik ben doof.",
            "De teksten op de site zijn te moeilijk, kunnen jullie ze op B1-niveau schrijven?",
            "Bij inzoomen valt de helft van de pagina weg.",
        ),
        short=("Website niet toegankelijk", "schermlezer werkt niet op site", "Te weinig contrast"),
        details=(
            "Volgens de wet moet de website toegankelijk zijn.",
            "Ik ben afhankelijk van hulp van anderen, dat wil ik niet.",
            "Ik help graag mee met testen.",
        ),
        english=(
            "Your website doesn't work with my screen reader.",
            "The forms are not accessible with keyboard only.",
        ),
    ),
    _Theme(
        slug="overig",
        label_nl="Overig en ruis",
        label_en="Other / noise",
        weight=3.0,
        mix=_mix(35, 15, 5, 20, 10, 15),
        services={"algemene-informatie": 1.0},
        sentiment="neu",
        templates=(
            "Ik wil graag weten hoe laat de Albert Heijn open is.",
            "Mijn treinkaartje werkt niet, kunnen jullie dat regelen?",
            "Wanneer zijn de volgende gemeenteraadsverkiezingen?",
            "Leuk dat jullie dit formulier hebben.",
            "Ik wil een klacht indienen over mijn zorgverzekeraar.",
            "Kan ik hier ook mijn belastingaangifte doen?",
            "Wie is eigenlijk de burgemeester?",
            "Mijn kat is weggelopen, heeft iemand hem gezien?",
            "Wordt er nog iets gedaan aan het klimaat?",
            "Waarom staat de kerkklok stil?",
            "Is de ijsbaan dit jaar weer open?",
            "Kunt u mij het nummer van de huisartsenpost geven?",
            "Verkeerd formulier, sorry.",
            "Ik heb een vraag maar weet niet bij welke afdeling.",
            "Is het zwembad open met de feestdagen?",
            "Wanneer is de kermis dit jaar?",
        ),
        short=("Test", "test 123", "asdfgh", "Hallo?", "Bedankt", "ok", ".", "?"),
        details=("Groetjes.", "Dank u.", "Sorry als dit niet de goede plek is."),
        english=("Hello, is this the right place to ask about trains?", "test test"),
    ),
)

THEMES: list[tuple[str, str, str]] = [(t.slug, t.label_nl, t.label_en) for t in _THEMES]

_THEME_BY_SLUG: dict[str, _Theme] = {t.slug: t for t in _THEMES}
_MERGED_SLOTS: dict[str, dict[str, Sequence[str]]] = {
    t.slug: {**_SHARED_SLOTS, **t.slots} for t in _THEMES
}
# Themes whose core sentence may be appended to another message as a second issue.
_SECOND_ISSUE_THEMES: tuple[_Theme, ...] = tuple(
    t for t in _THEMES if t.slug not in ("overig", CHATBOT_THEME, "compliment-medewerker")
)
_DEFAULT_REPORTERS: dict[str, float] = {
    "citizen": 0.9,
    "business": 0.04,
    "staff": 0.03,
    "partner": 0.03,
}
_RATINGS: dict[str, tuple[float, ...]] = {
    "neg": (0.45, 0.3, 0.15, 0.07, 0.03),
    "neu": (0.1, 0.2, 0.35, 0.25, 0.1),
    "pos": (0.0, 0.02, 0.08, 0.3, 0.6),
}

# --------------------------------------------------------------------------------------------
# Text assembly
# --------------------------------------------------------------------------------------------

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


def _fill(rng: random.Random, template: str, slots: Mapping[str, Sequence[str]]) -> str:
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
        street = rng.choice(_SHARED_SLOTS["straat"]).removeprefix("de ")
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


def _slots_for(theme: _Theme, service: str) -> Mapping[str, Sequence[str]]:
    slots = _MERGED_SLOTS[theme.slug]
    override = theme.service_slots.get(service)
    if override:
        return {**slots, **override}
    return slots


def _english_text(rng: random.Random, theme: _Theme, channel: str, slots: Slots) -> str:
    body = _fill(rng, rng.choice(theme.english), slots)
    if channel == "email" and rng.random() < 0.6:
        return f"{rng.choice(_ENGLISH_OPENINGS)}\n\n{body}\n\n{rng.choice(_ENGLISH_CLOSINGS)}"
    if channel == "web_form" and rng.random() < 0.3:
        return f"{rng.choice(_ENGLISH_OPENINGS)} {body}"
    return body


def _dutch_text(
    rng: random.Random, theme: _Theme, channel: str, reporter: str, slots: Slots
) -> str:
    casual = channel in ("chat", "social_media")
    short = rng.random() < (0.3 if casual else 0.1)
    if short:
        body = [_fill(rng, rng.choice(theme.short), slots)]
        n_details = 0 if rng.random() < 0.75 else 1
    else:
        body = [_fill(rng, rng.choice(theme.templates), slots)]
        detail_weights = (0.25, 0.45, 0.3) if channel == "email" else (0.45, 0.4, 0.15)
        n_details = rng.choices((0, 1, 2), weights=detail_weights)[0]
        if casual:
            n_details = min(n_details, 1)
    body.extend(_fill(rng, d, slots) for d in rng.sample(theme.details, n_details))
    if not short and rng.random() < 0.045:
        other = rng.choice(_SECOND_ISSUE_THEMES)
        if other is not theme:
            sentence = _fill(rng, rng.choice(other.templates), _MERGED_SLOTS[other.slug])
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


# --------------------------------------------------------------------------------------------
# Calendar: holidays, daylight saving time, event schedule
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[date, float]:
    """Dutch public holidays: 0.0 = municipality closed, otherwise a volume factor."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:
        kings_day = date(year, 4, 26)
    closed = [
        date(year, 1, 1),
        easter,
        easter + timedelta(days=1),
        kings_day,
        easter + timedelta(days=39),  # Ascension Day
        easter + timedelta(days=49),  # Whit Sunday
        easter + timedelta(days=50),  # Whit Monday
        date(year, 12, 25),
        date(year, 12, 26),
    ]
    days: dict[date, float] = dict.fromkeys(closed, 0.0)
    days[easter - timedelta(days=2)] = 0.85  # Good Friday: open, but quiet
    days[date(year, 5, 5)] = 0.0 if year % 5 == 0 else 0.85  # Liberation Day
    days[date(year, 12, 24)] = 0.7
    days[date(year, 12, 31)] = 0.7
    return days


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month, 31)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def _utc_offset_hours(day: date) -> int:
    """Europe/Amsterdam offset (CET/CEST) for the bulk of a local day."""
    return 2 if _last_sunday(day.year, 3) <= day < _last_sunday(day.year, 10) else 1


def _in_summer_holiday(day: date) -> bool:
    return (7, 13) <= (day.month, day.day) <= (8, 25)


def _in_christmas_holiday(day: date) -> bool:
    return (day.month, day.day) >= (12, 23) or (day.month, day.day) <= (1, 2)


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, 28))


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _plannable(day: date, weekday: int) -> date:
    """The first given weekday on or after `day` outside the summer and Christmas holidays."""
    day = _next_weekday(day, weekday)
    while _in_summer_holiday(day) or _in_christmas_holiday(day) or day in _holidays(day.year):
        day = _next_weekday(day + timedelta(days=1), weekday)
    return day


@dataclass(frozen=True)
class _Schedule:
    start: date
    placebo_release: int  # day offsets from start
    waste_campaign: int
    waste_change: int
    portal_release: int
    chatbot_pilot: int


@lru_cache(maxsize=64)
def _schedule(start: date) -> _Schedule:
    def offset(day: date) -> int:
        return (day - start).days

    waste_change = _plannable(_add_months(start, 7), 0)
    return _Schedule(
        start=start,
        placebo_release=offset(_plannable(_add_months(start, 5), 1)),
        waste_campaign=offset(waste_change - timedelta(days=14)),
        waste_change=offset(waste_change),
        portal_release=offset(_plannable(_add_months(start, 10), 1)),
        chatbot_pilot=offset(_plannable(_add_months(start, 16), 0)),
    )


# --------------------------------------------------------------------------------------------
# Volume model
# --------------------------------------------------------------------------------------------

_WEEKDAY_FACTORS: dict[str, tuple[float, ...]] = {
    "web_form": (1.15, 1.1, 1.05, 1.0, 0.9, 0.45, 0.5),
    "phone": (1.45, 1.1, 1.0, 1.0, 0.85, 0.0, 0.0),
    "counter": (1.1, 1.05, 1.0, 1.15, 0.8, 0.0, 0.0),
    "email": (1.2, 1.1, 1.05, 1.0, 0.9, 0.3, 0.35),
    "chat": (1.1, 1.05, 1.0, 1.0, 0.9, 0.0, 0.0),  # staffed chat until the chatbot pilot
    "social_media": (1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.9),
}
_CHATBOT_WEEKEND = (0.45, 0.4)
_TREND_PER_YEAR: dict[str, float] = {
    "web_form": 0.08,
    "phone": -0.05,
    "counter": -0.04,
    "email": -0.02,
    "chat": 0.08,
    "social_media": 0.05,
}
_CLOSED_CHANNELS = frozenset({"phone", "counter"})

_HOURS_WEB = (
    *(1.5, 0.8, 0.5, 0.3, 0.3, 0.5, 1.5, 3.0, 5.0, 7.0, 8.0, 8.0),
    *(7.0, 7.0, 7.0, 7.0, 6.0, 5.0, 5.0, 6.0, 7.0, 6.0, 4.0, 2.5),
)
_HOURS_SOCIAL = (
    *(2.0, 1.0, 0.5, 0.3, 0.3, 0.5, 1.5, 3.0, 4.0, 5.0, 5.0, 5.0),
    *(6.0, 5.0, 5.0, 5.0, 5.0, 6.0, 7.0, 8.0, 8.0, 8.0, 6.0, 4.0),
)
_HOURS_PHONE = (0.0,) * 8 + (6.0, 10.0, 10.0, 9.0, 6.0, 8.0, 8.0, 7.0, 5.0) + (0.0,) * 7
_HOURS_COUNTER = (0.0,) * 8 + (2.0, 8.0, 9.0, 9.0, 6.0, 7.0, 8.0, 7.0, 3.0) + (0.0,) * 7
_HOURS_COUNTER_THURSDAY = (  # evening opening until 20:00
    (0.0,) * 8 + (2.0, 8.0, 9.0, 9.0, 6.0, 7.0, 8.0, 7.0, 3.0, 4.0, 4.0, 3.0) + (0.0,) * 4
)
_HOURS_CHAT_STAFFED = (0.0,) * 8 + (3.0, 8.0, 9.0, 9.0, 7.0, 8.0, 8.0, 7.0, 5.0, 2.0) + (0.0,) * 6


def _cumulative(weights: Sequence[float]) -> tuple[float, ...]:
    total = 0.0
    out: list[float] = []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


_CUM_HOURS: dict[str, tuple[float, ...]] = {
    "web_form": _cumulative(_HOURS_WEB),
    "email": _cumulative(_HOURS_WEB),
    "social_media": _cumulative(_HOURS_SOCIAL),
    "phone": _cumulative(_HOURS_PHONE),
    "counter": _cumulative(_HOURS_COUNTER),
    "counter_thursday": _cumulative(_HOURS_COUNTER_THURSDAY),
    "chat_staffed": _cumulative(_HOURS_CHAT_STAFFED),
    "chat_bot": _cumulative(_HOURS_WEB),
}
_HOURS = range(24)


def _passport_rush(day: date) -> float:
    """0..1: how far into the spring passport rush `day` is (1 = full rush)."""
    md = (day.month, day.day)
    if (4, 1) <= md <= (4, 14):
        return (day.day - 1) / 14.0 + 1 / 14.0
    if (4, 15) <= md <= (6, 15):
        return 1.0
    if (6, 16) <= md <= (6, 30):
        return 1.0 - 0.8 * (day.day - 15) / 15.0
    if day.month == 7:
        return 0.2
    return 0.0


def _theme_season(theme: _Theme, day: date) -> float:
    factor = theme.months[day.month - 1]
    if theme.summer_dip and _in_summer_holiday(day):
        factor *= 0.7
    if _in_christmas_holiday(day):
        factor *= 0.65
    if theme.slug == "woz-bezwaar":
        # Assessments go out at the end of February; objections within six weeks.
        factor *= 3.0 if (2, 20) <= (day.month, day.day) <= (4, 10) else 0.6
    elif theme.slug == "paspoort-kosten":
        factor *= 1.0 + 0.5 * _passport_rush(day)
    return factor


def _recurring_channel_factor(theme: _Theme, channel: str, day: date) -> float:
    if theme.slug == PASSPORT_THEME:
        full = 2.5 if channel in ("phone", "web_form", "counter") else 1.8
        return 1.0 + (full - 1.0) * _passport_rush(day)
    return 1.0


def _one_off_factor(theme: str, channel: str, i: int, s: _Schedule) -> float:
    factor = 1.0
    if theme == UPLOAD_THEME:
        k = i - s.portal_release
        if 0 <= k < 42:
            peak = {"web_form": 4.0, "phone": 4.0, "chat": 4.0, "counter": 1.0}.get(channel, 2.0)
            factor *= peak if k < 21 else 1.0 + (peak - 1.0) * (42 - k) / 21.0
    elif theme == "kcc-telefonisch-wachten":
        if 0 <= i - s.portal_release < 21:
            factor *= 1.5
    elif theme == WASTE_CALENDAR_THEME:
        k = i - s.waste_change
        if -14 <= k < -3:
            factor *= 1.0 + 1.5 * (k + 14) / 10.0
        elif -3 <= k <= 7:
            factor *= 3.5
        elif 7 < k <= 28:
            factor *= 1.0 + 2.5 * (28 - k) / 21.0
    elif theme == "container-niet-geleegd":
        if 0 <= i - s.waste_change < 14:
            factor *= 1.8
    elif theme == CHATBOT_THEME:
        k = i - s.chatbot_pilot
        factor *= 0.0 if k < 0 else (2.0 if k < 21 else 1.0)
    if theme in SIMPLE_QUESTION_THEMES and channel in ("phone", "chat"):
        k = i - s.chatbot_pilot
        if k >= 0:
            ramp = min(1.0, (k + 1) / 14.0)
            factor *= 1.0 - 0.4 * ramp if channel == "phone" else 1.0 + 0.6 * ramp
    return factor


def _channel_factors(day: date, i: int, s: _Schedule | None) -> list[float]:
    weekday = day.weekday()
    holiday = _holidays(day.year).get(day)
    pilot = s is not None and i >= s.chatbot_pilot
    years = i / 365.25
    out: list[float] = []
    for channel in CHANNELS:
        if channel == "chat" and pilot and weekday >= 5:
            factor = _CHATBOT_WEEKEND[weekday - 5]
        else:
            factor = _WEEKDAY_FACTORS[channel][weekday]
        if holiday is not None:
            closed = channel in _CLOSED_CHANNELS or (channel == "chat" and not pilot)
            if holiday == 0.0:
                factor *= 0.0 if closed else 0.6
            else:
                factor *= holiday
        factor *= max(0.2, 1.0 + _TREND_PER_YEAR[channel] * years)
        out.append(factor)
    return out


def _day_weights(day: date, i: int, s: _Schedule | None) -> list[float]:
    """Expected volume per (theme, channel) cell, in the order of `_CELLS` (unscaled).

    `s` is None for the reference level, which excludes the one-off events.
    """
    channel_factors = _channel_factors(day, i, s)
    weights: list[float] = []
    for theme in _THEMES:
        if theme.after_pilot_only and s is None:
            weights.extend([0.0] * len(CHANNELS))
            continue
        base = theme.weight * _theme_season(theme, day)
        for c, channel in enumerate(CHANNELS):
            w = base * theme.mix[c] * channel_factors[c]
            if w > 0.0:
                w *= _recurring_channel_factor(theme, channel, day)
                if s is not None:
                    w *= _one_off_factor(theme.slug, channel, i, s)
            weights.append(w)
    return weights


_CELLS: tuple[tuple[_Theme, str], ...] = tuple((t, c) for t in _THEMES for c in CHANNELS)


@lru_cache(maxsize=64)
def _reference_daily_volume(start: date) -> float:
    """Mean unscaled daily volume over the first year, without the one-off events."""
    total = 0.0
    for i in range(365):
        total += sum(_day_weights(start + timedelta(days=i), i, None))
    return total / 365.0


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0.0:
        return 0
    if lam > 300.0:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k = 0
    p = rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def demo_events(start: date, *, days: int = 730) -> list[DemoEvent]:
    """The events built into :func:`generate_feedback` for the same `start`, by date."""
    start = _as_date(start)
    s = _schedule(start)
    end = start + timedelta(days=days)

    def on(offset: int) -> date:
        return start + timedelta(days=offset)

    events = [
        DemoEvent(
            slug="release-zaaksysteem-onderhoud",
            kind="release",
            title_nl="Onderhoudsrelease zaaksysteem",
            title_en="Maintenance release of the case management system",
            occurred_on=on(s.placebo_release),
            description_nl="Technische update van het zaaksysteem (beveiligingspatches en "
            "prestatieverbeteringen), zonder zichtbare wijzigingen voor inwoners.",
            description_en="Technical update of the case management system (security patches "
            "and performance improvements), with no visible changes for residents.",
        ),
        DemoEvent(
            slug="campagne-nieuw-afvalschema",
            kind="campaign",
            title_nl="Campagne nieuw afvalinzamelschema",
            title_en="Campaign: new waste collection schedule",
            occurred_on=on(s.waste_campaign),
            description_nl="Brief aan alle huishoudens, berichten op sociale media en een nieuwe "
            "afvalkalender in de app: over twee weken gaat het nieuwe inzamelschema in.",
            description_en="Letter to every household, social media posts and a new calendar in "
            "the waste app: the new collection schedule starts in two weeks.",
        ),
        DemoEvent(
            slug="nieuw-afvalschema",
            kind="policy",
            title_nl="Nieuw afvalinzamelschema van kracht",
            title_en="New waste collection schedule takes effect",
            occurred_on=on(s.waste_change),
            description_nl="Restafval wordt voortaan eens per drie weken opgehaald, GFT en PMD "
            "vaker; in veel wijken verandert de ophaaldag.",
            description_en="Residual waste is now collected every three weeks, organic and "
            "plastic waste more often; the collection day changes in many districts.",
        ),
        DemoEvent(
            slug="release-mijn-gemeente-portaal",
            kind="release",
            title_nl="Nieuwe versie Mijn Gemeente-portaal",
            title_en="New version of the Mijn Gemeente portal",
            occurred_on=on(s.portal_release),
            description_nl="Nieuwe versie van het portaal met een vernieuwde vormgeving, een "
            "nieuwe uploadcomponent voor bijlagen en een andere koppeling met het zaaksysteem.",
            description_en="New portal version with a redesigned interface, a new upload "
            "component for attachments and a new link to the case management system.",
        ),
        DemoEvent(
            slug="pilot-chatbot",
            kind="experiment",
            title_nl="Pilot chatbot op de website",
            title_en="Chatbot pilot on the website",
            occurred_on=on(s.chatbot_pilot),
            description_nl="Proef met een digitale assistent die eenvoudige vragen beantwoordt "
            "(openingstijden, verhuizing doorgeven, afvalkalender), ook buiten kantoortijd.",
            description_en="Pilot with a digital assistant that answers simple questions "
            "(opening hours, change of address, waste calendar), also outside office hours.",
        ),
    ]
    for year in range(start.year, end.year + 1):
        rush = date(year, 4, 1)
        events.append(
            DemoEvent(
                slug=f"voorjaarsdrukte-reisdocumenten-{year}",
                kind="policy",
                title_nl=f"Extra afspraakmomenten reisdocumenten {year}",
                title_en=f"Extra appointment slots for travel documents {year}",
                occurred_on=rush,
                description_nl="Van april tot en met juni extra baliecapaciteit voor paspoort en "
                "ID-kaart vanwege de jaarlijkse drukte voor de zomervakantie.",
                description_en="Extra counter capacity for passports and ID cards from April "
                "to June because of the yearly rush before the summer holidays.",
            )
        )
    return sorted((e for e in events if start <= e.occurred_on < end), key=lambda e: e.occurred_on)


def generate_feedback(
    *, seed: int = 2026, start: date, days: int = 730, mean_per_day: float = 30.0
) -> Iterator[DemoSignal]:
    """Stream labelled demo signals for `days` days from `start`, in order of arrival.

    Same arguments, same output; a shorter run is a prefix of a longer one. The first year
    averages `mean_per_day` signals a day before the one-off events are added.
    """
    if days < 0:
        raise ValueError("days must be zero or more")
    if not math.isfinite(mean_per_day) or mean_per_day < 0:
        raise ValueError("mean_per_day must be a finite number, zero or more")
    start = _as_date(start)
    return _generate(seed, start, days, mean_per_day)


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _generate(seed: int, start: date, days: int, mean_per_day: float) -> Iterator[DemoSignal]:
    schedule = _schedule(start)
    scale = mean_per_day / _reference_daily_volume(start)
    start_utc = datetime(start.year, start.month, start.day, tzinfo=UTC)
    number = 0
    for i in range(days):
        day = start + timedelta(days=i)
        rng = random.Random(f"leerlus-demo/{seed}/{i}")  # noqa: S311 - demo data, not crypto
        weights = _day_weights(day, i, schedule)
        n = _poisson(rng, sum(weights) * scale)
        if n == 0:
            continue
        cells = rng.choices(_CELLS, weights=weights, k=n)
        midnight_utc = datetime(day.year, day.month, day.day, tzinfo=UTC)
        offset = _utc_offset_hours(day)
        after_pilot = i >= schedule.chatbot_pilot
        batch: list[tuple[datetime, _Theme, str]] = []
        for theme, channel in cells:
            if channel == "counter" and day.weekday() == 3:
                hours_key = "counter_thursday"
            elif channel == "chat":
                hours_key = "chat_bot" if after_pilot else "chat_staffed"
            else:
                hours_key = channel
            hour = rng.choices(_HOURS, cum_weights=_CUM_HOURS[hours_key])[0]
            at = midnight_utc + timedelta(
                hours=hour - offset, minutes=rng.randrange(60), seconds=rng.randrange(60)
            )
            if at < start_utc:  # the first local night falls before the UTC start
                at = start_utc + timedelta(seconds=rng.randrange(3600))
            batch.append((at, theme, channel))
        batch.sort(key=lambda item: item[0])
        for at, theme, channel in batch:
            number += 1
            yield _signal(rng, number, at, theme, channel)


def _signal(
    rng: random.Random, number: int, at: datetime, theme: _Theme, channel: str
) -> DemoSignal:
    services = list(theme.services)
    service = rng.choices(services, weights=[theme.services[s] for s in services])[0]
    reporters = theme.reporters or _DEFAULT_REPORTERS
    reporter = rng.choices(REPORTER_KINDS, weights=[reporters[r] for r in REPORTER_KINDS])[0]
    slots = _slots_for(theme, service)
    english = channel not in ("phone", "counter") and rng.random() < 0.07
    if english:
        text = _english_text(rng, theme, channel, slots)
    else:
        text = _dutch_text(rng, theme, channel, reporter, slots)
    rating: int | None = None
    if channel == "web_form" and rng.random() < 0.45:
        rating = rng.choices((1, 2, 3, 4, 5), weights=_RATINGS[theme.sentiment])[0]
    return DemoSignal(
        external_id=f"demo-{number:06d}",
        received_at=at,
        channel=channel,
        service=service,
        department=_SERVICE_DEPARTMENT[service],
        reporter_kind=reporter,
        text=text,
        rating=rating,
        theme=theme.slug,
    )
