# SPDX-License-Identifier: EUPL-1.2
"""Signals on a few clear topics, for tests that run the real engine on a small corpus."""

from __future__ import annotations

import itertools
from datetime import datetime, time, timedelta

from django.utils import timezone

from leerlus.feedback.models import Feedback
from leerlus.feedback.services import SignalInput, feedback_ingest
from leerlus.organisations.models import Organisation, Service
from leerlus.organisations.tests.factories import ServiceFactory
from leerlus.patterns.models import DiscoveryRun, Theme, ThemeAssignment
from leerlus.patterns.selectors.curation import engine_curation
from leerlus.patterns.services.discovery import Progress, themes_discover

TEMPLATES: dict[str, list[str]] = {
    "upload": [
        "Het uploaden van {x} mislukt steeds in het portaal.",
        "Ik krijg een foutmelding bij het uploaden van {x}.",
        "Uploaden van {x} lukt niet, de uploadknop doet niets.",
    ],
    "paspoort": [
        "Ik kan geen afspraak maken voor mijn {x}, de wachttijd is veel te lang.",
        "Waarom duurt het zo lang voordat ik een afspraak voor een {x} krijg?",
        "Geen plek in de agenda van het stadskantoor om een {x} aan te vragen.",
    ],
    "afval": [
        "De {x} is deze week niet geleegd door de vuilniswagen.",
        "Mijn {x} is weer overgeslagen, de vuilniswagen kwam niet langs.",
        "Waarom is de {x} in onze straat niet opgehaald? Het afval stinkt.",
    ],
}
SLOTS: dict[str, list[str]] = {
    "upload": ["mijn pasfoto", "de bijlage", "de bouwtekening", "mijn loonstrook", "het bestand"],
    "paspoort": ["paspoort", "identiteitskaart", "ID-kaart", "reisdocument", "nieuw paspoort"],
    "afval": ["container", "groene bak", "restafvalbak", "papierbak", "gft-container"],
}
ENDINGS = ["", " Graag snel een reactie.", " Dit is al de tweede keer.", " Wat moet ik nu doen?"]
SERVICE_OF = {"upload": "portaal", "paspoort": "paspoort", "afval": "afval"}
CHANNELS = ["web_form", "phone", "counter"]


def topic_texts(topic: str) -> list[str]:
    """Every distinct text of a topic (60), in a fixed order."""
    return [
        template.format(x=slot) + ending
        for ending, template, slot in itertools.product(ENDINGS, TEMPLATES[topic], SLOTS[topic])
    ]


def services_for(organisation: Organisation) -> dict[str, Service]:
    found = {s.slug: s for s in Service.objects.filter(organisation=organisation)}
    for slug in SERVICE_OF.values():
        if slug not in found:
            found[slug] = ServiceFactory(organisation=organisation, name=slug.title(), slug=slug)
    return found


def make_signals(
    organisation: Organisation,
    *,
    per_topic: int = 40,
    days: int = 28,
    topics: tuple[str, ...] = ("upload", "paspoort", "afval"),
    offset: int = 0,
    with_service: bool = True,
    channel: str | None = None,
) -> list[Feedback]:
    """``per_topic`` signals of each topic, spread over the ``days`` days before today."""
    services = services_for(organisation)
    today = timezone.localdate()
    items = []
    for topic in topics:
        texts = topic_texts(topic)
        for i in range(per_topic):
            day = today - timedelta(days=1 + (i * 7) % days)
            items.append(
                SignalInput(
                    text=texts[(i + offset) % len(texts)],
                    channel=channel or CHANNELS[i % len(CHANNELS)],
                    received_at=timezone.make_aware(datetime.combine(day, time(10 + i % 6))),
                    service=services[SERVICE_OF[topic]] if with_service else None,
                    source="test",
                    external_id=f"{topic}-{offset}-{i}",
                )
            )
    result = feedback_ingest(organisation=organisation, items=items, keep_created=True)
    return result.created


def theme_of(text_start: str) -> Theme:
    """The theme of the (first) signal whose text starts so."""
    found = (
        ThemeAssignment.objects.filter(feedback__text__startswith=text_start)
        .select_related("theme")
        .order_by("pk")[0]
        .theme
    )
    assert found is not None
    return found


def discover(organisation: Organisation, *, progress: Progress | None = None) -> DiscoveryRun:
    """A discovery as the job runs it: with the organisation's active curation."""
    return themes_discover(
        organisation=organisation,
        curation=engine_curation(organisation=organisation),
        progress=progress,
    )
