# SPDX-License-Identifier: EUPL-1.2
"""Reads of events: the register, one event, and what changed in the signals around it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from leerlus.engine import trends
from leerlus.organisations.models import Organisation

from ..models import Event, Theme
from .counts import first_counted_day, series_set

EVENT_BEFORE_DAYS: Final = 56
EVENT_AFTER_DAYS: Final = 21
EVENT_MIN_DAYS: Final = 7


@dataclass(frozen=True)
class EventFilter:
    kind: str = ""
    date_from: date | None = None
    date_until: date | None = None
    search: str = ""


def events_of(*, organisation: Organisation, filters: EventFilter | None = None) -> QuerySet[Event]:
    f = filters or EventFilter()
    events = Event.objects.filter(organisation=organisation).select_related("service")
    if f.kind:
        events = events.filter(kind=f.kind)
    if f.date_from:
        events = events.filter(date__gte=f.date_from)
    if f.date_until:
        events = events.filter(date__lte=f.date_until)
    for word in f.search.split()[:8]:
        events = events.filter(Q(title__icontains=word) | Q(description__icontains=word))
    return events.order_by("-date", "-id")


def event_get(*, organisation: Organisation, pk: int) -> Event:
    """The same 404 for a missing event and another organisation's."""
    event = events_of(organisation=organisation).filter(pk=pk).first()
    if event is None:
        raise Http404
    return event


@dataclass(frozen=True)
class EventChange:
    """How one series moved around an event (see :func:`event_changes`).

    ``theme`` is None for the total over all themes; ``channel`` is None for the total over
    all channels. ``before``/``after`` are the signals in the windows before and from the
    event; ``expected_after`` carries the before-level forward with the weekday and holiday
    profile; ``ratio`` (interval ``low`` to ``high``) is after against expected;
    ``significant``: after false-discovery control over every series compared (q < 0.05);
    ``direction``: "up" or "down". ``before_days``/``after_days``: the windows used.
    """

    theme: Theme | None
    channel: str | None
    before: int
    after: int
    expected_after: float
    ratio: float
    low: float
    high: float
    p_value: float
    q_value: float
    significant: bool
    direction: str
    before_days: int
    after_days: int


def event_changes(
    *, organisation: Organisation, event: Event, today: date | None = None
) -> list[EventChange]:
    """The before/after report of an event: every theme, every theme x channel, every
    channel and the total, the most significant change first (engine
    :func:`leerlus.engine.trends.compare_around`).

    Before: the 56 days before the event (fewer, at least 7, where the data starts later);
    after: the 21 days from it (fewer, at least 7, for a recent event). Empty where there is
    not enough data on either side.
    """
    if event.organisation_id != organisation.pk:
        raise Http404
    today = today or timezone.localdate()
    first_day = first_counted_day(organisation=organisation)
    if first_day is None:
        return []
    before_days = min(EVENT_BEFORE_DAYS, (event.date - first_day).days)
    after_days = min(EVENT_AFTER_DAYS, (today - event.date).days)
    if before_days < EVENT_MIN_DAYS or after_days < EVENT_MIN_DAYS:
        return []
    first = max(first_day, event.date - timedelta(days=before_days + 364))
    last = event.date + timedelta(days=after_days - 1)
    series, themes = series_set(organisation=organisation, first=first, last=last)
    changes = trends.compare_around(
        series, event.date, before_days=before_days, after_days=after_days
    )
    return [
        EventChange(
            theme=None if change.key.theme == trends.ALL else themes[int(change.key.theme)],
            channel=None if change.key.channel == trends.ALL else change.key.channel,
            before=change.before,
            after=change.after,
            expected_after=change.expected_after,
            ratio=change.ratio,
            low=change.low,
            high=change.high,
            p_value=change.p_value,
            q_value=change.q_value,
            significant=change.significant,
            direction=change.direction,
            before_days=before_days,
            after_days=after_days,
        )
        for change in changes
    ]
