# SPDX-License-Identifier: EUPL-1.2
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

Where it lives: the themes and their words are data (``feedback_themes.json``, read by
:mod:`~leerlus.demo.feedback_themes`); texts are written by :mod:`~leerlus.demo.feedback_texts`;
holidays, the event schedule and each channel's rhythm are in
:mod:`~leerlus.demo.feedback_calendar`; this module holds the vocabulary, the volume model and
the stream.

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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from leerlus.demo.feedback_calendar import (
    CHATBOT_WEEKEND,
    CLOSED_CHANNELS,
    CUM_HOURS,
    HOURS,
    TREND_PER_YEAR,
    WEEKDAY_FACTORS,
    Schedule,
    event_schedule,
    holidays,
    in_christmas_holiday,
    in_summer_holiday,
    passport_rush,
    utc_offset_hours,
)
from leerlus.demo.feedback_texts import dutch_text, english_text
from leerlus.demo.feedback_themes import DEMO_THEMES, MIX_CHANNELS, DemoTheme, slots_for

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

THEMES: list[tuple[str, str, str]] = [(t.slug, t.label_nl, t.label_en) for t in DEMO_THEMES]
if MIX_CHANNELS != CHANNELS:  # the data file's channel mixes must follow CHANNELS
    raise RuntimeError(f"feedback_themes.json lists the channels {MIX_CHANNELS}, not {CHANNELS}")

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
# Volume model
# --------------------------------------------------------------------------------------------


def _theme_season(theme: DemoTheme, day: date) -> float:
    factor = theme.months[day.month - 1]
    if theme.summer_dip and in_summer_holiday(day):
        factor *= 0.7
    if in_christmas_holiday(day):
        factor *= 0.65
    if theme.slug == "woz-bezwaar":
        # Assessments go out at the end of February; objections within six weeks.
        factor *= 3.0 if (2, 20) <= (day.month, day.day) <= (4, 10) else 0.6
    elif theme.slug == "paspoort-kosten":
        factor *= 1.0 + 0.5 * passport_rush(day)
    return factor


def _recurring_channel_factor(theme: DemoTheme, channel: str, day: date) -> float:
    if theme.slug == PASSPORT_THEME:
        full = 2.5 if channel in ("phone", "web_form", "counter") else 1.8
        return 1.0 + (full - 1.0) * passport_rush(day)
    return 1.0


def _one_off_factor(theme: str, channel: str, i: int, s: Schedule) -> float:
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


def _channel_factors(day: date, i: int, s: Schedule | None) -> list[float]:
    weekday = day.weekday()
    holiday = holidays(day.year).get(day)
    pilot = s is not None and i >= s.chatbot_pilot
    years = i / 365.25
    out: list[float] = []
    for channel in CHANNELS:
        if channel == "chat" and pilot and weekday >= 5:
            factor = CHATBOT_WEEKEND[weekday - 5]
        else:
            factor = WEEKDAY_FACTORS[channel][weekday]
        if holiday is not None:
            closed = channel in CLOSED_CHANNELS or (channel == "chat" and not pilot)
            if holiday == 0.0:
                factor *= 0.0 if closed else 0.6
            else:
                factor *= holiday
        factor *= max(0.2, 1.0 + TREND_PER_YEAR[channel] * years)
        out.append(factor)
    return out


def _day_weights(day: date, i: int, s: Schedule | None) -> list[float]:
    """Expected volume per (theme, channel) cell, in the order of `_CELLS` (unscaled).

    `s` is None for the reference level, which excludes the one-off events.
    """
    channel_factors = _channel_factors(day, i, s)
    weights: list[float] = []
    for theme in DEMO_THEMES:
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


_CELLS: tuple[tuple[DemoTheme, str], ...] = tuple((t, c) for t in DEMO_THEMES for c in CHANNELS)


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
    s = event_schedule(start)
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
    schedule = event_schedule(start)
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
        offset = utc_offset_hours(day)
        after_pilot = i >= schedule.chatbot_pilot
        batch: list[tuple[datetime, DemoTheme, str]] = []
        for theme, channel in cells:
            if channel == "counter" and day.weekday() == 3:
                hours_key = "counter_thursday"
            elif channel == "chat":
                hours_key = "chat_bot" if after_pilot else "chat_staffed"
            else:
                hours_key = channel
            hour = rng.choices(HOURS, cum_weights=CUM_HOURS[hours_key])[0]
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
    rng: random.Random, number: int, at: datetime, theme: DemoTheme, channel: str
) -> DemoSignal:
    services = list(theme.services)
    service = rng.choices(services, weights=[theme.services[s] for s in services])[0]
    reporters = theme.reporters or _DEFAULT_REPORTERS
    reporter = rng.choices(REPORTER_KINDS, weights=[reporters[r] for r in REPORTER_KINDS])[0]
    slots = slots_for(theme, service)
    english = channel not in ("phone", "counter") and rng.random() < 0.07
    if english:
        text = english_text(rng, theme, channel, slots)
    else:
        text = dutch_text(rng, theme, channel, reporter, slots)
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
