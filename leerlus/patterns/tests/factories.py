# SPDX-License-Identifier: EUPL-1.2
"""Themes, signals in them and their daily counts, made directly (no engine run needed)."""

import random
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from leerlus.feedback.models import Feedback
from leerlus.feedback.services import SignalInput, feedback_create
from leerlus.organisations.models import Organisation, Service
from leerlus.organisations.tests.factories import OrganisationFactory
from leerlus.patterns.models import Alert, DailyCount, Event, Theme, ThemeAssignment
from leerlus.patterns.services.counts import daily_counts_add


class ThemeFactory(DjangoModelFactory[Theme]):
    class Meta:
        model = Theme

    organisation = factory.SubFactory(OrganisationFactory)
    engine_id = factory.Sequence(lambda n: n)
    label = factory.Sequence(lambda n: f"thema {n}")
    key_terms = factory.LazyAttribute(lambda theme: theme.label.split())
    size = 0


class FeedbackFactory(DjangoModelFactory[Feedback]):
    class Meta:
        model = Feedback

    organisation = factory.SubFactory(OrganisationFactory)
    reference = factory.Sequence(lambda n: f"LL-T{n:04d}-00000")
    fingerprint = factory.Sequence(lambda n: f"test-{n:027d}")
    channel = "phone"
    text = factory.Sequence(lambda n: f"De upload van mijn pasfoto lukt niet ({n}).")
    received_at = factory.LazyFunction(timezone.now)


class EventFactory(DjangoModelFactory[Event]):
    class Meta:
        model = Event

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Event.Kind.RELEASE
    title = factory.Sequence(lambda n: f"Release {n}")
    date = factory.LazyFunction(timezone.localdate)


class AlertFactory(DjangoModelFactory[Alert]):
    class Meta:
        model = Alert

    organisation = factory.SelfAttribute("theme.organisation")
    theme = factory.SubFactory(ThemeFactory)
    kind = Alert.Kind.SPIKE
    channel = "phone"
    start = factory.LazyFunction(timezone.localdate)
    end = factory.SelfAttribute("start")
    observed = 30.0
    expected = 8.0
    score = 5.0


def daily_counts(
    theme: Theme,
    counts: Mapping[int, int],
    *,
    channel: str = "phone",
    service: Service | None = None,
    today: date | None = None,
) -> None:
    """``counts``: days before ``today`` (0 is today) → signals on that day, added as the
    assignment job adds them (so the per-day theme totals follow)."""
    today = today or timezone.localdate()
    daily_counts_add(
        organisation=theme.organisation,
        counts=Counter(
            {
                (today - timedelta(days=ago), theme.pk, channel, service.pk if service else None): n
                for ago, n in counts.items()
            }
        ),
    )


def add_counts(organisation, theme, channel: str, first: date, values: list[int]) -> None:
    """Daily counts of ``theme`` (None: no theme) from ``first``, one value a day, written
    directly (no per-day totals)."""
    DailyCount.objects.bulk_create(
        DailyCount(
            organisation=organisation,
            theme=theme,
            channel=channel,
            day=first + timedelta(days=i),
            count=n,
        )
        for i, n in enumerate(values)
        if n
    )


def steady(days: int, per_day: int, *, start: int = 0) -> dict[int, int]:
    """``per_day`` signals on each of ``days`` days, beginning ``start`` days ago."""
    return dict.fromkeys(range(start, start + days), per_day)


def signals_in(
    theme: Theme,
    texts: list[str],
    *,
    channel: str = "phone",
    days_ago: int = 1,
    service: Service | None = None,
) -> list[Feedback]:
    """Signals assigned to ``theme`` (their daily counts are left to the caller)."""
    organisation: Organisation = theme.organisation
    moment = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(10))
    )
    signals = [
        FeedbackFactory.create(
            organisation=organisation,
            text=text,
            channel=channel,
            service=service,
            received_at=moment + timedelta(minutes=i),
        )
        for i, text in enumerate(texts)
    ]
    for signal in signals:
        ThemeAssignment.objects.create(feedback=signal, organisation=organisation, theme=theme)
    return signals


TOPICS = {
    "upload": ["upload", "pasfoto", "portaal", "foutmelding", "bestand", "uploaden", "foto"],
    "afval": ["container", "geleegd", "afval", "vuilnis", "ophalen", "straat", "kliko"],
    "parkeren": ["parkeervergunning", "parkeren", "auto", "kenteken", "wijk", "bezoekers"],
}


def topic_signals(organisation: Organisation, per_topic: int = 40) -> None:
    """Signals on three distinct topics, varied enough for the engine to find themes in
    (a discovery needs 50 signals at least)."""
    rng = random.Random(1)  # noqa: S311 - varied test texts, not secrets
    now = timezone.now()
    for t, words in enumerate(TOPICS.values()):
        for i in range(per_topic):
            feedback_create(
                organisation=organisation,
                item=SignalInput(
                    text="Melding over " + " ".join(rng.sample(words, 5)),
                    channel="phone",
                    received_at=now - timedelta(minutes=t * per_topic + i),
                ),
            )
